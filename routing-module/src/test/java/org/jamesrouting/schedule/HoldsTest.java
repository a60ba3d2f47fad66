package org.jamesrouting.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HoldsTest {
    private static final Instant NOW = Instant.parse("2026-12-03T11:00:00Z");

    @TempDir
    Path directory;

    @Test
    void destinationsAreNamedAsTheViewsNameThem() {
        assertThat(Holds.destinationOf("route partner")).isEqualTo("route partner");
        assertThat(Holds.destinationOf("route:partner")).isEqualTo("route partner");
        assertThat(Holds.destinationOf(" smarthost ")).isEqualTo("smart host");
        assertThat(Holds.destinationOf("Smart Host")).isEqualTo("smart host");
        assertThat(Holds.destinationOf("mx:Example.COM")).isEqualTo("mx:example.com");
        assertThat(Holds.destinationOf("example.com")).isEqualTo("mx:example.com");
        assertThat(Holds.destinationOf("MXSET:*.Google.com.")).isEqualTo("mxset:*.google.com");
    }

    @Test
    void whatIsNotADestinationIsRefusedWithTheFormsThatAre() {
        assertThatThrownBy(() -> Holds.destinationOf("route a/b")).hasMessageContaining("route id");
        assertThatThrownBy(() -> Holds.destinationOf("route ")).hasMessageContaining("route id");
        assertThatThrownBy(() -> Holds.destinationOf("not a domain!")).hasMessageContaining("'route <id>', 'smart host', 'mx:<domain>'")
            .hasMessageContaining("'mxset:<host pattern>'");
        assertThatThrownBy(() -> Holds.destinationOf("mxset:")).hasMessageContaining("an MX set is a pattern of MX host names");
        assertThatThrownBy(() -> Holds.destinationOf("mxset:*.google.com/x")).hasMessageContaining("an MX set is a pattern");
        assertThatThrownBy(() -> Holds.destinationOf("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHoldOutlivesTheObjectAndTheFirstHoldStays() {
        Path file = directory.resolve("routing/held.json");
        Holds holds = new Holds(file);
        assertThat(holds.hold("route partner", "moving", NOW)).isTrue();
        assertThat(holds.hold("route partner", "again", NOW.plusSeconds(60))).isFalse();

        Holds reread = new Holds(file);

        assertThat(reread.isHeld("route partner")).isTrue();
        assertThat(reread.holdOf("route partner")).contains(new Holds.Hold(NOW, "moving"));
        assertThat(reread.release("route partner")).isTrue();
        assertThat(reread.release("route partner")).isFalse();
        assertThat(new Holds(file).all()).isEmpty();
    }

    @Test
    void anUnreadableFileIsRefusedWithItsName() throws Exception {
        Path file = directory.resolve("held.json");
        Files.writeString(file, "{not json");

        assertThatThrownBy(() -> new Holds(file)).isInstanceOf(IllegalStateException.class).hasMessageContaining(file.toString());
    }

    @Test
    void theNumberOfHoldsIsBounded() {
        Holds holds = new Holds(directory.resolve("held.json"), 3);
        for (int i = 0; i < 3; i++) {
            holds.hold("mx:d" + i + ".test", "", NOW);
        }

        assertThatThrownBy(() -> holds.hold("mx:one-more.test", "", NOW)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("release some first");
    }

    @Test
    void twoNodesSharingOneStoreHoldTheSameAndEachLearnsWhatTheOtherReleased() {
        org.jamesrouting.store.InMemoryDocumentStore store = new org.jamesrouting.store.InMemoryDocumentStore();
        Holds nodeA = new Holds(store);
        Holds nodeB = new Holds(store);

        nodeA.hold("route partner", "moving", NOW);
        assertThat(nodeB.isHeld("route partner")).as("not before B reads the store").isFalse();
        assertThat(nodeB.refresh()).isTrue();
        assertThat(nodeB.holdOf("route partner")).contains(new Holds.Hold(NOW, "moving"));
        assertThat(nodeB.hold("smart host", "", NOW)).as("B's edit on top of A's").isTrue();
        assertThat(nodeA.hold("mx:other.test", "", NOW)).as("A lost the race, read B's, applied its own again").isTrue();
        assertThat(nodeA.all().keySet()).containsExactly("mx:other.test", "route partner", "smart host");

        assertThat(nodeA.release("route partner")).isTrue();
        assertThat(nodeB.refresh()).isTrue();

        assertThat(nodeB.isHeld("route partner")).isFalse();
        assertThat(nodeB.releasedElsewhere()).containsExactly("route partner");
        assertThat(nodeB.releasedElsewhere()).as("handed out once").isEmpty();
        assertThat(nodeA.releasedElsewhere()).as("A released it itself").isEmpty();
        assertThat(nodeB.refresh()).as("nothing new").isFalse();
    }
}
