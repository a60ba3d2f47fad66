package org.jamesrouting.delivery;

import org.jamesrouting.nexthop.DeliveryPlan;
import org.jamesrouting.nexthop.HopGroup;
import org.jamesrouting.nexthop.NextHops;
import org.jamesrouting.smtpclient.ConnectionPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamesrouting.smtpclient.SmtpClientSettings;
import org.jamesrouting.smtpclient.SmtpConnection;
import org.jamesrouting.smtpclient.SmtpFailure;
import org.jamesrouting.smtpclient.SmtpReply;
import org.jamesrouting.smtpclient.TlsSession;
import org.jamesrouting.tlsrpt.TlsSessionCounts;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.TlsaLookup;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.route.RelayAuth;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.TlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link DeliveryPlan} for a set of recipients: each hop group in order, each
 * host's addresses in order, one SMTP transaction per address for the recipients still
 * pending. A 2xx delivers a recipient, a 5xx fails it for good (no other hop is tried for it),
 * a 4xx or a host that cannot be reached leaves it for the next host, then for a later retry.
 * Every attempt is logged on one line.
 */
public final class OutboundDelivery {
    private static final Logger LOGGER = LoggerFactory.getLogger(OutboundDelivery.class);

    /** MX addresses tried per domain and attempt, at most (Postfix's smtp_mx_address_limit). */
    static final int MX_ADDRESS_LIMIT = 5;

    private final NextHops nextHops;
    private final SmtpClientSettings settings;
    private final int mxPort;
    private final ConnectionPool pool;
    private final DeliveryStats stats;
    private final Optional<MtaStsPolicies> mtaSts;
    private final Optional<TlsSessionCounts> tlsReports;

    public OutboundDelivery(MailDns dns, DnsPins pins, SmtpClientSettings settings, int mxPort, ConnectionPool pool, DeliveryStats stats) {
        this(dns, pins, settings, mxPort, pool, stats, Optional.empty());
    }

    public OutboundDelivery(MailDns dns, DnsPins pins, SmtpClientSettings settings, int mxPort, ConnectionPool pool, DeliveryStats stats,
                            Optional<MtaStsPolicies> mtaSts) {
        this(dns, pins, settings, mxPort, pool, stats, mtaSts, Optional.empty());
    }

