package org.jamesrouting.smtpserver;

import javax.mail.MessagingException;

import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP server hook (smtpserver.xml, before CoreCmdHandlerLoader): a message whose header
 * fields carry raw 8-bit text gets them RFC 2047-encoded before James queues it, see
 * {@link EightBitHeaders}. Never refuses a message: if the headers cannot be read, it goes on
 * as it came.
 */
public class EightBitHeaderHook implements JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(EightBitHeaderHook.class);

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        try {
            if (EightBitHeaders.encode(mail.getMessage())) {
                LOGGER.info("Mail {}: 8-bit header text encoded as RFC 2047 words", mail.getName());
            }
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("Mail {}: cannot read its headers to encode 8-bit text; kept as received", mail.getName(), e);
        }
        return HookResult.DECLINED;
    }
}
