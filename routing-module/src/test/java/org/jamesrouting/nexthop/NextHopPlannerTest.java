package org.jamesrouting.nexthop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.Route;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.RoutingTable;
import org.jamesrouting.route.TlsMode;
import org.junit.jupiter.api.Test;

class NextHopPlannerTest {
    private static final RelaySpec SMARTHOST = new RelaySpec(List.of(MailHost.parse("smtp.isp.test:587", 25)), TlsMode.VERIFY, Optional.empty());
    private static final RelaySpec BACKUP = new RelaySpec(List.of(MailHost.parse("backup.isp.test", 25)), TlsMode.NONE, Optional.empty());
    private static final RoutingTable TABLE = RoutingTable.of(List.of(
        Route.builder().id("partner").pattern("partner.test").hosts("mx.partner.test:2525").build()));

    private static DeliveryPlan plan(NextHopPlanner planner, String address) {
        RoutingAddress recipient = RoutingAddress.parse(address);
        return planner.plan(recipient, TABLE.resolve(recipient));
    }

    @Test
    void routeThenSmartHostThenBackup() {
        DeliveryPlan plan = plan(new NextHopPlanner(Optional.of(SMARTHOST), Optional.of(BACKUP), TlsMode.MAY), "a@partner.test");

        assertThat(plan.groups()).extracting(HopGroup::via).containsExactly(Via.ROUTE, Via.SMARTHOST, Via.BACKUP);
        assertThat(plan.groups().get(0).relay().orElseThrow().hosts()).containsExactly(MailHost.parse("mx.partner.test:2525", 25));
        assertThat(plan.reason()).contains("route partner").contains("then its backup");
    }

    @Test
    void noRouteMeansTheSmartHost() {
        DeliveryPlan plan = plan(new NextHopPlanner(Optional.of(SMARTHOST), Optional.empty(), TlsMode.MAY), "a@other.test");

        assertThat(plan.groups()).extracting(HopGroup::via).containsExactly(Via.SMARTHOST);
        assertThat(plan.groups().get(0).tls()).isEqualTo(TlsMode.VERIFY);
    }

    @Test
    void noRouteAndNoSmartHostMeansDirectMx() {
        DeliveryPlan plan = plan(new NextHopPlanner(Optional.empty(), Optional.empty(), TlsMode.MAY), "a@Other.TEST");

        assertThat(plan.groups()).containsExactly(HopGroup.mx("other.test", TlsMode.MAY));
        assertThat(plan.reason()).contains("direct delivery to the MX of other.test");
    }

    @Test
    void aRouteWithoutSmartHostHasNoMxFallback() {
        DeliveryPlan plan = plan(new NextHopPlanner(Optional.empty(), Optional.empty(), TlsMode.MAY), "a@partner.test");

        assertThat(plan.groups()).extracting(HopGroup::via).containsExactly(Via.ROUTE);
    }

    @Test
    void aBackupNeedsAPrimary() {
        assertThatThrownBy(() -> new NextHopPlanner(Optional.empty(), Optional.of(BACKUP), TlsMode.MAY))
            .hasMessageContaining("needs a primary");
    }
}
