package org.jamesrouting.engine;

import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

import javax.inject.Inject;
import javax.net.ssl.X509TrustManager;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.mailet.MailetContext;
import org.jamesrouting.bounce.Bouncer;
import org.jamesrouting.delivery.DeliveryStats;
import org.jamesrouting.delivery.OutboundConfiguration;
import org.jamesrouting.delivery.OutboundDelivery;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.DnsjavaMailDns;
import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.mtasts.HttpsPolicyFetcher;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.nexthop.NextHops;
import org.jamesrouting.nexthop.NextHopPlanner;
import org.jamesrouting.route.Route;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.route.StaticRoutesParser;
import org.jamesrouting.schedule.DestinationPolicy;
import org.jamesrouting.tlsrpt.TlsReportSender;
import org.jamesrouting.tlsrpt.TlsSessionCounts;
import org.jamesrouting.schedule.DestinationLimits;
import org.jamesrouting.schedule.Holds;
import org.jamesrouting.schedule.RateShaper;
import org.jamesrouting.smtpclient.ConnectionPool;
import org.jamesrouting.smtpclient.SmtpClientSettings;

/**
 * Builds the engine's parts from the OutboundRouter mailet's parameters: the settings
 * ({@link OutboundConfiguration}), the static routes file, the trust store, DNS, the SMTP
 * client, MTA-STS, the repositories for failed and poisoned mail, the archive copy. A bad value
 * is an {@link IllegalArgumentException} naming the parameter (or file and line) and the problem.
 */
public class RouterSetup {
    static final String FAILED_REPOSITORY = "failedRepository";
    static final String ARCHIVE_COPY_TO = "archiveCopyTo";
    static final String ARCHIVE_PATTERN = "archivePattern";
    static final String HELD_REPOSITORY = "heldRepository";
    /** A file:// repository: held mail outlives a restart. */
    static final String DEFAULT_HELD_REPOSITORY = "file://var/mail/outbound-held/";
    static final String DEFAULT_FAILED_REPOSITORY = "memory://var/mail/outbound-failed/";
    /** Every parameter the OutboundRouter mailet takes. */
    static final Set<String> PARAMETERS;

    static {
        Set<String> all = new HashSet<>(OutboundConfiguration.PARAMETERS);
        all.addAll(List.of(FAILED_REPOSITORY, ARCHIVE_COPY_TO, ARCHIVE_PATTERN, HELD_REPOSITORY));
        PARAMETERS = Set.copyOf(all);
    }

    /** The cached MTA-STS policies, under James's working directory. */
    static final String MTA_STS_FILE = "var/routing/mta-sts-policies.json";
    /** The policies kept at most (least recently used leave first). */
    static final int MTA_STS_DOMAINS = 10_000;
    /** The whole HTTPS fetch of one policy, at most. */
    static final Duration MTA_STS_TIMEOUT = Duration.ofSeconds(10);

    private final FileSystem fileSystem;
    private final MailRepositoryStore repositories;
    private final RoutingTables tables;
    private final DomainNameCache dnsCache;
    private final DnsPins pins;
    private final Holds holds;

    @Inject
    public RouterSetup(FileSystem fileSystem, MailRepositoryStore repositories, RoutingTables tables, DomainNameCache dnsCache,
                       DnsPins pins, Holds holds) {
        this.holds = holds;
        this.fileSystem = fileSystem;
        this.repositories = repositories;
        this.tables = tables;
        this.dnsCache = dnsCache;
        this.pins = pins;
    }

    /** What the engine is started with. */
    record Built(Running view, DeliveryPass pass, Bouncer bouncer, Optional<OutboundArchive> archive, HeldMail held, RateShaper shaper) {
    }

    MailRepositoryStore repositories() {
        return repositories;
    }

