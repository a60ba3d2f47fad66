package org.jamesrouting.route;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a connection to a mail host is protected. */
public enum TlsMode {
    /** Plain SMTP; STARTTLS is not used even when offered. */
    NONE("none"),
    /** STARTTLS when the server offers it, plain otherwise (opportunistic). */
    STARTTLS("starttls"),
    /** STARTTLS or nothing: a server that does not offer it, or fails the handshake, is not sent to. */
    STARTTLS_REQUIRED("starttls-required"),
    /** TLS from the first byte (SMTPS, usually port 465). */
    IMPLICIT("implicit");

    private final String value;

    TlsMode(String value) {
        this.value = value;
    }

    public String asString() {
        return value;
    }

    public static TlsMode parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
            .filter(mode -> mode.value.equals(value))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a TLS mode; expected one of "
                + Arrays.stream(values()).map(TlsMode::asString).collect(Collectors.joining(", "))));
    }
}
