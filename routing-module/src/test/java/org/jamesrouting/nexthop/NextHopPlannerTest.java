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

    private static DeliveryPlan planWith(NextHopPlanner planner, Route route, String address) {
        RoutingAddress recipient = RoutingAddress.parse(address);
        return planner.plan(recipient, RoutingTable.of(List.of(route)).resolve(recipient));
    }

    @Test
    void anMxRouteGoesToTheRecipientsMxWithNoSmartHostAfterIt() {
        Route direct = Route.builder().id("direct").pattern(".partner.test").nextHop(org.jamesrouting.route.NextHop.MX).build();
        NextHopPlanner planner = new NextHopPlanner(Optional.of(SMARTHOST), Optional.of(BACKUP), TlsMode.MAY);

        DeliveryPlan plan = planWith(planner, direct, "a@eu.partner.test");

        assertThat(plan.groups()).hasSize(1);
        HopGroup mx = plan.groups().get(0);
        assertThat(mx.via()).isEqualTo(Via.ROUTE);
        assertThat(mx.mxDomain()).contains("eu.partner.test");
        assertThat(mx.destination()).as("counted per recipient domain, as Postfix's smtp: next hop").isEqualTo("mx:eu.partner.test");
        assertThat(mx.mtaSts()).as("the default TLS level: MTA-STS applies").isTrue();
        assertThat(plan.reason()).contains("no smart host after it");

        Route verified = direct.toBuilder().tls(TlsMode.VERIFY).build();
        HopGroup strict = planWith(planner, verified, "a@partner.test").groups().get(0);
        assertThat(strict.tls()).isEqualTo(TlsMode.VERIFY);
        assertThat(strict.mtaSts()).as("the route's tls= is the operator's word, as a line of <mxTlsPolicy>").isFalse();
    }

    @Test
    void anMxOfAnotherDomainRouteGoesToThatDomainsMx() {
        Route hosted = Route.builder().id("hosted").pattern("hosted.test").nextHop(org.jamesrouting.route.NextHop.mxOf("Provider.TEST"))
            .identity(org.jamesrouting.route.SourceIdentity.parse(Optional.of("127.0.0.2"), Optional.of("out.example.test"))).build();

        DeliveryPlan plan = planWith(new NextHopPlanner(Optional.of(SMARTHOST), Optional.empty(), TlsMode.MAY), hosted, "a@hosted.test");

        assertThat(plan.groups()).hasSize(1);
        assertThat(plan.groups().get(0).mxDomain()).contains("provider.test");
        assertThat(plan.groups().get(0).mtaSts()).as("not the recipient domain's MX").isFalse();
        assertThat(plan.groups().get(0).destination()).isEqualTo("mx:provider.test");
        assertThat(plan.groups().get(0).identity().helo()).contains("out.example.test");
    }

    @Test
    void aDefaultRouteKeepsTheDefaultNextHopFromItsOwnIdentity() {
        Route news = Route.builder().id("news").pattern("news.test").nextHop(org.jamesrouting.route.NextHop.DEFAULT)
            .identity(org.jamesrouting.route.SourceIdentity.parse(Optional.of("127.0.0.2"), Optional.empty())).build();

        DeliveryPlan viaRelay = planWith(new NextHopPlanner(Optional.of(SMARTHOST), Optional.of(BACKUP), TlsMode.MAY), news, "a@news.test");
        DeliveryPlan direct = planWith(new NextHopPlanner(Optional.empty(), Optional.empty(), TlsMode.MAY), news, "a@news.test");

        assertThat(viaRelay.groups()).extracting(HopGroup::via).containsExactly(Via.SMARTHOST, Via.BACKUP);
        assertThat(viaRelay.groups().get(0).tls()).as("the smart host's own TLS").isEqualTo(TlsMode.VERIFY);
        assertThat(viaRelay.groups()).allMatch(group -> group.identity().bindText().equals(Optional.of("127.0.0.2")));
        assertThat(viaRelay.groups().get(0).destination()).isEqualTo("smart host");
        assertThat(direct.groups()).hasSize(1);
        assertThat(direct.groups().get(0).mxDomain()).contains("news.test");
        assertThat(direct.groups().get(0).identity().bindText()).contains("127.0.0.2");
    }

    @Test
    void credentialsAreOnlyForARoutesOwnHosts() {
        assertThatThrownBy(() -> Route.builder().id("x").pattern("x.test").nextHop(org.jamesrouting.route.NextHop.MX).tls(TlsMode.VERIFY)
            .auth(Optional.of(new org.jamesrouting.route.RelayAuth("me", "secret"))).build())
            .hasMessageContaining("credentials (auth=) are for a route's own mail hosts: mx logs in nowhere");
    }
}
