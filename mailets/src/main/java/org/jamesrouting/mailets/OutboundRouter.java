package org.jamesrouting.mailets;

import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.X509TrustManager;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.jamesrouting.smtpclient.ConnectionPool;
import org.jamesrouting.delivery.DeliveryAttributes;
import org.jamesrouting.nexthop.DeliveryPlan;
import org.jamesrouting.delivery.DeliveryStats;
import org.jamesrouting.delivery.MailContexts;
import org.jamesrouting.schedule.DestinationLimits;
import org.jamesrouting.bounce.DsnComposer;
import org.jamesrouting.smtpclient.DsnRequest;
import org.jamesrouting.delivery.Envelope;
import org.jamesrouting.nexthop.HopGroup;
import org.jamesrouting.nexthop.NextHopPlanner;
import org.jamesrouting.delivery.OutboundConfiguration;
import org.jamesrouting.delivery.OutboundDelivery;
import org.jamesrouting.schedule.QueueEntryTracker;
import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.schedule.RetrySchedule;
import org.jamesrouting.smtpclient.SevenBitConverter;
import org.jamesrouting.mtasts.HttpsPolicyFetcher;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.smtpclient.SmtpClientSettings;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.DnsjavaMailDns;
import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.route.MessageContext;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.Route;
import org.jamesrouting.route.RoutingTable;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.delivery.RouterRuntime;
import org.jamesrouting.route.StaticRoutesParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The outbound router, in place of James's RemoteDelivery: every remote recipient's mail goes
 * through James's {@code outgoing} mail queue to the first route of {@code routes} that matches,
 * else the smart host (then its backup), else the recipient domain's MX through the chosen DNS
 * servers. Deferred recipients are queued again on the retry schedule; failed ones get a DSN
 * (RFC 3464) with the remote server's reply. See conf/mailetcontainer.xml for every parameter.
 */
