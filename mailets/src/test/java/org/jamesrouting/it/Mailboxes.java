package org.jamesrouting.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;

/** Reads a user's INBOX over real IMAP (JavaMail), as a mail program would. */
public final class Mailboxes {
    private final int imapPort;

    public Mailboxes(int imapPort) {
        this.imapPort = imapPort;
    }

    public List<MimeMessage> inbox(String user, String password) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("mail.imap.connectiontimeout", "5000");
        properties.setProperty("mail.imap.timeout", "10000");
        Session session = Session.getInstance(properties);
        try (Store store = session.getStore("imap")) {
            store.connect("127.0.0.1", imapPort, user, password);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                List<MimeMessage> messages = new ArrayList<>();
                for (Message message : inbox.getMessages()) {
                    messages.add(new MimeMessage((MimeMessage) message));
                }
                return messages;
            } finally {
                inbox.close(false);
            }
        }
    }

    /** Waits until the message with that Message-ID is in the user's INBOX; returns it. */
    public MimeMessage awaitMessageId(String user, String password, String messageId) throws Exception {
        return ItSupport.await(user + " to get " + messageId, () -> {
            for (MimeMessage message : inboxWhileDelivering(user, password)) {
                if (messageId.equals(message.getMessageID())) {
                    return message;
                }
            }
            return null;
        });
    }

    /** Waits until the INBOX holds at least {@code count} messages; returns them. */
    public List<MimeMessage> awaitInbox(String user, String password, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<MimeMessage> messages = inboxWhileDelivering(user, password);
        while (messages.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(user + " has " + messages.size() + " message(s), expected " + count);
            }
            Thread.sleep(100);
            messages = inboxWhileDelivering(user, password);
        }
        return messages;
    }

    /**
     * The INBOX read while a delivery may be under way. James 3.8.1's IMAP SELECT takes the
     * message list and then the count in two reads: on the JPA mailbox a message stored between
     * them is announced (EXISTS) before the FETCH can find it ("BAD FETCH failed. Invalid
     * messageset"), until the next command. A polling reader takes that as "not there yet", as a
     * mail client does on its next poll; any other error still fails the test.
     */
    public List<MimeMessage> inboxWhileDelivering(String user, String password) throws Exception {
        try {
            return inbox(user, password);
        } catch (javax.mail.MessagingException e) {
            if (String.valueOf(e.getMessage()).contains("Invalid messageset")) {
                return List.of();
            }
            throw e;
        }
    }
}
