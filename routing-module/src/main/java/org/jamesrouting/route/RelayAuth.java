package org.jamesrouting.route;

import java.util.Objects;

/**
 * SMTP AUTH credentials for a mail host. The password never appears in {@link #toString()}, logs
 * or webadmin answers.
 */
public final class RelayAuth {
    private final String username;
    private final String password;

    public RelayAuth(String username, String password) {
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("empty AUTH user name");
        }
        this.username = username;
        this.password = Objects.requireNonNull(password, "password");
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayAuth other && username.equals(other.username) && password.equals(other.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, password);
    }

    @Override
    public String toString() {
        return username + ":****";
    }
}
