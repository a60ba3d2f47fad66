package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.jamesrouting.store.InMemoryDocumentStore;
import org.jamesrouting.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

/** Two nodes' routing tables over one store: edits compare-and-set, nothing lost, refresh picks up the other's. */
class SharedRoutingTablesTest {
    private final InMemoryDocumentStore shared = new InMemoryDocumentStore();
    private final RoutingTables nodeA = new RoutingTables(new DynamicRouteStore(shared));
    private final RoutingTables nodeB = new RoutingTables(new DynamicRouteStore(shared));

    private static RouteJson json(String pattern) {
        RouteJson json = new RouteJson();
        json.pattern = pattern;
        json.hosts = List.of("relay." + pattern.replace("*.", "") + ":2525");
        return json;
    }

    private static List<String> patterns(RoutingTables tables) {
        return tables.current().routes().stream().map(route -> route.pattern().asString()).toList();
    }

    @Test
    void anEditOnAStaleNodeIsAppliedToTheLatestTableNotOverIt() {
        nodeA.add(json("a.test"), Optional.empty());
        // node B has not refreshed: it still sees an empty table, yet its insert at position 1 lands before a.test
        nodeB.add(json("b.test"), Optional.of(1));

        assertThat(patterns(nodeB)).containsExactly("b.test", "a.test");
        assertThat(nodeA.refresh()).isTrue();
        assertThat(patterns(nodeA)).containsExactly("b.test", "a.test");
        assertThat(nodeA.refresh()).isFalse();
    }

    @Test
    void aMoveOrDeleteOfARouteTheOtherNodeDeletedIsANotFound() {
        Route route = nodeA.add(json("a.test"), Optional.empty());
        nodeB.refresh();
        nodeA.delete(route.id());

        assertThatThrownBy(() -> nodeB.move(route.id(), 1)).isInstanceOf(RoutingTables.RouteChangeException.class)
            .hasMessageContaining("no route");
        assertThat(patterns(nodeB)).isEmpty();
    }

    @Test
    void concurrentEditsFromTwoNodesLoseNothingAndDuplicateNothing() throws Exception {
        org.jamesrouting.testing.ConcurrentEdits.addFromTwoNodes(nodeA, nodeB, 100);
        nodeA.refresh();
        nodeB.refresh();

        assertThat(patterns(nodeA)).hasSize(200).doesNotHaveDuplicates().isEqualTo(patterns(nodeB));
        assertThat(nodeA.current().routes().stream().map(Route::id).distinct().count()).isEqualTo(200);
    }

    @Test
    void anUnavailableStoreRefusesEditsAndKeepsRoutingOnTheLastTable() {
        nodeA.add(json("a.test"), Optional.empty());
        nodeB.refresh();
        RoutingTable before = nodeB.current();
        shared.down(true);

        assertThatThrownBy(() -> nodeB.add(json("b.test"), Optional.empty())).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(nodeB::refresh).isInstanceOf(StoreUnavailableException.class);
        assertThat(nodeB.current()).isSameAs(before);
        assertThat(nodeB.current().resolve(RoutingAddress.parse("x@a.test"))).isPresent();

        shared.down(false);
        nodeB.add(json("b.test"), Optional.empty());
        nodeA.refresh();
        assertThat(patterns(nodeA)).containsExactly("a.test", "b.test");
    }
}
