package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.store.FileDocumentStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTablesTest {
    @TempDir
    Path directory;
    Path file;
    DynamicRouteStore store;
    RoutingTables tables;

    @BeforeEach
    void setUp() {
        file = directory.resolve("var/routing/dynamic-routes.json");
        store = new DynamicRouteStore(new FileDocumentStore(file));
        tables = new RoutingTables(store);
        tables.useStaticSource(() -> List.of(Route.builder().id("static-1").source(Route.Source.STATIC).pattern("static.test").hosts("s.test").build()));
    }

    private static RouteJson json(String pattern, String host) {
        RouteJson json = new RouteJson();
        json.pattern = pattern;
        json.hosts = List.of(host);
        return json;
    }

    private List<String> patterns() {
        return tables.current().routes().stream().map(route -> route.pattern().asString()).toList();
    }

    @Test
    void staticRoutesComeFirstThenDynamicOnesInOrder() {
        tables.add(json("a.test", "a"), Optional.empty());
        tables.add(json("b.test", "b"), Optional.empty());
        tables.add(json("c.test", "c"), Optional.of(2));

        assertThat(patterns()).containsExactly("static.test", "c.test", "a.test", "b.test");
    }

    @Test
    void movesReplacesAndDeletes() {
        Route a = tables.add(json("a.test", "a"), Optional.empty());
        Route b = tables.add(json("b.test", "b"), Optional.empty());

        tables.move(b.id(), 2);
        assertThat(patterns()).containsExactly("static.test", "b.test", "a.test");
        tables.replace(a.id(), json("a2.test", "a"));
        assertThat(patterns()).containsExactly("static.test", "b.test", "a2.test");
        assertThat(tables.current().byId(a.id())).isPresent();
        tables.delete(b.id());
        assertThat(patterns()).containsExactly("static.test", "a2.test");
    }

    @Test
    void aChangeIsAtomicReadersKeepTheSnapshotTheyTook() {
        tables.add(json("a.test", "old"), Optional.empty());
        RoutingTable before = tables.current();

        tables.replaceAll(List.of(json("a.test", "new")));

        assertThat(before.resolve(RoutingAddress.parse("x@a.test")).orElseThrow().route().hosts().get(0).host()).isEqualTo("old");
        assertThat(tables.current().resolve(RoutingAddress.parse("x@a.test")).orElseThrow().route().hosts().get(0).host()).isEqualTo("new");
    }

    @Test
    void refusedChangesLeaveTheTableAsItWas() {
        tables.add(json("a.test", "a"), Optional.empty());
        RoutingTable before = tables.current();
        long version = tables.version();

        assertThatThrownBy(() -> tables.add(json("@example.test", "a"), Optional.empty()))
            .isInstanceOfSatisfying(RoutingTables.RouteChangeException.class,
                e -> assertThat(e.reason()).isEqualTo(RoutingTables.RouteChangeException.Reason.INVALID));
        assertThatThrownBy(() -> tables.add(json("b.test", "host:0"), Optional.empty())).hasMessageContaining("port 0");
        assertThatThrownBy(() -> tables.add(json("b.test", "b"), Optional.of(1)))
            .hasMessageContaining("among the static routes");
        assertThatThrownBy(() -> tables.add(json("b.test", "b"), Optional.of(9))).hasMessageContaining("past the end");
        assertThatThrownBy(() -> tables.delete("nope"))
            .isInstanceOfSatisfying(RoutingTables.RouteChangeException.class,
                e -> assertThat(e.reason()).isEqualTo(RoutingTables.RouteChangeException.Reason.NOT_FOUND));
        assertThatThrownBy(() -> tables.delete("static-1"))
            .isInstanceOfSatisfying(RoutingTables.RouteChangeException.class,
                e -> assertThat(e.reason()).isEqualTo(RoutingTables.RouteChangeException.Reason.READ_ONLY));
        RouteJson half = json("b.test", "b");
        half.username = "u";
        assertThatThrownBy(() -> tables.add(half, Optional.empty())).hasMessage("'username' needs 'password'");
        assertThatThrownBy(() -> tables.replaceAll(List.of(json("ok.test", "a"), json("bad..test", "b"))))
            .hasMessageStartingWith("route 2: bad pattern");

        assertThat(tables.current()).isSameAs(before);
        assertThat(tables.version()).isEqualTo(version);
    }

    @Test
    void theDynamicTableSurvivesARestartAndItsFileIsPrivate() throws IOException {
        RouteJson secret = json("a.test", "a:587");
        secret.username = "relay";
        secret.password = "s3cret";
        secret.tls = "starttls-required";
        Route added = tables.add(secret, Optional.empty());

        RoutingTables restarted = new RoutingTables(new DynamicRouteStore(new FileDocumentStore(file)));

        assertThat(restarted.current().routes()).containsExactly(added);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aFailedStoreWriteChangesNothing() throws IOException {
        tables.add(json("a.test", "a"), Optional.empty());
        RoutingTable before = tables.current();
        Files.delete(file);
        Files.createDirectories(file);

        assertThatThrownBy(() -> tables.add(json("b.test", "b"), Optional.empty())).isInstanceOf(org.jamesrouting.store.StoreUnavailableException.class).hasMessageContaining("cannot write");
        assertThat(tables.current()).isSameAs(before);
    }

    @Test
    void aBadStaticReloadKeepsTheOldStaticRoutes() {
        RoutingTable before = tables.current();
        tables.useStaticSource(() -> List.of(Route.builder().id("static-1").source(Route.Source.STATIC).pattern("new.test").hosts("s").build()));
        assertThat(patterns()).containsExactly("new.test");

        assertThatThrownBy(() -> tables.useStaticSource(() -> {
            throw new RouteTableException("conf/routes.conf line 2: bad pattern");
        })).hasMessage("conf/routes.conf line 2: bad pattern");
        assertThat(patterns()).containsExactly("new.test");
        assertThat(before.routes()).extracting(route -> route.pattern().asString()).containsExactly("static.test");
    }
}
