package org.jamesrouting.smtpclient;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One SMTP reply: its code and text (lines of a multi-line reply joined with '\n'). */
public record SmtpReply(int code, String text) {
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    public boolean isPositive() {
        return code >= 200 && code < 400;
    }

    /** 4xx: try again later, or elsewhere. */
    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    /** 5xx: this will not work, here or anywhere. */
    public boolean isPermanent() {
        return code >= 500;
    }

    /** The RFC 3463 enhanced status code at the start of the text, e.g. 5.1.1. */
    public Optional<String> enhancedStatus() {
        Matcher matcher = ENHANCED.matcher(text);
        return matcher.find() ? Optional.of(matcher.group(1) + "." + matcher.group(2) + "." + matcher.group(3)) : Optional.empty();
    }

    /** The enhanced status, or one derived from the code (5.0.0, 4.0.0, 2.0.0). */
    public String status() {
        return enhancedStatus().orElse((code / 100) + ".0.0");
    }

    public String firstLine() {
        int newline = text.indexOf('\n');
        return code + " " + (newline < 0 ? text : text.substring(0, newline));
    }

    @Override
    public String toString() {
        return code + " " + text.replace("\n", " / ");
    }
}