    /**
     * @param mtaSts the MTA-STS policies of recipient domains; empty when MTA-STS is off
     * @param tlsReports where the TLS sessions of MX delivery are counted for TLS reports (RFC 8460)
     */
    public OutboundDelivery(MailDns dns, DnsPins pins, SmtpClientSettings settings, int mxPort, ConnectionPool pool, DeliveryStats stats,
                            Optional<MtaStsPolicies> mtaSts, Optional<TlsSessionCounts> tlsReports) {
        this.mtaSts = mtaSts;
        this.tlsReports = tlsReports;
        this.nextHops = new NextHops(dns, pins, mxPort, mtaSts,
            Optional.of(() -> 1 - java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
        this.settings = settings;
        this.mxPort = mxPort;
        this.pool = pool;
        this.stats = stats;
    }

    /** One address of a host of the expansion ({@link NextHops}): what one SMTP conversation connects to. */
    private record Target(NextHops.Host host, InetAddress address) {
        String hostName() {
            return host.name();
        }

        int port() {
            return host.port();
        }

        HopGroup group() {
            return host.group();
        }

        Optional<RelayAuth> auth() {
            return host.auth();
        }

        TlsMode tls() {
            return host.tls();
        }

        Optional<MtaStsPolicies.Finding> sts() {
            return host.sts();
        }

        List<TlsaLookup.Tlsa> dane() {
            return host.dane();
        }

        List<String> certificateNames() {
            return host.certificateNames();
        }

        String describe() {
            return group().via().asString() + " " + hostName() + " [" + address.getHostAddress() + "]:" + port()
                + sts().map(finding -> " under MTA-STS " + finding.policy().get().policy().mode().word()).orElse("");
        }
    }

    /** Running state of one delivery: outcomes so far and the last temporary reason. */
    private static final class Progress {
        final Map<String, RecipientOutcome> outcomes = new LinkedHashMap<>();
        final List<String> pending;
        String lastStatus = "4.4.1";
        String lastDiagnostic = "no mail host could be reached";
        Optional<String> lastRemote = Optional.empty();
        boolean lastIsRemoteReply = false;

        final int messagesPerConnection;

        Progress(List<String> recipients, int messagesPerConnection) {
            this.pending = new ArrayList<>(recipients);
            this.messagesPerConnection = messagesPerConnection;
        }

        void temporary(String status, String diagnostic, Optional<String> remote, boolean remoteReply) {
            lastStatus = status;
            lastDiagnostic = diagnostic;
            lastRemote = remote;
            lastIsRemoteReply = remoteReply;
        }

        void finish(String recipient, RecipientOutcome outcome) {
            outcomes.put(recipient, outcome);
            pending.remove(recipient);
        }

        void failAll(String status, String diagnostic, Optional<String> remote, boolean remoteReply) {
            for (String recipient : List.copyOf(pending)) {
                finish(recipient, new RecipientOutcome(recipient, RecipientOutcome.Kind.PERMANENT, status, diagnostic, remote, remoteReply));
            }
        }
    }

    /**
     * One SMTP transaction for the recipients (on the plan's first host that answers), on a kept
     * connection when there is one.
     *
     * @param messagesPerConnection a connection that has carried this many transactions is closed, not kept
     */
    public List<RecipientOutcome> deliver(Envelope envelope, DeliveryPlan plan, List<String> recipients, int messagesPerConnection) {
        Progress progress = new Progress(recipients, messagesPerConnection);
        groups:
        for (HopGroup group : plan.groups()) {
            if (progress.pending.isEmpty()) {
                break;
            }
            List<Target> targets = new ArrayList<>();
            NextHops.Expansion expansion = nextHops.expand(group);
            if (expansion instanceof NextHops.NoMail noMail) {
                progress.failAll(noMail.status(), noMail.diagnostic(), Optional.empty(), false);
                log(envelope, recipients, group.label(), noMail.shortReason(), "bounced", 0);
                break;
            }
            if (expansion instanceof NextHops.LookupFailed failed) {
                progress.temporary(failed.status(), failed.reason(), Optional.empty(), false);
                log(envelope, recipients, group.label(), failed.reason(), "deferred", 0);
                continue;
            }
            for (NextHops.Host host : ((NextHops.Hosts) expansion).hosts()) {
                if (host.skip().isPresent()) {
                    skipped(envelope, progress, group, host, host.skip().get());
                    continue;
                }
                for (InetAddress address : host.addresses()) {
                    targets.add(new Target(host, address));
                }
            }
            if (((NextHops.Hosts) expansion).fromMx() && targets.size() > MX_ADDRESS_LIMIT) {
                // a domain with 50 MX hosts does not hold a thread for 50 connection timeouts
                targets.subList(MX_ADDRESS_LIMIT, targets.size()).clear();
            }
            for (Target target : targets) {
                if (progress.pending.isEmpty()) {
                    break;
                }
                if (attempt(envelope, target, target.tls(), progress)) {
                    break groups;
                }
            }
        }
        for (String recipient : List.copyOf(progress.pending)) {
            progress.finish(recipient, new RecipientOutcome(recipient, RecipientOutcome.Kind.TEMPORARY, progress.lastStatus,
                progress.lastDiagnostic, progress.lastRemote, progress.lastIsRemoteReply));
        }
        List<RecipientOutcome> result = new ArrayList<>();
        for (String recipient : recipients) {
            result.add(progress.outcomes.get(recipient));
        }
        return result;
    }

    /** A host not tried: the reason becomes the recipients' temporary reason, is logged, and counted where it belongs. */
    private void skipped(Envelope envelope, Progress progress, HopGroup group, NextHops.Host host, NextHops.Skip skip) {
        if (skip.byDns()) {
            progress.temporary(skip.status(), skip.reason(), Optional.empty(), false);
            log(envelope, progress.pending, group.via().asString() + " " + host.name(), skip.brief(), "skipped", 0);
            return;
        }
        String why = skip.byDane() ? skip.reason() : "the MX host " + host.name() + " is " + skip.reason();
        progress.temporary(skip.status(), why, Optional.empty(), false);
        if (skip.byDane()) {
            stats.problem(group.destination(), skip.status() + " " + why);
        } else {
            mtaSts.get().failure(group.mxDomain().orElseThrow(), why);
        }
        log(envelope, progress.pending, group.via().asString() + " " + host.name(), why, "skipped (" + skip.by() + ")", 0);
    }

    /** One SMTP conversation with one address. True when the remaining recipients failed for good. */
    private boolean attempt(Envelope envelope, Target target, TlsMode tls, Progress progress) {
        return attemptOn(envelope, target, tls, progress, true).orElseGet(() -> {
            LOGGER.debug("Reused connection to {} was gone; {} goes on a new one", target.describe(), envelope.mailName());
            return attemptOn(envelope, target, tls, progress, false).orElseThrow();
        });
    }

    /**
     * The conversation on a connection of the pool ({@code pooled}) or a new one. Empty when a
     * connection reused unchecked was lost before the server answered anything of this
     * transaction, or the transaction ended without a word from the server: nothing can have
     * been accepted, nothing is recorded, try a new connection.
     */
    private Optional<Boolean> attemptOn(Envelope envelope, Target target, TlsMode tls, Progress progress, boolean pooled) {
        long start = System.nanoTime();
        List<String> recipients = List.copyOf(progress.pending);
        ConnectionPool.Key key = new ConnectionPool.Key(new InetSocketAddress(target.address(), target.port()), target.hostName(), tls,
            target.auth().map(RelayAuth::username), target.group().identity());
        ConnectionPool.Lease lease = null;
        boolean reusable = false;
        int repliesBefore = 0;
        try {
            Optional<ConnectionPool.Lease> idle = pooled ? pool.borrow(key) : Optional.empty();
            if (idle.isPresent()) {
                lease = idle.get();
            } else {
                SmtpConnection opened = SmtpConnection.open(key.address(), target.hostName(), tls, target.certificateNames(), target.dane(),
                    settings.from(target.group().identity()));
                lease = new ConnectionPool.Lease(opened, 0, false, false);
                countSession(target, tls, sessionFailure(target, opened.tlsSession()));
                if (target.auth().isPresent()) {
                    opened.authenticate(target.auth().get(), tls);
                }
            }
            SmtpConnection connection = lease.connection();
            repliesBefore = connection.repliesRead();
            SmtpConnection.Transaction transaction = connection.send(envelope.sender(), recipients, envelope.size(), envelope.dsn(), envelope.message());
            if (staleReuse(lease, repliesBefore, true)) {
                // refused by the client itself (SIZE) on what the server said in a session that
                // may be gone: decide on a new connection and what its server says now
                return Optional.empty();
            }
            reusable = true;
            Optional<String> protection = Optional.of(TlsSession.describe(connection.tlsSession()));
            boolean dsnPassedOn = connection.supports("DSN");
            target.sts().ifPresent(finding -> observe(finding, target, connection.tlsSession(), envelope, recipients));
            List<String> summary = new ArrayList<>();
            for (String recipient : recipients) {
                SmtpReply reply = transaction.outcomeFor(recipient);
                if (reply.isPositive()) {
                    progress.finish(recipient, new RecipientOutcome(recipient, RecipientOutcome.Kind.DELIVERED, reply.status(),
                        reply.firstLine(), Optional.of(target.hostName()), true, protection, dsnPassedOn));
                    summary.add(recipient + " delivered");
                } else if (reply.isPermanent()) {
                    progress.finish(recipient, new RecipientOutcome(recipient, RecipientOutcome.Kind.PERMANENT, reply.status(),
                        reply.firstLine(), Optional.of(target.hostName()), true, protection, dsnPassedOn));
                    summary.add(recipient + " bounced");
                } else {
                    progress.temporary(reply.status(), reply.firstLine(), Optional.of(target.hostName()), true);
                    summary.add(recipient + " deferred");
                }
            }
            log(envelope, recipients, target.describe() + " (" + protection.get() + ")"
                    + (lease.reused() ? " (reused connection)" : ""),
                transaction.dataReply().orElse(transaction.mailReply()).firstLine(), String.join(", ", summary), start);
            return Optional.of(false);
        } catch (SmtpFailure failure) {
            if (staleReuse(lease, repliesBefore, failure.kind() == SmtpFailure.Kind.CONNECTION && failure.reply().isEmpty())) {
                return Optional.empty();
            }
            String reason = failure.reply().map(SmtpReply::firstLine).orElse(failure.getMessage());
            if (failure.kind() == SmtpFailure.Kind.LOOP) {
                // as Postfix: a bounce, not a retry (the configuration or DNS sends the mail to us)
                String domain = RoutingAddress.parse(recipients.get(0)).domain();
                progress.failAll("5.4.6", "mail for " + domain + " loops back to myself (" + failure.getMessage() + ")",
                    Optional.empty(), false);
                log(envelope, recipients, target.describe(), failure.getMessage(), "bounced: mail for " + domain + " loops back to myself", start);
                return Optional.of(true);
            }
            if (failure.kind() == SmtpFailure.Kind.TLS) {
                countSession(target, tls, Optional.of(resultType(String.valueOf(failure.getMessage()))));
            }
            if (failure.kind() == SmtpFailure.Kind.TLS && target.sts().isPresent() && target.sts().get().enforced()) {
                mtaSts.get().failure(target.sts().get().policy().get().domain(), target.hostName() + ": " + failure.getMessage());
            }
            if (failure.isPermanent()) {
                SmtpReply reply = failure.reply().get();
                progress.failAll(reply.status(), reply.firstLine(), Optional.of(target.hostName()), true);
                log(envelope, recipients, target.describe(), reason, "bounced", start);
                return Optional.of(true);
            }
            if (failure.kind() == SmtpFailure.Kind.TLS && tls.level() == TlsMode.Level.MAY && !tls.implicit()
                && failure.reply().isEmpty() && target.auth().isEmpty()) {
                // RFC 7435: a handshake that fails (the certificate never does at this level) may
                // go plain; never for a hop with credentials
                log(envelope, recipients, target.describe(), failure.getMessage(), "opportunistic TLS failed, trying without TLS", start);
                return Optional.of(attempt(envelope, target, TlsMode.NONE, progress));
            }
            progress.temporary(statusOf(failure), failure.reply().map(SmtpReply::firstLine).orElse(failure.getMessage()),
                failure.reply().map(any -> target.hostName()), failure.reply().isPresent());
            stats.problem(target.group().destination(), statusOf(failure) + " " + reason);
            log(envelope, recipients, target.describe(), reason, "deferred, next host", start);
            return Optional.of(false);
        } catch (java.io.IOException | RuntimeException e) {
            if (staleReuse(lease, repliesBefore, e instanceof java.io.IOException)) {
                return Optional.empty();
            }
            progress.temporary("4.4.2", target.describe() + ": " + e, Optional.empty(), false);
            log(envelope, recipients, target.describe(), e.toString(), "deferred, next host", start);
            return Optional.of(false);
        } finally {
            if (lease != null) {
                if (reusable) {
                    pool.giveBack(key, lease, progress.messagesPerConnection);
                } else {
                    lease.connection().close();
                }
            }
        }
    }

    /**
     * Under an MTA-STS policy, counts the delivery; under testing, also says (log and counter)
     * when enforce would have refused it: a host the policy does not list, or TLS missing or
     * not verified for the host's name.
     */
    private void observe(MtaStsPolicies.Finding finding, Target target, Optional<TlsSession> tls, Envelope envelope, List<String> recipients) {
        MtaStsPolicies.Cached cached = finding.policy().get();
        String problem = null;
        if (!cached.policy().allows(target.hostName())) {
            problem = "the MX host " + target.hostName() + " is not in the policy";
        } else if (tls.isEmpty()) {
            problem = "no TLS";
        } else if (!tls.get().verified()) {
            problem = "TLS not verified" + tls.get().problem().map(reason -> " (" + reason + ")").orElse("");
        }
        if (problem == null) {
            mtaSts.get().delivered(cached.domain());
        } else {
            mtaSts.get().failure(cached.domain(), target.hostName() + ": " + problem);
            LOGGER.warn("MTA-STS testing policy of {}: {} to {} went out, but enforce would have refused it: {}", cached.domain(),
                envelope.mailName(), recipients, problem);
        }
    }

    /**
     * Counts a new session with an MX host for TLS reports: successful, or failed with RFC 8460's
     * result type; not when the hop asked for no TLS (tls=none, or plain after a failed
     * opportunistic handshake, which was counted as that failure).
     */
    private void countSession(Target target, TlsMode tls, Optional<String> failure) {
        if (tlsReports.isEmpty() || target.group().mxDomain().isEmpty() || tls.level() == TlsMode.Level.NONE) {
            return;
        }
        String domain = target.group().mxDomain().get();
        TlsSessionCounts.Policy policy;
        if (target.sts().isPresent()) {
            org.jamesrouting.mtasts.StsPolicy sts = target.sts().get().policy().get().policy();
            List<String> lines = new java.util.ArrayList<>(List.of("version: STSv1", "mode: " + sts.mode().word()));
            sts.mx().forEach(mx -> lines.add("mx: " + mx));
            lines.add("max_age: " + sts.maxAge().toSeconds());
            policy = new TlsSessionCounts.Policy(domain, "sts", lines, sts.mx());
        } else if (!target.dane().isEmpty()) {
            policy = new TlsSessionCounts.Policy(domain, "tlsa", target.dane().stream().map(TlsaLookup.Tlsa::describe).toList(), List.of());
        } else {
            policy = new TlsSessionCounts.Policy(domain, "no-policy-found", List.of(), List.of());
        }
        if (failure.isEmpty()) {
            tlsReports.get().success(policy);
        } else {
            tlsReports.get().failure(policy, new TlsSessionCounts.Failure(failure.get(), target.hostName(), target.address().getHostAddress()));
        }
    }

    /**
     * What a session that was set up lacked for TLS reporting: no TLS at all, or (under an MTA-STS
     * or DANE policy) a certificate that did not verify, or an MX host the MTA-STS policy does not
     * list (a testing policy lets such mail go, the report tells the domain).
     */
    private static Optional<String> sessionFailure(Target target, Optional<TlsSession> session) {
        if (session.isEmpty()) {
            return Optional.of("starttls-not-supported");
        }
        boolean underPolicy = target.sts().isPresent() || !target.dane().isEmpty();
        if (underPolicy && !session.get().verified()) {
            return Optional.of(resultType(session.get().problem().orElse("")));
        }
        if (target.sts().isPresent() && !target.sts().get().policy().get().policy().allows(target.hostName())) {
            return Optional.of("validation-failure");
        }
        return Optional.empty();
    }

    /** RFC 8460's result type of a TLS failure, from what the handshake or the certificate check said. */
    static String resultType(String message) {
        String text = message.toLowerCase(java.util.Locale.ROOT);
        if (text.contains("starttls")) {
            return "starttls-not-supported";
        }
        if (text.contains("expired") || text.contains("not yet valid")) {
            return "certificate-expired";
        }
        if (text.contains("name") || text.contains("host")) {
            return "certificate-host-mismatch";
        }
        if (text.contains("trust") || text.contains("pkix") || text.contains("self-signed") || text.contains("self signed")) {
            return "certificate-not-trusted";
        }
        return "validation-failure";
    }

    /** A connection reused without a check that ended (or was lost) before the server answered anything of this transaction. */
    private static boolean staleReuse(ConnectionPool.Lease lease, int repliesBefore, boolean sessionMayBeGone) {
        return sessionMayBeGone && lease != null && lease.unchecked() && lease.connection().repliesRead() == repliesBefore;
    }

    private static String statusOf(SmtpFailure failure) {
        if (failure.reply().isPresent()) {
            return failure.reply().get().status();
        }
        return switch (failure.kind()) {
            case TLS -> "4.7.5";
            case CREDENTIALS -> "4.7.11";
            case AUTH -> "4.7.8";
            case PROTOCOL -> "4.5.0";
            default -> "4.4.1";
        };
    }


    private static void log(Envelope envelope, List<String> recipients, String hop, String reply, String outcome, long startNanos) {
        long millis = startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1_000_000;
        LOGGER.info("Delivery of {} (Message-ID {}) from <{}> to {} via {}: {} -> {} ({} ms)",
            envelope.mailName(), envelope.messageId(), envelope.sender(), recipients, hop, reply, outcome, millis);
    }
}
