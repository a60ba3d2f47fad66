package org.jamesrouting.cli;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** The text of {@code status} (top-like) and {@code queue} (qshape-like), from webadmin's JSON. */
final class OperatorViews {
    private OperatorViews() {
    }

    /** Rows of a table, first the header. */
    static List<List<String>> statusRows(JsonNode status) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("DESTINATION", "IN FLIGHT", "QUEUED", "DELIVERED 1m/1h", "DEFERRED 1m/1h", "BOUNCED 1m/1h", "TLS", "LAST PROBLEM"));
        for (JsonNode destination : status.path("destinations")) {
            JsonNode minute = destination.path("lastMinute");
            JsonNode hour = destination.path("lastHour");
            rows.add(List.of(destination.path("destination").asText(), destination.path("inFlight").asText(),
                destination.path("queued").asText(),
                minute.path("delivered").asText() + "/" + hour.path("delivered").asText(),
                minute.path("deferred").asText() + "/" + hour.path("deferred").asText(),
                minute.path("bounced").asText() + "/" + hour.path("bounced").asText(),
                destination.hasNonNull("lastTls") ? destination.get("lastTls").asText() : "-",
                destination.hasNonNull("lastProblem")
                    ? destination.get("lastProblem").asText() + " (" + destination.path("lastProblemAt").asText() + ")" : "-"));
        }
        return rows;
    }

    static String statusHeadline(JsonNode status) {
        JsonNode minute = status.path("lastMinute");
        JsonNode hour = status.path("lastHour");
        return "queue " + status.path("queue").asText() + ": " + status.path("queued").asText() + " queued, "
            + status.path("inFlight").asText() + " in flight, " + status.path("parked").asText("0") + " parked (" + status.path("deliveryThreads").asText() + " threads, "
            + status.path("destinationConcurrency").asText() + " per destination)\n"
            + "first attempts: " + status.path("firstAttempts").path("fromSpool").asText("0") + " straight from the spool (up to "
            + status.path("immediateDeliveries").asText() + " at once), " + status.path("firstAttempts").path("throughQueue").asText("0")
            + " through the queue\n"
            + "last minute: " + counts(minute) + "; last hour: " + counts(hour)
            + waiting("waiting in memory for their rate slot: ", status.path("waitingForRateSlot"))
            + waiting("waiting in memory for a delivery slot: ", status.path("waitingForDeliverySlot"))
            + dns(status.path("dnsServers"));
    }

    /** How many mails wait in memory, by destination, when some do. */
    private static String waiting(String title, JsonNode waiting) {
        List<String> parts = new ArrayList<>();
        waiting.fields().forEachRemaining(entry -> parts.add(entry.getKey() + " " + entry.getValue().asText()));
        return parts.isEmpty() ? "" : "\n" + title + String.join(", ", parts);
    }

    private static String dns(JsonNode servers) {
        StringBuilder text = new StringBuilder();
        for (JsonNode server : servers) {
            long queries = server.path("queries").asLong();
            long failures = server.path("failures").asLong();
            text.append("\nDNS ").append(server.path("server").asText()).append(": ").append(queries).append(" queries, ")
                .append(queries == 0 ? "-" : (100 * (queries - failures) / queries) + "% answered").append(", ")
                .append(server.path("averageMillis").asText()).append(" ms on average")
                .append(server.hasNonNull("skippedUntil") ? ", not answering: skipped until " + server.get("skippedUntil").asText() : "");
        }
        return text.toString();
    }

    private static String counts(JsonNode counts) {
        return counts.path("delivered").asText() + " delivered, " + counts.path("deferred").asText() + " deferred, "
            + counts.path("bounced").asText() + " bounced";
    }

    /** qshape: per destination, the total and how many are older than each age. */
    static List<List<String>> shapeRows(JsonNode queue) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("DESTINATION", "T"));
        queue.path("ageMinutes").forEach(age -> header.add(age.asInt() >= 60 && age.asInt() % 60 == 0 ? age.asInt() / 60 + "h+"
            : age.asText() + "m+"));
        rows.add(header);
        for (JsonNode shape : queue.path("shape")) {
            List<String> row = new ArrayList<>(List.of(shape.path("destination").asText(), shape.path("total").asText()));
            shape.path("olderThan").forEach(count -> row.add(count.asText()));
            rows.add(row);
        }
        return rows;
    }

    static List<List<String>> mailRows(JsonNode queue) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "DESTINATION", "SENDER", "RECIPIENTS", "ATTEMPTS", "NEXT TRY", "REASON"));
        for (JsonNode mail : queue.path("mails")) {
            rows.add(List.of(mail.path("name").asText(), mail.path("destination").asText(), mail.path("sender").asText(),
                recipients(mail), mail.path("attempts").asText(), mail.path("nextDelivery").asText("-"),
                mail.hasNonNull("reason") ? mail.get("reason").asText() : "-"));
        }
        return rows;
    }

    /** Mail parked by the router, with why; empty when there is none. */
    static List<List<String>> parkedRows(JsonNode queue) {
        List<List<String>> rows = new ArrayList<>();
        if (queue.path("parked").isEmpty()) {
            return rows;
        }
        rows.add(List.of("PARKED", "SENDER", "RECIPIENTS", "ERROR"));
        for (JsonNode mail : queue.path("parked")) {
            rows.add(List.of(mail.path("name").asText(), mail.path("sender").asText(), recipients(mail),
                mail.path("error").asText("-")));
        }
        return rows;
    }

    /** Mail waiting in memory for its turn, for which destination, for what and since when; empty when there is none. */
    static List<List<String>> waitingRows(JsonNode queue) {
        List<List<String>> rows = new ArrayList<>();
        if (queue.path("waitingInMemory").isEmpty()) {
            return rows;
        }
        rows.add(List.of("WAITING", "DESTINATION", "SENDER", "RECIPIENTS", "SINCE", "FOR"));
        for (JsonNode mail : queue.path("waitingInMemory")) {
            rows.add(List.of(mail.path("name").asText(), mail.path("destination").asText(), mail.path("sender").asText(),
                recipients(mail), mail.path("since").asText("-"), mail.path("waitsFor").asText()));
        }
        return rows;
    }

    /** A listed mail's recipients, comma-separated. */
    private static String recipients(JsonNode mail) {
        List<String> texts = new ArrayList<>();
        mail.path("recipients").forEach(item -> texts.add(item.asText()));
        return String.join(",", texts);
    }

    /** Mail on hold, for which destination (or "message") and since when; empty when there is none. */
    static List<List<String>> heldRows(JsonNode queue) {
        List<List<String>> rows = new ArrayList<>();
        if (queue.path("held").isEmpty()) {
            return rows;
        }
        rows.add(List.of("HELD", "FOR", "SENDER", "RECIPIENTS", "SINCE", "REASON"));
        for (JsonNode mail : queue.path("held")) {
            rows.add(List.of(mail.path("name").asText(), mail.path("heldFor").asText(), mail.path("sender").asText(),
                recipients(mail), mail.path("since").asText("-"), mail.path("reason").asText("").isEmpty() ? "-"
                    : mail.path("reason").asText()));
        }
        return rows;
    }

    /** The destinations on hold. */
    static List<List<String>> holdRows(JsonNode holds) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("DESTINATION", "SINCE", "HELD MAILS", "REASON"));
        for (JsonNode hold : holds) {
            rows.add(List.of(hold.path("destination").asText(), hold.path("since").asText(), hold.path("held").asText(),
                hold.path("reason").asText("").isEmpty() ? "-" : hold.path("reason").asText()));
        }
        return rows;
    }
}
