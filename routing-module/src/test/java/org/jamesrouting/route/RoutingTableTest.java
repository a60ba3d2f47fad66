package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RoutingTableTest {
    private static Route route(String id, String pattern) {
        return Route.builder().id(id).pattern(pattern).hosts("mx." + id + ".test").build();
    }

    private static String resolve(RoutingTable table, String address) {
        return table.resolve(RoutingAddress.parse(address)).map(match -> match.route().id()).orElse("none");
    }

    @Test
    void firstMatchingRouteWinsInTableOrder() {
        RoutingTable table = RoutingTable.of(List.of(
            route("boss", "boss@example.com"),
            route("sub", "*.example.com"),
            route("domain", "example.com"),
            route("anyboss", "boss@*"),
            route("all", "*")));

        assertThat(resolve(table, "boss@example.com")).isEqualTo("boss");
        assertThat(resolve(table, "boss@sub.example.com")).isEqualTo("sub");
        assertThat(resolve(table, "alice@example.com")).isEqualTo("domain");
        assertThat(resolve(table, "boss@other.test")).isEqualTo("anyboss");
        assertThat(resolve(table, "alice@other.test")).isEqualTo("all");
    }

    @Test
    void orderNotSpecificityDecides() {
        RoutingTable table = RoutingTable.of(List.of(route("all", "*"), route("boss", "boss@example.com")));

        assertThat(resolve(table, "boss@example.com")).isEqualTo("all");
    }

    @Test
    void disabledRoutesAreSkipped() {
        RoutingTable table = RoutingTable.of(List.of(
            route("off", "example.com").toBuilder().enabled(false).build(),
            route("parent", ".example.com")));

        assertThat(resolve(table, "a@example.com")).isEqualTo("parent");
    }

    @Test
    void noMatchIsEmpty() {
        RoutingTable table = RoutingTable.of(List.of(route("d", "example.com")));

        assertThat(table.resolve(RoutingAddress.parse("a@example.org"))).isEmpty();
    }

    @Test
    void explainsTheMatch() {
        RoutingTable table = RoutingTable.of(List.of(route("d", "example.com"), route("sub", "*.example.org")));

        assertThat(table.resolve(RoutingAddress.parse("A@Shop.Example.ORG")).orElseThrow().reason())
            .isEqualTo("a@shop.example.org matches pattern '*.example.org' (the subdomains of example.org) of dynamic route sub,"
                + " the first matching enabled route, at position 2");
    }

    @Test
    void conditionsAreAndedAndTheFirstRouteWhoseConditionsHoldWins() {
        RoutingTable table = RoutingTable.of(List.of(
            route("sales", "*").toBuilder().conditions(RouteConditions.of(Optional.of("*@sales.example.com"), Optional.empty(), List.of())).build(),
            route("bulk", "partner.test").toBuilder().conditions(RouteConditions.of(Optional.empty(), Optional.empty(),
                List.of("X-Route=bulk", "Subject~*invoice %%*"))).build(),
            route("boss", "partner.test").toBuilder().conditions(RouteConditions.of(Optional.empty(), Optional.of("boss@*"), List.of())).build(),
            route("partner", "partner.test")));
        RoutingAddress partner = RoutingAddress.parse("x@partner.test");

        assertThat(table.resolve(partner).orElseThrow().route().id()).as("nothing known").isEqualTo("partner");
        assertThat(table.resolve(partner, context("a@Sales.Example.com", null, Map.of())).orElseThrow().route().id()).isEqualTo("sales");
        assertThat(table.resolve(partner, context("a@example.com", null,
            Map.of("x-route", List.of("BULK"), "subject", List.of("Your Invoice 42 of May")))).orElseThrow().route().id()).isEqualTo("bulk");
        assertThat(table.resolve(partner, context("a@example.com", null,
            Map.of("x-route", List.of("bulk"), "subject", List.of("Your invoice 4 of May")))).orElseThrow().route().id())
            .as("both header conditions must hold").isEqualTo("partner");
        assertThat(table.resolve(partner, context("a@example.com", "boss@example.com", Map.of())).orElseThrow().route().id()).isEqualTo("boss");

        RoutingTable.Explanation explained = table.explain(partner, context("a@example.com", "boss@example.com", Map.of("x-route", List.of("bulk"))));
        assertThat(explained.match().orElseThrow().reason()).contains("route boss", "meets its conditions (auth-user boss@*)");
        assertThat(explained.skipped()).containsExactly(
            "route sales (position 1, sender *@sales.example.com): sender <a@example.com> does not match *@sales.example.com",
            "route bulk (position 2, header X-Route=bulk, header Subject~*invoice %%*): header Subject~*invoice %%* does not hold (no Subject header)");
    }

    @Test
    void theNullSenderHasItsOwnPattern() {
        RoutingTable table = RoutingTable.of(List.of(
            route("bounces", "*").toBuilder().conditions(RouteConditions.of(Optional.of("<>"), Optional.empty(), List.of())).build()));
        assertThat(table.resolve(RoutingAddress.parse("a@b.test"), context("", null, Map.of()))).isPresent();
        assertThat(table.resolve(RoutingAddress.parse("a@b.test"), context("x@b.test", null, Map.of()))).isEmpty();
    }

    private static MessageContext context(String sender, String authUser, Map<String, List<String>> headers) {
        return MessageContext.of(sender, Optional.ofNullable(authUser), headers);
    }

    @Test
    void refusesDuplicateIds() {
        assertThatThrownBy(() -> RoutingTable.of(List.of(route("x", "a.test"), route("x", "b.test"))))
            .hasMessage("route id 'x' is used twice");
    }

    /** The index and a plain scan must agree on random tables and addresses. */
    @Test
    void indexAgreesWithAFirstMatchScanOnRandomTables() {
        String[] labels = {"a", "b", "c", "example", "test", "mail"};
        String[] users = {"u", "v", "boss", "x"};
        for (long seed = 0; seed < 300; seed++) {
            Random random = new Random(seed);
            List<Route> routes = new ArrayList<>();
            int size = 1 + random.nextInt(40);
            for (int i = 0; i < size; i++) {
                String domain = randomDomain(random, labels);
                String pattern = switch (random.nextInt(9)) {
                    case 0 -> "*";
                    case 1 -> domain;
                    case 2 -> "*." + domain;
                    case 3 -> "." + domain;
                    case 4 -> users[random.nextInt(users.length)] + "@" + domain;
                    case 5 -> users[random.nextInt(users.length)] + "@*";
                    case 6 -> "?" + domain.substring(1);
                    case 7 -> users[random.nextInt(users.length)].charAt(0) + "*@*." + domain.substring(domain.indexOf('.') + 1);
                    default -> domain;
                };
                RouteConditions conditions = switch (random.nextInt(6)) {
                    case 0 -> RouteConditions.of(Optional.of("*@" + labels[random.nextInt(labels.length)] + ".test"), Optional.empty(), List.of());
                    case 1 -> RouteConditions.of(Optional.empty(), Optional.of(users[random.nextInt(users.length)]), List.of());
                    case 2 -> RouteConditions.of(Optional.empty(), Optional.empty(), List.of("X-Route=" + labels[random.nextInt(labels.length)]));
                    default -> RouteConditions.NONE;
                };
                routes.add(route("r" + i, pattern).toBuilder().enabled(random.nextInt(5) != 0).conditions(conditions).build());
            }
            RoutingTable table = RoutingTable.of(routes);
            for (int i = 0; i < 60; i++) {
                RoutingAddress address = RoutingAddress.parse(users[random.nextInt(users.length)] + "@" + randomDomain(random, labels));
                MessageContext context = random.nextInt(4) == 0 ? MessageContext.UNKNOWN
                    : MessageContext.of("s@" + labels[random.nextInt(labels.length)] + ".test",
                        random.nextBoolean() ? Optional.of(users[random.nextInt(users.length)]) : Optional.empty(),
                        java.util.Map.of("x-route", List.of(labels[random.nextInt(labels.length)])));
                Optional<Integer> byIndex = table.resolve(address, context).map(RouteMatch::position);
                Optional<Integer> byScan = table.resolveByScan(address, context).map(RouteMatch::position);
                assertThat(byIndex).as("seed %d, %s in %s", seed, address, routes).isEqualTo(byScan);
            }
        }
    }

    private static String randomDomain(Random random, String[] labels) {
        int depth = 1 + random.nextInt(3);
        StringBuilder domain = new StringBuilder(labels[random.nextInt(labels.length)]);
        for (int i = 0; i < depth; i++) {
            domain.append('.').append(labels[random.nextInt(labels.length)]);
        }
        return domain.toString();
    }
}
