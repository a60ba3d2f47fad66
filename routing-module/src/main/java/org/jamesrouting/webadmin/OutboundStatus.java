package org.jamesrouting.webadmin;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.jamesrouting.delivery.DeliveryAttributes;
import org.jamesrouting.delivery.DeliveryStats;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.engine.QueueControl;
import org.jamesrouting.engine.Running;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the outbound router is doing, for {@code GET /routing/status} and {@code /routing/queue}:
 * the outgoing queue read (browsed) and grouped by destination as the router would send it,
 * the deliveries in flight, the last minute's and hour's outcomes; and flushing the mail of one
 * destination (sent now instead of at its next retry).
 */
public class OutboundStatus {
    private static final Logger LOGGER = LoggerFactory.getLogger(OutboundStatus.class);
    /** Age columns of the queue view, as Postfix's qshape: mail older than each bound, in minutes. */
    static final int[] AGE_MINUTES = {5, 10, 20, 40, 80, 160, 320, 640, 1280};

    public record Counts(long delivered, long deferred, long bounced) {
        static Counts of(DeliveryStats.Counts counts) {
            return new Counts(counts.delivered(), counts.deferred(), counts.bounced());
        }
    }

    public record DestinationStatus(String destination, int inFlight, int queued, Counts lastMinute, Counts lastHour,
                                    String lastProblem, String lastProblemAt, String lastTls) {
    }

    public record Status(boolean running, int deliveryThreads, int destinationConcurrency, int immediateDeliveries, String queue,
                         int queued, int inFlight, int parked, DeliveryStats.FirstAttempts firstAttempts,
                         Counts lastMinute, Counts lastHour, List<DestinationStatus> destinations,
                         List<org.jamesrouting.dns.DnsServerPool.ServerStatus> dnsServers, Map<String, Integer> waitingForRateSlot,
                         Map<String, Integer> waitingForDeliverySlot) {
    }

    public record QueuedMail(String name, String sender, List<String> recipients, String destination, String nextDelivery,
                             int attempts, String firstAttempt, String reason) {
    }

    /** qshape: per destination, how many queued mails are older than 0, 5, 10, 20 ... minutes. */
    public record QueueShape(String destination, int total, List<Integer> olderThan) {
    }

    /** A mail parked after its processing failed again and again, or whose DSN could not be sent; {@code error}: why. */
    public record ParkedMail(String name, String sender, List<String> recipients, String error, String repository) {
    }

    /** The destination name that {@link #flush} takes for the parked mail. */
    public static final String PARKED = "parked";

    /**
     * {@code waitingInMemory}: mail taken from the queue that waits in memory for a rate slot or a
     * delivery slot (its queue entry kept until it is delivered: not in {@code mails}).
     */
    public record QueueView(String queue, List<Integer> ageMinutes, List<QueueShape> shape, List<QueuedMail> mails,
                            List<org.jamesrouting.engine.MemoryWaits.Entry> waitingInMemory,
                            List<org.jamesrouting.engine.HeldMail.Entry> held, List<ParkedMail> parked) {
    }

    private final MailQueueFactory<? extends ManageableMailQueue> queues;
    private final OutboundEngine engine;
    private final MailRepositoryStore repositories;

    @Inject
    public OutboundStatus(MailQueueFactory<? extends ManageableMailQueue> queues, OutboundEngine engine, MailRepositoryStore repositories) {
        this.repositories = repositories;
        this.queues = queues;
        this.engine = engine;
    }

    public Optional<Running> active() {
        return engine.running();
    }

    public Status status() throws Exception {
        Running active = engine.running().orElseThrow(() -> new IllegalStateException("the outbound router is not running"));
        List<QueuedMail> queued = queued(active);
        Map<String, Integer> queuedByDestination = new TreeMap<>();
        queued.forEach(mail -> queuedByDestination.merge(mail.destination(), 1, Integer::sum));
        Map<String, Integer> inFlight = active.limits().snapshot();
        Map<String, DeliveryStats.Destination> seen = new TreeMap<>();
        active.stats().destinations().forEach(destination -> seen.put(destination.name(), destination));
        Set<String> names = new java.util.TreeSet<>();
        names.addAll(seen.keySet());
        names.addAll(queuedByDestination.keySet());
        names.addAll(inFlight.keySet());
        List<DestinationStatus> destinations = new ArrayList<>();
        for (String name : names) {
            Optional<DeliveryStats.Destination> stats = Optional.ofNullable(seen.get(name));
            destinations.add(new DestinationStatus(name, inFlight.getOrDefault(name, 0), queuedByDestination.getOrDefault(name, 0),
                stats.map(s -> Counts.of(s.lastMinute())).orElse(new Counts(0, 0, 0)),
                stats.map(s -> Counts.of(s.lastHour())).orElse(new Counts(0, 0, 0)),
                stats.flatMap(DeliveryStats.Destination::lastProblem).orElse(null),
                stats.flatMap(DeliveryStats.Destination::lastProblemAt).map(Instant::toString).orElse(null),
                stats.flatMap(DeliveryStats.Destination::lastTls).orElse(null)));
        }
        return new Status(true, active.configuration().deliveryThreads(), active.configuration().destinationConcurrency(),
            active.configuration().immediateDeliveries(), active.configuration().outgoingQueue(), queued.size(),
            inFlight.values().stream().mapToInt(Integer::intValue).sum(), (int) parkedRepository(active).size(), active.stats().firstAttempts(),
            Counts.of(active.stats().total(true)), Counts.of(active.stats().total(false)), destinations, active.dns().servers(),
            new TreeMap<>(active.shaper().waiting()), new TreeMap<>(active.limits().queuedInMemory()));
    }

