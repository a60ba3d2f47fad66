package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
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
                String pattern = switch (random.nextInt(7)) {
                    case 0 -> "*";
                    case 1 -> domain;
                    case 2 -> "*." + domain;
                    case 3 -> "." + domain;
                    case 4 -> users[random.nextInt(users.length)] + "@" + domain;
                    case 5 -> users[random.nextInt(users.length)] + "@*";
                    default -> domain;
                };
                routes.add(route("r" + i, pattern).toBuilder().enabled(random.nextInt(5) != 0).build());
            }
            RoutingTable table = RoutingTable.of(routes);
            for (int i = 0; i < 60; i++) {
                RoutingAddress address = RoutingAddress.parse(users[random.nextInt(users.length)] + "@" + randomDomain(random, labels));
                Optional<Integer> byIndex = table.resolve(address).map(RouteMatch::position);
                Optional<Integer> byScan = table.resolveByScan(address).map(RouteMatch::position);
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
