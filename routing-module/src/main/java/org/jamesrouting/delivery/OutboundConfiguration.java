package org.jamesrouting.delivery;

import org.jamesrouting.nexthop.MxTlsPolicy;
import org.jamesrouting.route.Batching;
import org.jamesrouting.route.ErrorRetries;
import org.jamesrouting.schedule.DestinationRates;
import org.jamesrouting.schedule.PoisonPolicy;
import org.jamesrouting.schedule.RetrySchedule;
import org.jamesrouting.core.DurationText;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.jamesrouting.dns.DnsServers;
import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.StaticRoutesParser;
import org.jamesrouting.route.TlsMode;

/**
 * The outbound router's settings, from the OutboundRouter mailet's parameters. Every bad value
 * is refused with the parameter's name and the problem.
 */
public record OutboundConfiguration(String outgoingQueue, Optional<RelaySpec> smarthost, Optional<RelaySpec> backup,
                                    Optional<String> routesFile, String dnsServersText, List<InetSocketAddress> dnsServers,
                                    Duration dnsTimeout, int mxPort, TlsMode mxTls, RetrySchedule retries, int deliveryThreads,
                                    int destinationConcurrency, int immediateDeliveries, String heloName, Duration connectTimeout, Duration commandTimeout, Optional<String> truststore,
                                    String truststorePassword, boolean verifyServerIdentity, int maxHops,
                                    PoisonPolicy poison, String poisonRepository, MxTlsPolicy mxTlsPolicy,
                                    boolean mtaSts, int mtaStsPort, DestinationRates destinationRates,
                                    Batching batching) {
    public static final String DEFAULT_POISON_REPOSITORY = "memory://var/mail/outbound-poison/";
    /** As Exchange and Sendmail (Postfix's delay_warning_time is off by default): the sender hears after 4 hours. */
    public static final String DEFAULT_DELAY_WARNING = "4h";

    public static final Set<String> PARAMETERS = Set.of("outgoingQueue", "smarthost", "backup", "routes", "dnsServers", "dnsTimeout",
        "mxPort", "mxTls", "retrySchedule", "retryOn", "maxAge", "greylistRetry", "delayWarning", "deliveryThreads", "destinationConcurrency", "immediateDeliveries", "heloName", "connectTimeout", "commandTimeout",
        "truststore", "truststorePassword", "verifyServerIdentity", "maxHops", "poisonAfter",
        "poisonRetry", "poisonRepository", "mxTlsPolicy", "mtaSts", "mtaStsPort", "destinationRates",
        "recipientsPerMessage", "messagesPerConnection");
    /** Postfix's smtp_destination_recipient_limit. */
    public static final String DEFAULT_RECIPIENTS_PER_MESSAGE = "50";
    public static final String DEFAULT_MESSAGES_PER_CONNECTION = "100";

    /**
     * @param parameter a mailet parameter by name, empty when not given
     * @throws IllegalArgumentException "parameter: problem"
     */
    public static OutboundConfiguration parse(Function<String, Optional<String>> parameter, StaticRoutesParser.SecretSource secrets,
                                              String defaultHeloName) {
        StaticRoutesParser relays = new StaticRoutesParser(secrets);
        Optional<RelaySpec> smarthost = parameter.apply("smarthost").filter(text -> !text.isBlank())
            .map(text -> relays.parseRelay(text, "<smarthost>"));
        Optional<RelaySpec> backup = parameter.apply("backup").filter(text -> !text.isBlank())
            .map(text -> relays.parseRelay(text, "<backup>"));
        if (backup.isPresent() && smarthost.isEmpty()) {
            throw new IllegalArgumentException("<backup>: a backup mail server needs <smarthost>");
        }
        String dnsText = parameter.apply("dnsServers").orElse("auto");
        List<InetSocketAddress> dnsServers = named("dnsServers", () -> DnsServers.parse(dnsText));
        int mxPort = named("mxPort", () -> port(parameter.apply("mxPort").orElse("25")));
        RetrySchedule retries = named("retrySchedule", () -> new RetrySchedule(
            DurationText.parseList(parameter.apply("retrySchedule").orElse("5m, 15m, 30m, 1h, 2h, 4h")),
            named("maxAge", () -> DurationText.parse(parameter.apply("maxAge").orElse("5d"))),
            named("greylistRetry", () -> DurationText.parse(parameter.apply("greylistRetry").orElse("5m"))),
            named("delayWarning", () -> delayWarning(parameter.apply("delayWarning").orElse(DEFAULT_DELAY_WARNING))),
            named("retryOn", () -> ErrorRetries.parse(parameter.apply("retryOn").orElse("")))));
        int threads = named("deliveryThreads", () -> positive(parameter.apply("deliveryThreads").orElse("16")));
        int perDestination = named("destinationConcurrency", () -> positive(parameter.apply("destinationConcurrency")
            .orElse(String.valueOf(Math.max(1, threads / 2)))));
        if (perDestination > threads) {
            throw new IllegalArgumentException("<destinationConcurrency>: " + perDestination + " is more than <deliveryThreads> ("
                + threads + "), the limit for all destinations together");
        }
        TlsMode mxTls = named("mxTls", () -> TlsMode.parse(parameter.apply("mxTls").orElse("may")));
        int immediate = named("immediateDeliveries", () -> atLeast(parameter.apply("immediateDeliveries")
            .orElse(String.valueOf(perDestination)), 0));
        return new OutboundConfiguration(
            parameter.apply("outgoingQueue").orElse("outgoing"),
            smarthost, backup,
            parameter.apply("routes").filter(text -> !text.isBlank()).map(String::trim),
            dnsText, dnsServers,
            named("dnsTimeout", () -> DurationText.parse(parameter.apply("dnsTimeout").orElse("5s"))),
            mxPort,
            mxTls,
            retries, threads, perDestination, immediate,
            heloName(parameter.apply("heloName").filter(text -> !text.isBlank()).map(String::trim), defaultHeloName),
            named("connectTimeout", () -> DurationText.parse(parameter.apply("connectTimeout").orElse("30s"))),
            named("commandTimeout", () -> DurationText.parse(parameter.apply("commandTimeout").orElse("5m"))),
            parameter.apply("truststore").filter(text -> !text.isBlank()).map(String::trim),
            parameter.apply("truststorePassword").orElse(""),
            named("verifyServerIdentity", () -> bool(parameter.apply("verifyServerIdentity").orElse("true"))),
            named("maxHops", () -> positive(parameter.apply("maxHops").orElse("50"))),
            new PoisonPolicy(named("poisonAfter", () -> positive(parameter.apply("poisonAfter").orElse("5"))),
                named("poisonRetry", () -> DurationText.parse(parameter.apply("poisonRetry").orElse("1m")))),
            parameter.apply("poisonRepository").filter(text -> !text.isBlank()).map(String::trim).orElse(DEFAULT_POISON_REPOSITORY),
            named("mxTlsPolicy", () -> MxTlsPolicy.parse(mxTls, parameter.apply("mxTlsPolicy").orElse(""))),
            named("mtaSts", () -> bool(parameter.apply("mtaSts").orElse("true"))),
            named("mtaStsPort", () -> port(parameter.apply("mtaStsPort").orElse("443"))),
            named("destinationRates", () -> DestinationRates.parse(parameter.apply("destinationRates").orElse(""))),
            Batching.of(
                named("recipientsPerMessage", () -> Batching.parseCount(
                    parameter.apply("recipientsPerMessage").orElse(DEFAULT_RECIPIENTS_PER_MESSAGE))),
                named("messagesPerConnection", () -> Batching.parseCount(
                    parameter.apply("messagesPerConnection").orElse(DEFAULT_MESSAGES_PER_CONNECTION)))));
    }

    /**
     * The name of our EHLO and of the DSNs' Reporting-MTA: {@code <heloName>}, else this
     * machine's name; either way a fully qualified domain name, never {@code localhost} or a
     * bare host name, which receivers refuse or score as spam (Postfix refuses to start too).
     */
    static String heloName(Optional<String> given, String machineName) {
        if (given.isPresent()) {
            String name = given.get();
            if (!fullyQualified(name)) {
                throw new IllegalArgumentException("<heloName>: '" + name + "' is not a fully qualified domain name "
                    + "(write the name this server has in DNS, e.g. mail.example.com)");
            }
            return name;
        }
        if (!fullyQualified(machineName)) {
            throw new IllegalArgumentException("<heloName>: not set, and this machine's name '" + machineName + "' is not fully "
                + "qualified: set <heloName> to this server's name in DNS (the name its address resolves back to); receivers "
                + "refuse or score EHLO localhost or a bare host name");
        }
        return machineName;
    }

    private static boolean fullyQualified(String name) {
        if (name == null || com.google.common.net.InetAddresses.isInetAddress(name)) {
            return false;
        }
        try {
            String normalized = org.jamesrouting.core.DomainNames.normalize(name).asString();
            return normalized.contains(".") && !normalized.equals("localhost.localdomain") && !normalized.startsWith("localhost.");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static <T> T named(String parameter, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(message != null && message.startsWith("<") ? message : "<" + parameter + ">: " + message, e);
        }
    }

    /** A duration, or {@code off} (also {@code 0}) for no delay notice. */
    private static Optional<Duration> delayWarning(String text) {
        String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("off") || trimmed.equals("0")) {
            return Optional.empty();
        }
        return Optional.of(DurationText.parse(trimmed)).filter(warning -> !warning.isZero());
    }

    private static int port(String text) {
        int port = positive(text);
        if (port > 65535) {
            throw new IllegalArgumentException("'" + text + "' is not a port from 1 to 65535");
        }
        return port;
    }

    private static int positive(String text) {
        return atLeast(text, 1);
    }

    private static int atLeast(String text, int minimum) {
        try {
            int value = Integer.parseInt(text.trim());
            if (value < minimum) {
                throw new IllegalArgumentException("'" + text + "' should be " + minimum + " or more");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
        }
    }

    private static boolean bool(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' should be true or false");
        };
    }
}