    public QueueView queue(Optional<String> destination) throws Exception {
        Running active = engine.running().orElseThrow(() -> new IllegalStateException("the outbound router is not running"));
        Instant now = Instant.now();
        List<QueuedMail> mails = queued(active).stream()
            .filter(mail -> destination.isEmpty() || mail.destination().equals(destination.get()))
            .toList();
        Map<String, int[]> shapes = new TreeMap<>();
        for (QueuedMail mail : mails) {
            int[] counts = shapes.computeIfAbsent(mail.destination(), any -> new int[AGE_MINUTES.length + 1]);
            long ageMinutes = mail.firstAttempt() == null ? 0 : Duration.between(Instant.parse(mail.firstAttempt()), now).toMinutes();
            counts[0]++;
            for (int i = 0; i < AGE_MINUTES.length; i++) {
                if (ageMinutes >= AGE_MINUTES[i]) {
                    counts[i + 1]++;
                }
            }
        }
        List<QueueShape> shape = new ArrayList<>();
        shapes.forEach((name, counts) -> {
            List<Integer> older = new ArrayList<>();
            for (int i = 1; i < counts.length; i++) {
                older.add(counts[i]);
            }
            shape.add(new QueueShape(name, counts[0], older));
        });
        List<Integer> ages = new ArrayList<>();
        for (int age : AGE_MINUTES) {
            ages.add(age);
        }
        List<org.jamesrouting.engine.HeldMail.Entry> held = control().held().list().stream()
            .filter(entry -> destination.isEmpty() || entry.heldFor().equals(destination.get()))
            .toList();
        List<org.jamesrouting.engine.MemoryWaits.Entry> waiting = engine.waitingInMemory().stream()
            .filter(entry -> destination.isEmpty() || entry.destination().equals(destination.get()))
            .toList();
        return new QueueView(active.configuration().outgoingQueue(), ages, shape, mails, waiting, held,
            destination.isEmpty() || destination.get().equals(PARKED) ? parked(active) : List.of());
    }

    /**
     * Sends the queued mail of one destination now: each is queued again without delay under a
     * new name, then its old entry removed (a crash in between means one extra delivery, never
     * a lost mail). Mail being delivered right now is left alone.
     *
     * @return how many were flushed
     */
    public int flush(String destination) throws Exception {
        Running active = engine.running().orElseThrow(() -> new IllegalStateException("the outbound router is not running"));
        if (destination.equals(PARKED)) {
            return releaseParked(active);
        }
        int flushed = control().retry(QueueControl.Selector.destination(destination)).done().size();
        LOGGER.info("Flushed {} queued mail(s) of {}", flushed, destination);
        return flushed;
    }

    private MailRepository parkedRepository(Running active) throws MailRepositoryStore.MailRepositoryStoreException {
        return repositories.select(MailRepositoryUrl.from(active.configuration().poisonRepository()));
    }

    private List<ParkedMail> parked(Running active) throws Exception {
        MailRepository repository = parkedRepository(active);
        List<ParkedMail> result = new ArrayList<>();
        java.util.Iterator<MailKey> keys = repository.list();
        while (keys.hasNext()) {
            Mail mail = repository.retrieve(keys.next());
            if (mail != null) {
                try {
                    result.add(new ParkedMail(mail.getName(), mail.getMaybeSender().asString("<>"),
                        mail.getRecipients().stream().map(MailAddress::asString).toList(), mail.getErrorMessage(),
                        active.configuration().poisonRepository()));
                } finally {
                    org.apache.james.lifecycle.api.LifecycleUtil.dispose(mail);
                }
            }
        }
        return result;
    }

    /** Parked mail back into the outgoing queue, its failure count cleared, then out of the repository. */
    private int releaseParked(Running active) throws Exception {
        MailRepository repository = parkedRepository(active);
        ManageableMailQueue queue = queue(active);
        List<MailKey> keys = new ArrayList<>();
        repository.list().forEachRemaining(keys::add);
        int released = 0;
        for (MailKey key : keys) {
            Mail mail = repository.retrieve(key);
            if (mail == null) {
                continue;
            }
            try {
                mail.removeAttribute(DeliveryAttributes.PROCESSING_FAILURES);
                queue.enQueue(mail);
                repository.remove(key);
                released++;
            } finally {
                org.apache.james.lifecycle.api.LifecycleUtil.dispose(mail);
            }
        }
        LOGGER.info("Released {} parked mail(s) from {} into {}", released, active.configuration().poisonRepository(),
            active.configuration().outgoingQueue());
        return released;
    }

    private ManageableMailQueue queue(Running active) {
        return queues.getQueue(MailQueueName.of(active.configuration().outgoingQueue()))
            .orElseThrow(() -> new IllegalStateException("no mail queue " + active.configuration().outgoingQueue()));
    }

    private QueueControl control() {
        return engine.control().orElseThrow(() -> new IllegalStateException("the outbound router is not running"));
    }

    private List<QueuedMail> queued(Running active) throws Exception {
        List<QueuedMail> result = new ArrayList<>();
        control().browse((view, destination) -> {
            Mail mail = view.getMail();
            Optional<Long> first = AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.FIRST_ATTEMPT, Long.class);
            result.add(new QueuedMail(mail.getName(), mail.getMaybeSender().asString("<>"),
                mail.getRecipients().stream().map(MailAddress::asString).toList(), destination,
                view.getNextDelivery().map(ZonedDateTime::toInstant).map(Instant::toString).orElse(null),
                AttributeUtils.getValueAndCastFromMail(mail, DeliveryAttributes.ATTEMPTS, Integer.class).orElse(0),
                first.map(Instant::ofEpochMilli).map(Instant::toString).orElse(null),
                mail.getErrorMessage()));
        });
        return result;
    }
}
