package org.jamesrouting.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import com.google.common.collect.Lists;
import org.apache.mailet.Mail;
import org.jamesrouting.delivery.DeliveryStats;
import org.jamesrouting.delivery.DsnRequests;
import org.jamesrouting.delivery.Envelope;
import org.jamesrouting.delivery.MailContexts;
import org.jamesrouting.delivery.OutboundDelivery;
import org.jamesrouting.delivery.RecipientOutcome;
import org.jamesrouting.nexthop.DeliveryPlan;
import org.jamesrouting.nexthop.NextHopPlanner;
import org.jamesrouting.route.Batching;
import org.jamesrouting.route.MessageContext;
import org.jamesrouting.route.Rate;
import org.jamesrouting.route.RetryRule;
import org.jamesrouting.route.RouteMatch;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.RoutingTable;
import org.jamesrouting.route.RoutingTables;
import org.jamesrouting.schedule.AfterAttempt;
import org.jamesrouting.schedule.DestinationLimits;
import org.jamesrouting.schedule.DestinationPolicy;
import org.jamesrouting.schedule.RateShaper;
import org.jamesrouting.smtpclient.SevenBitConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over the recipients of a message: each recipient resolved (route table, then the
 * planner's next hop), the recipients grouped by plan, and each group sent in one SMTP
 * transaction when its destination has room — or left waiting when it has none, or when it
 * deferred its latest mail and this is a first try from the spool. Says how every recipient
 * came out; what follows (retry, DSN) is {@link AfterAttempt}'s decision. Recipients whose
 * destination is on hold are not tried: they are handed back to be kept on hold.
 */
final class DeliveryPass {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryPass.class);
    /** How long a delivery waits on its thread for a slot of a quick destination (see DestinationLimits) before it goes back to the queue. */
    static final Duration SLOT_PATIENCE = Duration.ofSeconds(1);
    /** A destination whose latest outcome is a deferral this recent gets new mail through the queue, not from the spool. */
    static final Duration DEFERRING_WINDOW = Duration.ofMinutes(1);

    private final RoutingTables tables;
    private final NextHopPlanner planner;
    private final DestinationLimits limits;
    private final DeliveryStats stats;
    private final OutboundDelivery delivery;
    private final DestinationPolicy policy;
    private final RateShaper shaper;
    private final Batching batching;
    private final int maxHops;

    /**
     * How the recipients came out, those not tried because their destination is on hold (by
     * destination or MX set), and the rate slots given to recipients that wait for them in memory (by
     * rate budget: destination or MX set; {@code slotWaiting} of the recipients in {@code pass.waiting()} wait for one);
     * {@code shapedWait}: when every recipient not tried waits for a shaped destination without a
     * slot, about how long until the soonest slot.
     */
    record Outcome(AfterAttempt.Pass pass, Map<String, List<String>> held, Map<String, Instant> slots, int slotWaiting,
                   Optional<Duration> shapedWait, Map<String, Integer> full) {
        Outcome(AfterAttempt.Pass pass, Map<String, List<String>> held) {
            this(pass, held, Map.of(), 0, Optional.empty(), Map.of());
        }

        /**
         * The one destination at its concurrency limit that all the recipients not tried wait
         * for, when nothing else happened: the mail can wait in memory for a slot, unchanged.
         */
        Optional<String> onlyWaitsForOneDestination() {
            if (full.size() != 1 || !slots.isEmpty() || !held.isEmpty() || !pass.delivered().isEmpty() || !pass.deferred().isEmpty()
                || !pass.failed().isEmpty()) {
                return Optional.empty();
            }
            Map.Entry<String, Integer> only = full.entrySet().iterator().next();
            return only.getValue() == pass.waiting().size() ? Optional.of(only.getKey()) : Optional.empty();
        }

        /**
         * How soon the recipients not tried come back from the queue: {@code usual}, or, when all of
         * them wait for a shaped destination's slot beyond memory, shortly before that slot.
         */
        Duration waitingRetry(Duration usual) {
            if (shapedWait.isEmpty() || !slots.isEmpty()) {
                return usual;
            }
            Duration beforeTheSlot = shapedWait.get().minus(RateShaper.HORIZON.dividedBy(2));
            return beforeTheSlot.compareTo(usual) > 0 ? beforeTheSlot : usual;
        }

        /** Nothing happened but waiting for rate slots: the mail can wait for them in memory, unchanged. */
        boolean onlyWaitsForSlots() {
            return !slots.isEmpty() && slotWaiting == pass.waiting().size() && held.isEmpty() && pass.delivered().isEmpty()
                && pass.deferred().isEmpty() && pass.failed().isEmpty();
        }
    }

    /**
     * What a mail that waited in memory brings to its next pass: the rate slots it waited for,
     * and the concurrency slots handed to it (by destination); a pass closes those it does not use.
     */
    record Reserved(Map<String, Instant> slots, Map<String, DestinationLimits.Permit> permits) {
        static final Reserved NONE = new Reserved(Map.of(), Map.of());

        static Reserved slots(Map<String, Instant> slots) {
            return new Reserved(slots, Map.of());
        }

        static Reserved permit(String destination, DestinationLimits.Permit permit) {
            return new Reserved(Map.of(), Map.of(destination, permit));
        }

        boolean isEmpty() {
            return slots.isEmpty() && permits.isEmpty();
        }
    }

    DeliveryPass(RoutingTables tables, NextHopPlanner planner, DestinationLimits limits, DeliveryStats stats, OutboundDelivery delivery,
                 DestinationPolicy policy, RateShaper shaper, Batching batching, int maxHops) {
        this.batching = batching;
        this.policy = policy;
        this.shaper = shaper;
        this.tables = tables;
        this.planner = planner;
        this.limits = limits;
        this.stats = stats;
        this.delivery = delivery;
        this.maxHops = maxHops;
    }

    /**
     * @param fromSpool a first attempt on a spool thread, rather than mail taken from the outgoing queue
     * @param firstEver no attempt was made before this one
     * @param reserved what this mail waited for in memory: it goes now
     */
    Outcome run(Mail mail, boolean fromSpool, boolean firstEver, Reserved reserved) throws MessagingException {
        Map<String, DestinationLimits.Permit> handed = new LinkedHashMap<>(reserved.permits());
        try {
            return run(mail, fromSpool, firstEver, reserved.slots(), handed);
        } finally {
            handed.values().forEach(DestinationLimits.Permit::close); // not used: the slot goes on to the next
        }
    }

    private Outcome run(Mail mail, boolean fromSpool, boolean firstEver, Map<String, Instant> reserved,
                        Map<String, DestinationLimits.Permit> handed) throws MessagingException {
        int hops = receivedHeaders(mail.getMessage());
        if (hops > maxHops) {
            List<RecipientOutcome> looping = mail.getRecipients().stream()
                .map(recipient -> new RecipientOutcome(recipient.asString(), RecipientOutcome.Kind.PERMANENT, "5.4.6",
                    "too many hops: " + hops + " Received: headers, more than " + maxHops + " (a mail loop)", Optional.empty(), false))
                .toList();
            LOGGER.info("Bounced {} (Message-ID {}) for {}: too many hops ({} Received: headers, more than maxHops {})", mail.getName(),
                mail.getMessage().getMessageID(), looping.stream().map(RecipientOutcome::recipient).toList(), hops, maxHops);
            return new Outcome(new AfterAttempt.Pass(List.of(), List.of(), looping, List.of()), Map.of());
        }
        Map<List<Object>, Group> groups = group(mail);
        Envelope envelope = envelope(mail);
        List<RecipientOutcome> failed = new ArrayList<>();
        List<RecipientOutcome> deferred = new ArrayList<>();
        List<RecipientOutcome> delivered = new ArrayList<>();
        List<RecipientOutcome> waiting = new ArrayList<>();
        Map<String, List<String>> held = new LinkedHashMap<>();
        Map<String, RetryRule> rules = new LinkedHashMap<>();
        Map<String, Instant> slots = new LinkedHashMap<>();
        Map<String, Integer> full = new LinkedHashMap<>();
        int slotWaiting = 0;
        Optional<Duration> shapedWait = Optional.empty();
        int shapedWaiting = 0;
        boolean attempted = false;
        for (Group group : groups.values()) {
            if (!group.retry().isEmpty()) {
                group.recipients().forEach(recipient -> rules.put(recipient, group.retry()));
            }
            String destination = DestinationLimits.destinationOf(group.plan());
            // a route's hold holds its mail whatever its next hop (an mx route's destination is the recipient's MX)
            Optional<String> heldAs = group.route().filter(policy::isHeld).or(() -> policy.heldAs(destination));
            if (heldAs.isPresent()) {
                held.computeIfAbsent(heldAs.get(), any -> new ArrayList<>()).addAll(group.recipients());
                continue;
            }
            if (fromSpool && stats.deferringNow(destination, DEFERRING_WINDOW)) {
                LOGGER.info("{} deferred its latest mail: {} for {} goes to the queue without a try from the spool", destination,
                    mail.getName(), group.recipients());
                group.recipients().forEach(recipient -> waiting.add(notTried(recipient, "queued: the destination deferred its latest mail")));
                continue;
            }
            Optional<DestinationPolicy.Pace> shaped = group.rate().map(rate -> new DestinationPolicy.Pace(group.route().orElseThrow(), rate))
                .or(() -> policy.pace(destination));
            if (shaped.isPresent() && !reserved.containsKey(shaped.get().key())) {
                Rate rate = shaped.get().rate();
                String budget = shaped.get().key();
                RateShaper.Decision pace = slots.containsKey(budget) ? new RateShaper.WaitHere(slots.get(budget))
                    : shaper.ask(budget, rate, Instant.now(), !fromSpool);
                if (pace instanceof RateShaper.WaitHere here) {
                    slots.put(budget, here.slot());
                    slotWaiting += group.recipients().size();
                    group.recipients().forEach(recipient -> waiting.add(notTried(recipient, "waiting for its slot: the destination is "
                        + "shaped to " + rate.asString())));
                    continue;
                }
                if (pace instanceof RateShaper.WaitInQueue later) {
                    shapedWait = Optional.of(shapedWait.filter(known -> known.compareTo(later.about()) < 0).orElse(later.about()));
                    shapedWaiting += group.recipients().size();
                    LOGGER.debug("{} is shaped to {}: {} for {} waits in the queue (next slot in {})", budget, rate.asString(),
                        mail.getName(), group.recipients(), later.about());
                    group.recipients().forEach(recipient -> waiting.add(notTried(recipient, "waiting: the destination is shaped to "
                        + rate.asString())));
                    continue;
                }
            }
            Optional<DestinationLimits.Permit> permit = Optional.ofNullable(handed.remove(destination))
                .or(() -> fromSpool ? limits.acquire(destination, SLOT_PATIENCE) : limits.tryAcquire(destination));
            if (permit.isEmpty()) {
                LOGGER.debug("{} is at its limit ({} deliveries at once): {} for {} waits", destination, limits.perDestination(),
                    mail.getName(), group.recipients());
                full.merge(destination, group.recipients().size(), Integer::sum);
                group.recipients().forEach(recipient -> waiting.add(notTried(recipient, "waiting: the destination is at its concurrency limit")));
                continue;
            }
            if (!attempted && firstEver) {
                stats.firstAttempt(fromSpool);
            }
            attempted = true;
            LOGGER.debug("Plan for {} of {}: {}", group.recipients(), mail.getName(), group.plan().reason());
            try (DestinationLimits.Permit slot = permit.get()) {
                int perMessage = group.batching().recipientsPerMessage().getAsInt();
                int perConnection = group.batching().messagesPerConnection().getAsInt();
                for (List<String> transaction : Lists.partition(group.recipients(), perMessage)) {
                    for (RecipientOutcome outcome : delivery.deliver(envelope, group.plan(), transaction, perConnection)) {
                        stats.record(destination, outcome);
                        switch (outcome.kind()) {
                            case PERMANENT -> failed.add(outcome);
                            case TEMPORARY -> deferred.add(outcome);
                            case DELIVERED -> delivered.add(outcome);
                        }
                    }
                }
            }
        }
        return new Outcome(new AfterAttempt.Pass(delivered, deferred, failed, waiting, rules), held, slots, slotWaiting,
            shapedWaiting == waiting.size() ? shapedWait : Optional.empty(), full);
    }

    /**
     * Recipients that share a plan, and their route ({@code route <id>}: its hold and its rate
     * budget), its retry rule, rate and batching (the batching complete: what the route leaves
     * out is the OutboundRouter's).
     */
    private record Group(DeliveryPlan plan, Optional<String> route, RetryRule retry, Optional<Rate> rate, Batching batching,
                         List<String> recipients) {
    }

    /** The recipients by next hop (and retry rule): one transaction for those that share a plan. */
    private Map<List<Object>, Group> group(Mail mail) {
        RoutingTable table = tables.current();
        MessageContext context = MailContexts.of(mail);
        Map<List<Object>, Group> groups = new LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            RoutingAddress address = RoutingAddress.of(recipient);
            Optional<RouteMatch> match = table.resolve(address, context);
            DeliveryPlan plan = planner.plan(address, match);
            RetryRule retry = match.map(found -> found.route().retry()).orElse(RetryRule.NONE);
            Optional<Rate> rate = match.flatMap(found -> found.route().rate());
            Batching routeBatching = match.map(found -> found.route().batching()).orElse(Batching.NONE).orElse(batching);
            Optional<String> route = match.map(found -> "route " + found.route().id());
            groups.computeIfAbsent(List.of(plan.groups(), route, retry, rate, routeBatching),
                    any -> new Group(plan, route, retry, rate, routeBatching, new ArrayList<>()))
                .recipients().add(recipient.asString());
        }
        return groups;
    }

    private static Envelope envelope(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        String messageId = Optional.ofNullable(message.getMessageID()).orElse("none");
        long size = mail.getMessageSize();
        return new Envelope(mail.getName(), messageId, mail.getMaybeSender().asString(""),
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
    }

    private static RecipientOutcome notTried(String recipient, String why) {
        return new RecipientOutcome(recipient, RecipientOutcome.Kind.TEMPORARY, "4.4.5", why, Optional.empty(), false);
    }

    private static int receivedHeaders(MimeMessage message) throws MessagingException {
        String[] received = message.getHeader("Received");
        return received == null ? 0 : received.length;
    }
}
