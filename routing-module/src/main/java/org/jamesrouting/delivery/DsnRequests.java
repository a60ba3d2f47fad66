package org.jamesrouting.delivery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.jamesrouting.smtpclient.DsnRequest;

/**
 * The DSN request (RFC 3461) James's SMTP server kept on a mail (its {@code DSN*Hook}s in
 * {@code conf/smtpserver.xml} store {@code RET}, {@code ENVID}, {@code NOTIFY} and {@code ORCPT}
 * as mail attributes), in the form our delivery passes on and our bounces read.
 */
public final class DsnRequests {
    private DsnRequests() {
    }

    public static DsnRequest of(Mail mail) {
        return mail.dsnParameters().map(DsnRequests::of).orElse(DsnRequest.NONE);
    }

    public static DsnRequest of(DsnParameters parameters) {
        Map<String, DsnRequest.Recipient> recipients = new LinkedHashMap<>();
        parameters.getRcptParameters().forEach((address, given) -> recipients.put(address.asString(), new DsnRequest.Recipient(
            given.getNotifyParameter().map(notify -> notify.stream().map(Enum::name).collect(Collectors.toSet())).orElse(Set.of()),
            given.getOrcptParameter().map(org.apache.james.core.MailAddress::asString))));
        return new DsnRequest(parameters.getRetParameter().map(Enum::name),
            parameters.getEnvIdParameter().map(DsnParameters.EnvId::asString), recipients);
    }

}
