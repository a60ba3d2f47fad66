package org.jamesrouting.route;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.Preconditions;

/**
 * One line of a routing table: mail for addresses matching {@link #pattern()}, when the message
 * also meets the route's {@link #conditions()} (sender, AUTH user, headers), goes to its
 * {@link #nextHop()} (its own hosts, tried in order, with the route's TLS mode and optional AUTH;
 * or an MX; or the default next hop), from its {@link #identity()}.
 */
public final class Route {
    public enum Source {
        STATIC, DYNAMIC;

        public String asString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final TlsMode DEFAULT_TLS = TlsMode.MAY;
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * @throws IllegalArgumentException unless the id is 1 to 64 letters, digits, '.', '_' or '-'
     */
    public static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id '" + id + "' should be letters, digits, '.', '_' or '-' (64 at most)");
        }
        return id;
    }

    /**
     * Credentials are only ever sent over TLS: a hop with credentials cannot have tls=none.
     *
     * @throws IllegalArgumentException saying so
     */
    public static void checkCredentialsNeedTls(TlsMode tls, Optional<RelayAuth> auth) {
        if (tls.dane()) {
            throw new IllegalArgumentException("tls=" + tls.asString() + " is for direct MX delivery (<mxTls>, <mxTlsPolicy>): "
                + "a relay host's TLSA records are not looked up; use tls=verify or secure");
        }
        if (auth.isPresent() && tls.level() == TlsMode.Level.NONE) {
            throw new IllegalArgumentException("tls=none with credentials (auth=" + auth.get().username()
                + "): credentials are only sent over TLS; use tls=may, verify or secure (or encrypt to accept an unverified certificate)");
        }
    }

    private final String id;
    private final Source source;
    private final AddressPattern pattern;
    private final NextHop nextHop;
    private final SourceIdentity identity;
    private final boolean verifyRecipients;
    private final TlsMode tls;
    private final Optional<RelayAuth> auth;
    private final boolean enabled;
    private final String comment;
    private final RouteConditions conditions;
    private final RetryRule retry;
    private final Optional<Rate> rate;
    private final Batching batching;

    private Route(Builder builder) {
        this.id = Objects.requireNonNull(builder.id, "id");
        this.source = Objects.requireNonNull(builder.source, "source");
        this.pattern = Objects.requireNonNull(builder.pattern, "pattern");
        Preconditions.checkArgument(builder.nextHop != null, "a route needs at least one mail host");
        this.nextHop = builder.nextHop;
        this.identity = builder.identity;
        this.verifyRecipients = builder.verifyRecipients;
        Preconditions.checkArgument(!verifyRecipients || nextHop.isHosts(), "verify=rcpt asks a route's own mail hosts: "
            + nextHop.asString() + " has none to ask");
        this.tls = builder.tls;
        this.auth = builder.auth;
        checkCredentialsNeedTls(tls, auth);
        Preconditions.checkArgument(auth.isEmpty() || nextHop.isHosts(), "credentials (auth=) are for a route's own mail hosts: "
            + nextHop.asString() + " logs in nowhere");
        this.enabled = builder.enabled;
        this.comment = builder.comment;
        this.conditions = builder.conditions;
        this.retry = builder.retry;
        this.rate = builder.rate;
        this.batching = builder.batching;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().id(id).source(source).pattern(pattern).nextHop(nextHop).identity(identity).verifyRecipients(verifyRecipients).tls(tls).auth(auth).enabled(enabled).comment(comment)
            .conditions(conditions).retry(retry).rate(rate).batching(batching);
    }

    public String id() {
        return id;
    }

    public Source source() {
        return source;
    }

    public AddressPattern pattern() {
        return pattern;
    }

    /** The route's own mail hosts; none for an {@code mx}, {@code mx:<domain>} or {@code default} route. */
    public List<MailHost> hosts() {
        return nextHop.hosts();
    }

    public NextHop nextHop() {
        return nextHop;
    }

    /** {@code verify=rcpt}: our SMTP server asks the route's server about each recipient at RCPT time. */
    public boolean verifyRecipients() {
        return verifyRecipients;
    }

    /** The local address and EHLO name of its connections ({@link SourceIdentity#DEFAULT}: the server's). */
    public SourceIdentity identity() {
        return identity;
    }

    public TlsMode tls() {
        return tls;
    }

    public Optional<RelayAuth> auth() {
        return auth;
    }

    public boolean enabled() {
        return enabled;
    }

    public String comment() {
        return comment;
    }

    public RouteConditions conditions() {
        return conditions;
    }

    /** The route's own retry delays and maximum age ({@link RetryRule#NONE}: the mailet's). */
    public RetryRule retry() {
        return retry;
    }

    /** How fast its mail may go ({@code rate=60/m}), when shaped. */
    public Optional<Rate> rate() {
        return rate;
    }

    /** Its own recipients per transaction and messages per connection ({@link Batching#NONE}: the OutboundRouter's). */
    public Batching batching() {
        return batching;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Route other && id.equals(other.id) && source == other.source && pattern.equals(other.pattern)
            && nextHop.equals(other.nextHop) && identity.equals(other.identity) && verifyRecipients == other.verifyRecipients && tls.equals(other.tls) && auth.equals(other.auth) && enabled == other.enabled
            && comment.equals(other.comment) && conditions.equals(other.conditions) && retry.equals(other.retry) && rate.equals(other.rate)
            && batching.equals(other.batching);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, source, pattern, nextHop, identity, verifyRecipients, tls, auth, enabled, comment, conditions, retry, rate, batching);
    }

    @Override
    public String toString() {
        return id + " " + pattern.asString() + " -> " + nextHop.asString() + (nextHop.choice().asOption().isEmpty() ? "" : " "
            + nextHop.choice().asOption()) + " tls=" + tls.describe()
            + (identity.isDefault() ? "" : " " + identity.asOptions()) + (verifyRecipients ? " verify=rcpt" : "")
            + auth.map(a -> " auth=" + a).orElse("") + (retry.isEmpty() ? "" : " " + retry.describe())
            + rate.map(shaped -> " rate=" + shaped.asString()).orElse("")
            + (batching.isEmpty() ? "" : " " + batching.asOptions())
            + (conditions.isEmpty() ? "" : " if " + conditions.describe())
            + (enabled ? "" : " (disabled)");
    }

    public static final class Builder {
        private String id;
        private Source source = Source.DYNAMIC;
        private AddressPattern pattern;
        private NextHop nextHop;
        private SourceIdentity identity = SourceIdentity.DEFAULT;
        private boolean verifyRecipients;
        private TlsMode tls = DEFAULT_TLS;
        private Optional<RelayAuth> auth = Optional.empty();
        private boolean enabled = true;
        private String comment = "";
        private RouteConditions conditions = RouteConditions.NONE;
        private RetryRule retry = RetryRule.NONE;
        private Optional<Rate> rate = Optional.empty();
        private Batching batching = Batching.NONE;

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder source(Source source) {
            this.source = source;
            return this;
        }

        public Builder pattern(AddressPattern pattern) {
            this.pattern = pattern;
            return this;
        }

        public Builder pattern(String pattern) {
            return pattern(AddressPattern.parse(pattern));
        }

        public Builder hosts(List<MailHost> hosts) {
            this.nextHop = NextHop.hosts(hosts);
            return this;
        }

        public Builder nextHop(NextHop nextHop) {
            this.nextHop = Objects.requireNonNull(nextHop);
            return this;
        }

        public Builder verifyRecipients(boolean verifyRecipients) {
            this.verifyRecipients = verifyRecipients;
            return this;
        }

        public Builder identity(SourceIdentity identity) {
            this.identity = Objects.requireNonNull(identity);
            return this;
        }

        public Builder hosts(String... hosts) {
            return hosts(java.util.Arrays.stream(hosts).map(host -> MailHost.parse(host, MailHost.SMTP_PORT)).toList());
        }

        public Builder tls(TlsMode tls) {
            this.tls = Objects.requireNonNull(tls);
            return this;
        }

        public Builder auth(Optional<RelayAuth> auth) {
            this.auth = Objects.requireNonNull(auth);
            return this;
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder comment(String comment) {
            this.comment = comment == null ? "" : comment;
            return this;
        }

        public Builder conditions(RouteConditions conditions) {
            this.conditions = Objects.requireNonNull(conditions);
            return this;
        }

        public Builder retry(RetryRule retry) {
            this.retry = Objects.requireNonNull(retry);
            return this;
        }

        public Builder rate(Optional<Rate> rate) {
            this.rate = Objects.requireNonNull(rate);
            return this;
        }

        public Builder batching(Batching batching) {
            this.batching = Objects.requireNonNull(batching);
            return this;
        }

        public Route build() {
            return new Route(this);
        }
    }
}
