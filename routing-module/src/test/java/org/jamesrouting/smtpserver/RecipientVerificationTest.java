package org.jamesrouting.smtpserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamesrouting.nexthop.HopGroup;
import org.jamesrouting.nexthop.Via;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.TlsMode;
import org.jamesrouting.smtpclient.RecipientProbe;
import org.jamesrouting.testing.MutableClock;
import org.junit.jupiter.api.Test;

class RecipientVerificationTest {
    private static final HopGroup GROUP = HopGroup.relay(Via.ROUTE,
        new RelaySpec(List.of(MailHost.parse("exchange.internal.test", 25)), TlsMode.NONE, Optional.empty()), "route internal");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T03:00:00Z"));
    private final List<String> asked = new ArrayList<>();
    private final RecipientVerification verification = new RecipientVerification(() -> Optional.of((group, recipient) -> {
        asked.add(recipient);
        if (recipient.startsWith("known")) {
            return new RecipientProbe.Known("exchange.internal.test");
        }
        if (recipient.startsWith("busy")) {
            return new RecipientProbe.NotAsked("451 try later");
        }
        return new RecipientProbe.Unknown("exchange.internal.test", "550 5.1.1 unknown");
    }), clock);

    @Test
    void knownAnswersAreKeptAnHourUnknownTenMinutesFailuresNot() {
        verification.verify("internal", GROUP, "known@internal.test");
        verification.verify("internal", GROUP, "ghost@internal.test");
        verification.verify("internal", GROUP, "busy@internal.test");
        clock.advance(Duration.ofMinutes(9));
        verification.verify("internal", GROUP, "KNOWN@internal.test");
        verification.verify("internal", GROUP, "ghost@internal.test");
        verification.verify("internal", GROUP, "busy@internal.test");

        assertThat(asked).containsExactly("known@internal.test", "ghost@internal.test", "busy@internal.test", "busy@internal.test");

        clock.advance(Duration.ofMinutes(2));
        assertThat(verification.verify("internal", GROUP, "ghost@internal.test")).isInstanceOf(RecipientProbe.Unknown.class);
        assertThat(verification.verify("internal", GROUP, "known@internal.test")).isInstanceOf(RecipientProbe.Known.class);
        assertThat(asked).as("the unknown answer expired after 10 min, the known one not before 1 h").endsWith("ghost@internal.test");
        clock.advance(Duration.ofMinutes(50));
        verification.verify("internal", GROUP, "known@internal.test");
        assertThat(asked).endsWith("known@internal.test");
    }

    @Test
    void theCacheDoesNotGrowWithTheAddressesSendersChoose() {
        for (int i = 0; i < RecipientVerification.MAX_ENTRIES + 500; i++) {
            verification.verify("internal", GROUP, "ghost" + i + "@internal.test");
        }
        assertThat(verification.size()).isEqualTo(RecipientVerification.MAX_ENTRIES);
    }

    @Test
    void aRouterNotRunningCannotBeAsked() {
        RecipientVerification stopped = new RecipientVerification(Optional::empty, clock);

        assertThat(stopped.verify("internal", GROUP, "known@internal.test")).isInstanceOf(RecipientProbe.NotAsked.class);
        assertThat(stopped.size()).isZero();
    }
}
