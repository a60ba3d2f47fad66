package org.jamesrouting.route;

import java.util.OptionalInt;

/**
 * How mail is cut into SMTP transactions and connections: at most {@code recipientsPerMessage}
 * recipients in one transaction (Postfix's {@code *_destination_recipient_limit}; more go in
 * further transactions of the same delivery), at most {@code messagesPerConnection} transactions
 * on one connection before it is closed (Postfix's {@code smtp_connection_reuse_count_limit},
 * Exchange's {@code SmtpMaxMessagesPerConnection}). A route's options
 * ({@code recipients-per-message=N messages-per-connection=N}) leave out what they do not set:
 * the OutboundRouter's {@code recipientsPerMessage} and {@code messagesPerConnection} fill it in.
 */
public record Batching(OptionalInt recipientsPerMessage, OptionalInt messagesPerConnection) {
    public static final Batching NONE = new Batching(OptionalInt.empty(), OptionalInt.empty());
    /** The largest count either option takes. */
    public static final int MAX = 10_000;

    public Batching {
        check("recipients-per-message", recipientsPerMessage);
        check("messages-per-connection", messagesPerConnection);
    }

    public static Batching of(int recipientsPerMessage, int messagesPerConnection) {
        return new Batching(OptionalInt.of(recipientsPerMessage), OptionalInt.of(messagesPerConnection));
    }

    /**
     * @throws IllegalArgumentException naming the option, unless the text is a whole number from 1 to {@value #MAX}
     */
    public static int parseCount(String option, String text) {
        try {
            return parseCount(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException unless the text is a whole number from 1 to {@value #MAX} */
    public static int parseCount(String text) {
        try {
            int count = Integer.parseInt(text.trim());
            if (count >= 1 && count <= MAX) {
                return count;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("'" + text + "' should be a whole number from 1 to " + MAX);
    }

    private static void check(String option, OptionalInt count) {
        if (count.isPresent()) {
            parseCount(option, String.valueOf(count.getAsInt()));
        }
    }

    public Batching withRecipientsPerMessage(int count) {
        return new Batching(OptionalInt.of(count), messagesPerConnection);
    }

    public Batching withMessagesPerConnection(int count) {
        return new Batching(recipientsPerMessage, OptionalInt.of(count));
    }

    /** This batching, what it leaves out taken from {@code defaults}. */
    public Batching orElse(Batching defaults) {
        return new Batching(recipientsPerMessage.isPresent() ? recipientsPerMessage : defaults.recipientsPerMessage,
            messagesPerConnection.isPresent() ? messagesPerConnection : defaults.messagesPerConnection);
    }

    public boolean isEmpty() {
        return recipientsPerMessage.isEmpty() && messagesPerConnection.isEmpty();
    }

    /** As routes.conf options: {@code recipients-per-message=50 messages-per-connection=20} (empty when none is set). */
    public String asOptions() {
        StringBuilder text = new StringBuilder();
        recipientsPerMessage.ifPresent(count -> text.append("recipients-per-message=").append(count));
        messagesPerConnection.ifPresent(count -> text.append(text.length() > 0 ? " " : "").append("messages-per-connection=").append(count));
        return text.toString();
    }
}
