package org.jamesrouting.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeUtility;

import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.jamesrouting.route.MessageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link MessageContext} of a James mail: envelope sender, SMTP AUTH user, headers (decoded, read when a condition asks). */
public final class MailContexts {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailContexts.class);

    private MailContexts() {
    }

    public static MessageContext of(Mail mail) {
        Optional<String> authUser = AttributeUtils.getValueAndCastFromMail(mail, Mail.SMTP_AUTH_USER, String.class);
        return new MessageContext(Optional.of(mail.getMaybeSender().asString("")), authUser, name -> {
            try {
                String[] values = mail.getMessage().getHeader(name);
                if (values == null) {
                    return List.of();
                }
                List<String> decoded = new ArrayList<>(values.length);
                for (String value : values) {
                    decoded.add(decode(value));
                }
                return decoded;
            } catch (MessagingException e) {
                LOGGER.warn("Cannot read header {} of {} for a route condition: {}", name, mail.getName(), e.getMessage());
                return List.of();
            }
        });
    }

    private static String decode(String value) {
        try {
            return MimeUtility.decodeText(MimeUtility.unfold(value));
        } catch (java.io.UnsupportedEncodingException e) {
            return value;
        }
    }
}