    Built build(Function<String, Optional<String>> parameters, MailetContext context, Clock clock) {
        OutboundConfiguration configuration = OutboundConfiguration.parse(parameters, StaticRoutesParser.SecretSource.SYSTEM,
            localHostName());
        Optional<String> routesFile = configuration.routesFile();
        tables.useStaticSource(() -> routesFile.map(this::readRoutes).orElse(List.of()));
        MailRepositoryUrl failedRepository = MailRepositoryUrl.from(parameters.apply(FAILED_REPOSITORY).orElse(DEFAULT_FAILED_REPOSITORY));
        MailRepositoryUrl poisonRepository = MailRepositoryUrl.from(configuration.poisonRepository());
        Optional<OutboundArchive> archive = OutboundArchive.parse(parameters.apply(ARCHIVE_COPY_TO), parameters.apply(ARCHIVE_PATTERN));
        NextHopPlanner planner = new NextHopPlanner(configuration.smarthost(), configuration.backup(), configuration.mxTlsPolicy());
        SmtpClientSettings settings = new SmtpClientSettings(configuration.heloName(), configuration.connectTimeout(),
            configuration.commandTimeout(), Duration.ofMinutes(10), trustStore(configuration), configuration.verifyServerIdentity());
        DnsjavaMailDns dns = new DnsjavaMailDns(configuration.dnsServers(), configuration.dnsTimeout(), dnsCache, Duration.ofMinutes(5),
            new Random());
        DestinationLimits limits = new DestinationLimits(configuration.destinationConcurrency());
        ConnectionPool pool = new ConnectionPool(Duration.ofSeconds(10), clock);
        DeliveryStats stats = new DeliveryStats(clock);
        Optional<MtaStsPolicies> mtaSts = configuration.mtaSts()
            ? Optional.of(new MtaStsPolicies(dns, new HttpsPolicyFetcher(dns, settings.trust(), configuration.mtaStsPort(), MTA_STS_TIMEOUT),
                Optional.of(workingDirectory().resolve(MTA_STS_FILE)), clock, MTA_STS_DOMAINS))
            : Optional.empty();
        TlsSessionCounts tlsSessions = new TlsSessionCounts(clock);
        OutboundDelivery delivery = new OutboundDelivery(dns, pins, settings, configuration.mxPort(), pool, stats, mtaSts,
            Optional.of(tlsSessions));
        TlsReportSender tlsReports = new TlsReportSender(tlsSessions, dns, context, configuration.heloName(), settings.trust());
        RateShaper shaper = new RateShaper();
        NextHops nextHops = new NextHops(dns, pins, configuration.mxPort(), mtaSts);
        DestinationPolicy policy = new DestinationPolicy(holds, configuration.destinationRates(), nextHops::bestMxHost);
        Running view = new Running(configuration, planner, dns, dnsCache, limits, stats, settings, mtaSts, pool, shaper, policy, tlsReports);
        String heldRepository = parameters.apply(HELD_REPOSITORY).filter(text -> !text.isBlank()).orElse(DEFAULT_HELD_REPOSITORY);
        HeldMail held;
        try {
            held = new HeldMail(repositories.select(MailRepositoryUrl.from(heldRepository)), heldRepository, holds, clock);
        } catch (MailRepositoryStore.MailRepositoryStoreException | RuntimeException e) {
            throw new IllegalArgumentException("<" + HELD_REPOSITORY + ">: cannot open " + heldRepository + ": " + e.getMessage(), e);
        }
        return new Built(view, new DeliveryPass(tables, planner, limits, stats, delivery, policy, shaper,
            configuration.batching(), configuration.maxHops()),
            new Bouncer(repositories, failedRepository, poisonRepository, configuration.heloName(), context), archive, held, shaper);
    }

    private Path workingDirectory() {
        try {
            return Path.of(fileSystem.getBasedir().getPath());
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("James's working directory: " + e.getMessage(), e);
        }
    }

    /** A location as James's FileSystem takes it; a plain path is a file:// one (relative to the working directory). */
    private File file(String location) throws java.io.FileNotFoundException {
        return fileSystem.getFile(location.contains("://") ? location : "file://" + location);
    }

    private List<Route> readRoutes(String location) {
        try {
            File file = file(location);
            return new StaticRoutesParser(StaticRoutesParser.SecretSource.SYSTEM).parse(file.getPath(), Files.readString(file.toPath()));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("<routes>: cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    /** The certificate authorities our SMTP client trusts: <truststore>, else the JVM's. */
    private X509TrustManager trustStore(OutboundConfiguration configuration) {
        if (configuration.truststore().isEmpty()) {
            return SmtpClientSettings.trusting(null);
        }
        try {
            File file = file(configuration.truststore().get());
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            try (InputStream in = Files.newInputStream(file.toPath())) {
                store.load(in, configuration.truststorePassword().toCharArray());
            }
            return SmtpClientSettings.trusting(store);
        } catch (Exception e) {
            throw new IllegalArgumentException("<truststore>: cannot load " + configuration.truststore().orElse(null) + ": " + e.getMessage(), e);
        }
    }

    /** This machine's name as its resolver knows it (checked to be fully qualified before it is used in EHLO). */
    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
