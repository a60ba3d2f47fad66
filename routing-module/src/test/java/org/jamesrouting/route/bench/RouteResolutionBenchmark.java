package org.jamesrouting.route.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jamesrouting.route.AddressPattern;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.Route;
import org.jamesrouting.route.RouteMatch;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.RoutingTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route resolution on tables of 10, 1k and 100k routes with a realistic mix: exact domains
 * (60%), subdomain wildcards (20%), user-level routes (15%), domain-and-subdomains (4%), user in
 * any domain (1%), and a final {@code *}. Addresses hit every kind, and miss (to {@code *}).
 * Also: building a 100k-route table, which is what a whole-table swap costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteResolutionBenchmark {
    private static final int ADDRESSES = 4096;

    @Param({"10", "1000", "100000"})
    public int routes;

    private RoutingTable table;
    private List<Route> routeList;
    private RoutingAddress[] addresses;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        routeList = new ArrayList<>(routes);
        List<String> domains = new ArrayList<>();
        for (int i = 0; i < routes - 1; i++) {
            String domain = "d" + i + ".example" + (i % 50) + ".test";
            domains.add(domain);
            int kind = random.nextInt(100);
            String pattern;
            if (kind < 60) {
                pattern = domain;
            } else if (kind < 80) {
                pattern = "*." + domain;
            } else if (kind < 95) {
                pattern = "user" + i + "@" + domain;
            } else if (kind < 99) {
                pattern = "." + domain;
            } else {
                pattern = "user" + i + "@*";
            }
            routeList.add(route("r" + i, AddressPattern.parse(pattern)));
        }
        routeList.add(route("default", AddressPattern.ANY));
        table = RoutingTable.of(routeList);

        addresses = new RoutingAddress[ADDRESSES];
        for (int i = 0; i < ADDRESSES; i++) {
            int pick = domains.isEmpty() ? 0 : random.nextInt(domains.size());
            String domain = domains.isEmpty() ? "none.test" : domains.get(pick);
            addresses[i] = switch (i % 4) {
                case 0 -> new RoutingAddress("user" + pick, domain);
                case 1 -> new RoutingAddress("someone", "mail.shop." + domain);
                case 2 -> new RoutingAddress("someone", domain);
                default -> new RoutingAddress("someone", "unrouted" + i + ".example.org");
            };
        }
    }

    private static Route route(String id, AddressPattern pattern) {
        return Route.builder().id(id).pattern(pattern).hosts(List.of(MailHost.of("mx." + id + ".test", 25))).build();
    }

    @Benchmark
    public RouteMatch resolve() {
        RoutingAddress address = addresses[next++ & (ADDRESSES - 1)];
        return table.resolve(address).orElse(null);
    }

    /** Building the index of the whole table: the work a whole-table swap does before the atomic switch. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, batchSize = 1)
    @Measurement(iterations = 5, batchSize = 1)
    public RoutingTable buildTable() {
        return RoutingTable.of(routeList);
    }
}