public class OutboundRouter extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(OutboundRouter.class);

    public static final AttributeName FIRST_ATTEMPT = DeliveryAttributes.FIRST_ATTEMPT;
    public static final AttributeName ATTEMPTS = DeliveryAttributes.ATTEMPTS;
    static final String FAILED_REPOSITORY_PARAMETER = "failedRepository";
    static final String ARCHIVE_COPY_TO = "archiveCopyTo";
    static final String ARCHIVE_PATTERN = "archivePattern";
    static final String DEFAULT_FAILED_REPOSITORY = "memory://var/mail/outbound-failed/";

    private final MailQueueFactory<?> queueFactory;
    private final FileSystem fileSystem;
    private final MailRepositoryStore repositoryStore;
    private final RoutingTables tables;
    private final RouterRuntime runtime;
    private final DomainNameCache dnsCache;
    private final DnsPins pins;
    private final Clock clock = Clock.systemUTC();

    private OutboundConfiguration configuration;
    private NextHopPlanner planner;
    private OutboundDelivery delivery;
    private MailQueue queue;
    private Scheduler scheduler;
    private Scheduler dequeueScheduler;
    private Disposable dequeuing;
    /** Set when the server stops: a dequeue interrupted by the stop is not an error. */
    private volatile boolean stopping;
    private MailRepositoryUrl failedRepository;
    private MailRepositoryUrl poisonRepository;
    private ConnectionPool connectionPool;
    private final QueueEntryTracker entries = new QueueEntryTracker(100_000);
    /** The cached MTA-STS policies, under James's working directory. */
    static final String MTA_STS_FILE = "var/routing/mta-sts-policies.json";
    /** The policies kept at most (least recently used leave first). */
    static final int MTA_STS_DOMAINS = 10_000;
    /** The whole HTTPS fetch of one policy, at most. */
    static final Duration MTA_STS_TIMEOUT = Duration.ofSeconds(10);
    /** How long mail for a destination at its concurrency limit waits before it is dequeued again. */
    static final Duration LIMIT_WAIT = Duration.ofSeconds(2);
    /** How long a delivery waits on its thread for a slot of a quick destination (see DestinationLimits) before it goes back to the queue. */
    static final Duration SLOT_PATIENCE = Duration.ofSeconds(1);
    /** A destination whose latest outcome is a deferral this recent gets new mail through the queue, not from the spool. */
    static final Duration DEFERRING_WINDOW = Duration.ofMinutes(1);
    /** First attempts made on spool threads at once (at most {@code immediateDeliveries}); null when there are none. */
    private Semaphore immediateSlots;
    private DestinationLimits limits;
    private final DeliveryStats stats = new DeliveryStats(clock);
    private Disposable idleReaper;
    private Optional<OutboundArchive> archive = Optional.empty();

    @Inject
    public OutboundRouter(MailQueueFactory<?> queueFactory, FileSystem fileSystem, MailRepositoryStore repositoryStore,
                          RoutingTables tables, RouterRuntime runtime, DomainNameCache dnsCache, DnsPins pins) {
        this.queueFactory = queueFactory;
        this.fileSystem = fileSystem;
        this.repositoryStore = repositoryStore;
        this.tables = tables;
        this.runtime = runtime;
        this.dnsCache = dnsCache;
        this.pins = pins;
    }

    @Override
    public void init() throws MessagingException {
        Set<String> allowed = new HashSet<>(OutboundConfiguration.PARAMETERS);
        allowed.add(FAILED_REPOSITORY_PARAMETER);
        allowed.add(ARCHIVE_COPY_TO);
        allowed.add(ARCHIVE_PATTERN);
        checkInitParameters(ImmutableSet.copyOf(allowed));
        try {
            configuration = OutboundConfiguration.parse(name -> Optional.ofNullable(getInitParameter(name)),
                StaticRoutesParser.SecretSource.SYSTEM, localHostName());
            Optional<String> routesFile = configuration.routesFile();
            tables.useStaticSource(() -> routesFile.map(this::readRoutes).orElse(List.of()));
            failedRepository = MailRepositoryUrl.from(getInitParameter(FAILED_REPOSITORY_PARAMETER, DEFAULT_FAILED_REPOSITORY));
            poisonRepository = MailRepositoryUrl.from(configuration.poisonRepository());
            archive = OutboundArchive.parse(Optional.ofNullable(getInitParameter(ARCHIVE_COPY_TO)),
                Optional.ofNullable(getInitParameter(ARCHIVE_PATTERN)));
            planner = new NextHopPlanner(configuration.smarthost(), configuration.backup(), configuration.mxTlsPolicy());
            SmtpClientSettings settings = new SmtpClientSettings(configuration.heloName(), configuration.connectTimeout(),
                configuration.commandTimeout(), Duration.ofMinutes(10), trustStore(), configuration.verifyServerIdentity());
            DnsjavaMailDns dns = new DnsjavaMailDns(configuration.dnsServers(), configuration.dnsTimeout(),
                dnsCache, Duration.ofMinutes(5), new Random());
            limits = new DestinationLimits(configuration.destinationConcurrency());
            connectionPool = new ConnectionPool(Duration.ofSeconds(10), 100, clock);
            Optional<MtaStsPolicies> mtaSts = configuration.mtaSts()
                ? Optional.of(new MtaStsPolicies(dns, new HttpsPolicyFetcher(dns, settings.trust(), configuration.mtaStsPort(), MTA_STS_TIMEOUT),
                    Optional.of(workingDirectory().resolve(MTA_STS_FILE)), clock, MTA_STS_DOMAINS))
                : Optional.empty();
            delivery = new OutboundDelivery(dns, pins, settings, configuration.mxPort(), connectionPool, stats, mtaSts);
            runtime.register(new RouterRuntime.Active(configuration, planner, dns, dnsCache, limits, stats, settings, mtaSts));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet OutboundRouter in mailetcontainer.xml: " + e.getMessage(), e);
        }
        queue = queueFactory.createQueue(MailQueueName.of(configuration.outgoingQueue()));
        int threads = configuration.deliveryThreads();
        immediateSlots = configuration.immediateDeliveries() > 0 ? new Semaphore(configuration.immediateDeliveries()) : null;
        scheduler = Schedulers.newBoundedElastic(threads, 100_000, "james-routing-delivery");
        dequeueScheduler = Schedulers.newSingle("james-routing-dequeue");
        // A JMS (durable) queue polls on the subscribing thread: never James's start-up thread.
        // Every receive from the queue on the one dequeue thread (requests included: without
        // "requestOnSeparateThread" James's JMS queue would poll, for up to 10 s, on whichever
        // delivery thread asked for more); a failure to dequeue is logged and retried, never the
        // end of outbound delivery.
        Flux<MailQueue.MailQueueItem> items = Flux.from(queue.deQueue())
            .subscribeOn(dequeueScheduler, true)
            .doOnError(error -> {
                if (stopping) {
                    LOGGER.debug("Outbound router: dequeue interrupted by the server's stop", error);
                } else {
                    LOGGER.error("Outbound router: cannot take mail from queue {}; trying again in 1 s", configuration.outgoingQueue(), error);
                }
            })
            .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofSeconds(1)));
        dequeuing = items
            .flatMap(item -> Mono.fromRunnable(() -> process(item)).subscribeOn(scheduler)
                .onErrorResume(error -> {
                    LOGGER.error("Outbound router: unexpected error while delivering", error);
                    return Mono.empty();
                }), threads)
            .subscribe(any -> { }, error -> LOGGER.error("Outbound router: delivery stopped", error));
        idleReaper = Flux.interval(Duration.ofSeconds(5)).subscribe(tick -> connectionPool.closeIdle());
        LOGGER.info("Outbound router: {} static route(s), smart host {}, backup {}, DNS servers {}, MX port {}, {} delivery threads, "
                + "{} at most per destination, {} first attempts at once from the spool", tables.staticCount(), configuration.smarthost().map(Object::toString).orElse("none"),
            configuration.backup().map(Object::toString).orElse("none"), configuration.dnsServers(), configuration.mxPort(), threads,
            configuration.destinationConcurrency(), configuration.immediateDeliveries());
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
    private X509TrustManager trustStore() {
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

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getRecipients().isEmpty()) {
            mail.setState(Mail.GHOST);
            return;
        }
        if (mail.getAttribute(FIRST_ATTEMPT).isEmpty()) {
            mail.setAttribute(new Attribute(FIRST_ATTEMPT, AttributeValue.of(clock.millis())));
        }
        boolean firstAttempt = mail.getAttribute(ATTEMPTS).isEmpty();
        if (firstAttempt && immediateSlots != null && immediateSlots.tryAcquire()) {
            try {
                deliverFromSpool(mail);
            } finally {
                immediateSlots.release();
            }
        } else {
            queue.enQueue(mail);
        }
        mail.setState(Mail.GHOST);
    }

    /**
     * The first attempt, right here on the spool thread: the mail stays in the spool (James
     * acknowledges it only once this returns), and only what is not delivered now — deferred,
     * or for a destination that is full or deferring — goes on to the outgoing queue. This saves
     * every message delivered at once a second durable enqueue and dequeue.
     */
    private void deliverFromSpool(Mail mail) throws MessagingException {
        try {
            deliver(mail, true);
        } catch (Exception e) {
            LOGGER.error("Outbound router: the first attempt of {} failed unexpectedly; it goes to queue {}", mail.getName(),
                configuration.outgoingQueue(), e);
            entries.released(mail.getName());
            queue.enQueue(mail);
        }
    }

    private void process(MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        try {
            deliver(mail, false);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception | Error e) {
            entries.released(mail.getName());
            poisoned(item, mail, e);
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    /**
     * Processing threw: the mail is queued again after a wait that doubles, and parked in
     * {@code poisonRepository} (with the error) after {@code poisonAfter} failures; it never goes
     * back to the broker's redelivery, whose end is a dead-letter queue nobody reads. Only when
     * even that fails is the queue entry handed back to the broker, as a last resort.
     */
    private void poisoned(MailQueue.MailQueueItem item, Mail mail, Throwable error) {
        int failures = AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.PROCESSING_FAILURES, Integer.class).orElse(0) + 1;
        Optional<Duration> retry = configuration.poison().retryAfter(failures);
        try {
            mail.setAttribute(new Attribute(DeliveryAttributes.PROCESSING_FAILURES, AttributeValue.of(failures)));
            mail.setErrorMessage("processing failed " + failures + " time(s): " + error);
            if (retry.isPresent()) {
                LOGGER.error("Outbound router: processing {} failed ({} of {}); trying again in {}", mail.getName(), failures,
                    configuration.poison().parkAfter(), retry.get(), error);
                queue.enQueue(mail, retry.get());
            } else {
                repositoryStore.select(poisonRepository).store(mail);
                LOGGER.error("Outbound router: processing {} (Message-ID {}) failed {} times: parked in {} for the operator "
                    + "(bin/james-routing queue; queue flush parked puts it back)", mail.getName(), messageId(mail), failures,
                    poisonRepository.asString(), error);
            }
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception | Error e) {
            LOGGER.error("Outbound router: cannot requeue or park {}: the queue keeps it", mail.getName(), e);
            try {
                item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
            } catch (MailQueue.MailQueueException ex) {
                LOGGER.error("Outbound router: cannot hand {} back to the queue", mail.getName(), ex);
            }
        }
    }

    private static String messageId(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage().getMessageID()).orElse("none");
        } catch (MessagingException | RuntimeException e) {
            return "unreadable";
        }
    }

    /** @param fromSpool a first attempt on a spool thread, rather than mail taken from the outgoing queue */
    private void deliver(Mail mail, boolean fromSpool) throws MessagingException {
        int previousAttempts = AttributeUtils.getValueAndCastFromMail(mail, ATTEMPTS, Integer.class).orElse(0);
        if (!entries.claim(mail.getName(), previousAttempts)) {
            LOGGER.info("Dropped a duplicate queue entry of {} (attempt {}): already handled or being handled",
                mail.getName(), previousAttempts + 1);
            return;
        }
        int hops = receivedHeaders(mail.getMessage());
        if (hops > configuration.maxHops()) {
            List<RecipientOutcome> looping = mail.getRecipients().stream()
                .map(recipient -> new RecipientOutcome(recipient.asString(), RecipientOutcome.Kind.PERMANENT, "5.4.6",
                    "too many hops: " + hops + " Received: headers, more than " + configuration.maxHops() + " (a mail loop)",
                    Optional.empty(), false))
                .toList();
            LOGGER.info("Bounced {} (Message-ID {}) for {}: too many hops ({} Received: headers, more than maxHops {})", mail.getName(),
                mail.getMessage().getMessageID(), recipients(looping), hops, configuration.maxHops());
            Instant now = clock.instant();
            bounceOrPark(mail, looping, AttributeUtils.getValueAndCastFromMail(mail, FIRST_ATTEMPT, Long.class).map(Instant::ofEpochMilli)
                .orElse(now), now);
            entries.finished(mail.getName());
            return;
        }
        RoutingTable table = tables.current();
        MessageContext context = MailContexts.of(mail);
        Map<List<HopGroup>, List<String>> byPlan = new LinkedHashMap<>();
        Map<List<HopGroup>, DeliveryPlan> plans = new LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            RoutingAddress address = RoutingAddress.of(recipient);
            DeliveryPlan plan = planner.plan(address, table.resolve(address, context));
            plans.putIfAbsent(plan.groups(), plan);
            byPlan.computeIfAbsent(plan.groups(), any -> new ArrayList<>()).add(recipient.asString());
        }
        MimeMessage message = mail.getMessage();
        String messageId = Optional.ofNullable(message.getMessageID()).orElse("none");
        long size = mail.getMessageSize();
        Envelope envelope = new Envelope(mail.getName(), messageId, mail.getMaybeSender().asString(""),
            size > 0 ? OptionalLong.of(size) : OptionalLong.empty(), DsnRequests.of(mail), (out, eightBitAllowed) -> {
                try {
                    if (eightBitAllowed || !SevenBitConverter.hasEightBit(message)) {
                        message.writeTo(out);
                    } else {
                        LOGGER.info("Converting {} to 7 bit: the receiving server lacks 8BITMIME", mail.getName());
                        SevenBitConverter.toSevenBit(message).writeTo(out);
                    }
                } catch (MessagingException e) {
                    throw new java.io.IOException("cannot read message " + mail.getName(), e);
                }
            });

        List<RecipientOutcome> failed = new ArrayList<>();
        List<RecipientOutcome> deferred = new ArrayList<>();
        List<RecipientOutcome> delivered = new ArrayList<>();
        List<RecipientOutcome> waiting = new ArrayList<>();
        boolean attempted = false;
        for (Map.Entry<List<HopGroup>, List<String>> group : byPlan.entrySet()) {
            DeliveryPlan plan = plans.get(group.getKey());
            String destination = DestinationLimits.destinationOf(plan);
            if (fromSpool && stats.deferringNow(destination, DEFERRING_WINDOW)) {
                LOGGER.info("{} deferred its latest mail: {} for {} goes to the queue without a try from the spool", destination,
                    mail.getName(), group.getValue());
                group.getValue().forEach(recipient -> waiting.add(notTried(recipient, "queued: the destination deferred its latest mail")));
                continue;
            }
            Optional<DestinationLimits.Permit> permit = limits.acquire(destination, SLOT_PATIENCE);
            if (permit.isEmpty()) {
                LOGGER.info("{} is at its limit ({} deliveries at once): {} for {} waits in the queue", destination,
                    limits.perDestination(), mail.getName(), group.getValue());
                group.getValue().forEach(recipient -> waiting.add(notTried(recipient, "waiting: the destination is at its concurrency limit")));
                continue;
            }
            if (!attempted && previousAttempts == 0) {
                stats.firstAttempt(fromSpool);
            }
            attempted = true;
            LOGGER.debug("Plan for {} of {}: {}", group.getValue(), mail.getName(), plan.reason());
            try (DestinationLimits.Permit held = permit.get()) {
                for (RecipientOutcome outcome : delivery.deliver(envelope, plan, group.getValue())) {
                    stats.record(destination, outcome);
                    switch (outcome.kind()) {
                        case PERMANENT -> failed.add(outcome);
                        case TEMPORARY -> deferred.add(outcome);
                        case DELIVERED -> delivered.add(outcome);
                    }
                }
            }
        }

        if (!delivered.isEmpty()) {
            archive.ifPresent(copies -> copies.copy(mail, delivered, getMailetContext()));
        }
        Instant now = clock.instant();
        Instant first = AttributeUtils.getValueAndCastFromMail(mail, FIRST_ATTEMPT, Long.class).map(Instant::ofEpochMilli).orElse(now);
        int attempts = previousAttempts + 1;
        if (!waiting.isEmpty()) {
            // the recipients not tried (their destination full, or deferring when tried from the
            // spool), with any deferred ones, come back soon: not trying is not an attempt; from
            // the spool, untried mail alone is taken from the queue at once
            List<RecipientOutcome> again = new ArrayList<>(deferred);
            again.addAll(waiting);
            requeue(mail, again, deferred.isEmpty() ? previousAttempts : attempts,
                fromSpool && deferred.isEmpty() ? Duration.ZERO : LIMIT_WAIT);
            deferred.clear();
            deferred.addAll(again);
        } else if (!deferred.isEmpty()) {
            boolean greylisted = deferred.stream().anyMatch(RetrySchedule::looksLikeGreylisting);
            Optional<Duration> delay = configuration.retries().nextDelay(attempts, first, now, greylisted);
            if (greylisted && delay.isPresent()) {
                LOGGER.info("{} looks greylisted by the remote server: next try in {} rather than on the long schedule", mail.getName(), delay.get());
            }
            if (delay.isPresent()) {
                requeue(mail, deferred, attempts, delay.get());
            } else {
                LOGGER.info("Giving up on {} for {} after {} attempt(s) since {}", mail.getName(), recipients(deferred), attempts, first);
                failed.addAll(deferred);
            }
        }
        if (!failed.isEmpty()) {
            bounceOrPark(mail, failed, first, now);
        }
        if (deferred.isEmpty() || failed.containsAll(deferred)) {
            entries.finished(mail.getName());
        }
    }

    private static RecipientOutcome notTried(String recipient, String why) {
        return new RecipientOutcome(recipient, RecipientOutcome.Kind.TEMPORARY, "4.4.5", why, Optional.empty(), false);
    }

    private void requeue(Mail mail, List<RecipientOutcome> deferred, int attempts, Duration delay) throws MessagingException {
        List<MailAddress> recipients = new ArrayList<>();
        for (RecipientOutcome outcome : deferred) {
            recipients.add(new MailAddress(outcome.recipient()));
        }
        mail.setRecipients(recipients);
        mail.setAttribute(new Attribute(ATTEMPTS, AttributeValue.of(attempts)));
        mail.setErrorMessage(deferred.get(0).status() + " " + deferred.get(0).diagnostic());
        entries.requeued(mail.getName(), attempts);
        if (delay.isZero()) {
            // without a delay: James's JMS queue gives it to the consumer waiting now (a
            // zero delay would be a due time after that consumer's selector, seen up to 10 s later)
            queue.enQueue(mail);
        } else {
            queue.enQueue(mail, delay);
        }
        LOGGER.info("Deferred {} for {} (attempt {}): {}; next try in {}", mail.getName(), recipients(deferred), attempts,
            deferred.get(0).diagnostic(), delay);
    }

    /**
     * The DSN (or the failed-mail copy for a null sender); when that cannot be done, a copy of
     * the mail for the failed recipients is parked in {@code poisonRepository} with the reason,
     * so that no DSN is lost while the deferred recipients are already queued again.
     */
    private void bounceOrPark(Mail mail, List<RecipientOutcome> failed, Instant first, Instant now) throws MessagingException {
        try {
            bounce(mail, failed, first, now);
        } catch (MessagingException | RuntimeException e) {
            MailImpl copy = copyFor(mail, failed);
            try {
                copy.setErrorMessage("failed for " + recipients(failed) + " (" + failed.get(0).status() + " " + failed.get(0).diagnostic()
                    + "), and the DSN could not be sent: " + e.getMessage());
                repositoryStore.select(poisonRepository).store(copy);
                LOGGER.error("Outbound router: no DSN could be sent for {} ({}): parked in {}", mail.getName(), recipients(failed),
                    poisonRepository.asString(), e);
            } catch (MailRepositoryStore.MailRepositoryStoreException | RuntimeException parkFailure) {
                e.addSuppressed(parkFailure);
                throw e;
            } finally {
                LifecycleUtil.dispose(copy);
            }
        }
    }

    /** A copy of the mail for the recipients of {@code outcomes} only. */
    private static MailImpl copyFor(Mail mail, List<RecipientOutcome> outcomes) throws MessagingException {
        MailImpl copy = MailImpl.duplicate(mail);
        List<MailAddress> recipients = new ArrayList<>();
        for (RecipientOutcome outcome : outcomes) {
            recipients.add(new MailAddress(outcome.recipient()));
        }
        copy.setRecipients(recipients);
        return copy;
    }

    private void bounce(Mail mail, List<RecipientOutcome> failed, Instant first, Instant now) throws MessagingException {
        MaybeSender sender = mail.getMaybeSender();
        if (sender.isNullSender()) {
            MailImpl copy = copyFor(mail, failed);
            try {
                copy.setErrorMessage(failed.get(0).status() + " " + failed.get(0).diagnostic());
                repositoryStore.select(failedRepository).store(copy);
                LOGGER.info("Failed {} for {} has a null sender (no DSN for a DSN): kept in {}", mail.getName(), recipients(failed),
                    failedRepository.asString());
            } catch (MailRepositoryStore.MailRepositoryStoreException e) {
                throw new MessagingException("cannot keep failed mail in " + failedRepository.asString(), e);
            } finally {
                LifecycleUtil.dispose(copy);
            }
            return;
        }
        DsnRequest request = DsnRequests.of(mail);
        List<RecipientOutcome> notified = failed.stream().filter(outcome -> request.wantsFailureNotice(outcome.recipient())).toList();
        if (notified.size() < failed.size()) {
            LOGGER.info("No DSN for {} of {}: the sender asked not to be notified of failures (NOTIFY)",
                recipients(failed.stream().filter(outcome -> !notified.contains(outcome)).toList()), mail.getName());
        }
        if (notified.isEmpty()) {
            return;
        }
        ZoneId zone = ZoneId.systemDefault();
        MimeMessage dsn = DsnComposer.compose(mail.getMessage(), sender.asString(), notified, request, configuration.heloName(),
            getMailetContext().getPostmaster().asString(), ZonedDateTime.ofInstant(first, zone), ZonedDateTime.ofInstant(now, zone));
        MailImpl dsnMail = MailImpl.builder()
            .name(mail.getName() + "-dsn-" + now.toEpochMilli())
            .sender(MaybeSender.nullSender())
            .addRecipient(sender.get())
            .mimeMessage(dsn)
            .build();
        try {
            getMailetContext().sendMail(dsnMail);
            LOGGER.info("DSN sent to {} for {} ({})", sender.asString(), mail.getName(), recipients(notified));
        } finally {
            LifecycleUtil.dispose(dsnMail);
        }
    }

    private static int receivedHeaders(MimeMessage message) throws MessagingException {
        String[] received = message.getHeader("Received");
        return received == null ? 0 : received.length;
    }

    private static String recipients(List<RecipientOutcome> outcomes) {
        return outcomes.stream().map(RecipientOutcome::recipient).toList().toString();
    }

    @Override
    public void destroy() {
        stopping = true;
        if (dequeuing != null) {
            dequeuing.dispose();
        }
        if (idleReaper != null) {
            idleReaper.dispose();
        }
        if (connectionPool != null) {
            connectionPool.close();
        }
        if (scheduler != null) {
            scheduler.dispose();
        }
        if (dequeueScheduler != null) {
            dequeueScheduler.dispose();
        }
    }

    @Override
    public String getMailetInfo() {
        return "james-routing outbound router";
    }
}
