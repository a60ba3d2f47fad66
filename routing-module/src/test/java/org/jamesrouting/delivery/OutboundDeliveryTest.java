package org.jamesrouting.delivery;

import org.jamesrouting.bounce.DsnComposer;
import org.jamesrouting.nexthop.DeliveryPlan;
import org.jamesrouting.nexthop.NextHopPlanner;
import org.jamesrouting.smtpclient.ConnectionPool;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.jamesrouting.smtpclient.SmtpClientSettings;
import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.DnsPins;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.route.MailHost;
import org.jamesrouting.route.RelaySpec;
import org.jamesrouting.route.RoutingAddress;
import org.jamesrouting.route.TlsMode;
import org.jamesrouting.testing.MutableClock;
import org.jamesrouting.testing.TestSmtpServer;
import org.jamesrouting.testing.TestSmtpServer.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery over real SMTP to test servers on 127.0.0.1; DNS is not needed (IP literal hosts). */
class OutboundDeliveryTest {
    private static final MailDns NO_DNS = new MailDns() {
        @Override
        public MxLookup mx(String domain) {
            return new MxLookup.Failure("no DNS in this test");
        }

        @Override
        public AddressLookup addresses(String host) {
            return new AddressLookup.Failure("no DNS in this test");
        }

        @Override
        public org.jamesrouting.dns.TxtLookup txt(String name) {
            return new org.jamesrouting.dns.TxtLookup.Failure("no DNS in this test");
        }
    };

    /** Every host name is 127.0.0.1. */
    private static final class LoopbackDns implements MailDns {
        @Override
        public MxLookup mx(String domain) {
            return new MxLookup.Failure("no MX in this test");
        }

        @Override
        public AddressLookup addresses(String host) {
            return new AddressLookup.Found(List.of(java.net.InetAddress.getLoopbackAddress()));
        }

        @Override
        public org.jamesrouting.dns.TxtLookup txt(String name) {
            return new org.jamesrouting.dns.TxtLookup.NotFound();
        }
    }

    @TempDir
    Path directory;
    TestSmtpServer primary;
    TestSmtpServer backup;
    MutableClock clock;
    ConnectionPool pool;
    OutboundDelivery delivery;
    NextHopPlanner planner;

    @BeforeEach
    void setUp() throws Exception {
        primary = TestSmtpServer.start();
        backup = TestSmtpServer.start();
        clock = new MutableClock(java.time.Instant.parse("2026-12-01T10:00:00Z"));
        pool = new ConnectionPool(Duration.ofSeconds(30), clock);
        delivery = new OutboundDelivery(NO_DNS, new DnsPins(directory.resolve("pins.json")),
            SmtpClientSettings.defaults("client.test"), 25, pool, new DeliveryStats(java.time.Clock.systemUTC()));
        planner = new NextHopPlanner(
            Optional.of(new RelaySpec(List.of(MailHost.parse("127.0.0.1:" + primary.port(), 25)), TlsMode.NONE, Optional.empty())),
            Optional.of(new RelaySpec(List.of(MailHost.parse("127.0.0.1:" + backup.port(), 25)), TlsMode.NONE, Optional.empty())),
            TlsMode.MAY);
    }

    @AfterEach
    void tearDown() throws Exception {
        pool.close();
        primary.close();
        backup.close();
    }

    private List<RecipientOutcome> deliver(String... recipients) {
        return deliver(OptionalLong.empty(), recipients);
    }

    private List<RecipientOutcome> deliver(OptionalLong size, String... recipients) {
        Envelope envelope = new Envelope("mail-1", "<m@src.test>", "a@src.test", size,
            (out, eightBit) -> out.write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        DeliveryPlan plan = planner.plan(RoutingAddress.parse(recipients[0]), Optional.empty());
        return delivery.deliver(envelope, plan, List.of(recipients), 100);
    }

    @Test
    void credentialsWithheldLeaveNoUserOrRelayNameInTheSendersView() {
        primary.requireAuth("relay-user", "secret");
        NextHopPlanner withAuth = new NextHopPlanner(Optional.of(new RelaySpec(List.of(MailHost.parse("relay.internal.test:" + primary.port(), 25)),
            TlsMode.MAY, Optional.of(new org.jamesrouting.route.RelayAuth("relay-user", "secret")))), Optional.empty(), TlsMode.MAY);
        Envelope envelope = new Envelope("mail-1", "<m@src.test>", "a@src.test", OptionalLong.empty(),
            (out, eightBit) -> out.write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        OutboundDelivery resolving = new OutboundDelivery(new LoopbackDns(), new DnsPins(directory.resolve("pins2.json")),
            SmtpClientSettings.defaults("client.test"), 25, pool, new DeliveryStats(java.time.Clock.systemUTC()));

        RecipientOutcome outcome = resolving.deliver(envelope, withAuth.plan(RoutingAddress.parse("x@dest.test"), Optional.empty()),
            List.of("x@dest.test"), 100).get(0);

        assertThat(outcome.kind()).isEqualTo(RecipientOutcome.Kind.TEMPORARY);
        assertThat(outcome.status()).isEqualTo("4.7.11");
        assertThat(outcome.diagnostic()).as("the operator's view").contains("relay.internal.test", "offered no STARTTLS");
        assertThat(DsnComposer.forTheSender(outcome).diagnostic()).as("the sender's view")
            .isEqualTo("no verified TLS to the relay: this server's login was not sent");
        assertThat(DsnComposer.forTheSender(outcome).remoteMta()).isEmpty();
        assertThat(primary.commands()).noneMatch(command -> command.startsWith("AUTH"));
    }

    @Test
    void aConnectionCarriesAtMostMessagesPerConnectionTransactions() {
        Envelope envelope = new Envelope("mail-1", "<m@src.test>", "a@src.test", OptionalLong.empty(),
            (out, eightBit) -> out.write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        DeliveryPlan plan = planner.plan(RoutingAddress.parse("x@dest.test"), Optional.empty());
        for (int i = 0; i < 5; i++) {
            assertThat(delivery.deliver(envelope, plan, List.of("x" + i + "@dest.test"), 2).get(0).kind())
                .isEqualTo(RecipientOutcome.Kind.DELIVERED);
        }

        assertThat(primary.received()).hasSize(5);
        assertThat(primary.connections()).as("2 + 2 + 1 transactions").isEqualTo(3);
    }

    @Test
    void hopsWithoutIdleConnectionsAreForgotten() {
        deliver("x@dest.test");
        assertThat(pool.hopCount()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(31));
        pool.closeIdle();
        assertThat(pool.hopCount()).isZero();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void theIdleConnectionsOfAllHopsTogetherAreBounded() throws Exception {
        ConnectionPool small = new ConnectionPool(Duration.ofSeconds(30), 1, clock);
        OutboundDelivery bounded = new OutboundDelivery(NO_DNS, new DnsPins(directory.resolve("pins3.json")),
            SmtpClientSettings.defaults("client.test"), 25, small, new DeliveryStats(java.time.Clock.systemUTC()));
        Envelope envelope = new Envelope("mail-1", "<m@src.test>", "a@src.test", OptionalLong.empty(),
            (out, eightBit) -> out.write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        NextHopPlanner toBackup = new NextHopPlanner(
            Optional.of(new RelaySpec(List.of(MailHost.parse("127.0.0.1:" + backup.port(), 25)), TlsMode.NONE, Optional.empty())),
            Optional.empty(), TlsMode.MAY);

        bounded.deliver(envelope, planner.plan(RoutingAddress.parse("x@dest.test"), Optional.empty()), List.of("x@dest.test"), 100);
        bounded.deliver(envelope, toBackup.plan(RoutingAddress.parse("y@dest.test"), Optional.empty()), List.of("y@dest.test"), 100);

        assertThat(small.idleCount()).isEqualTo(1);
        assertThat(backup.commands()).as("the pool was full: closed at once").contains("QUIT");
        assertThat(primary.commands()).as("kept").doesNotContain("QUIT");
        small.close();
    }

    @Test
    void messagesToTheSameHopShareOneConnection() {
        for (int i = 0; i < 3; i++) {
            assertThat(deliver("x" + i + "@dest.test")).allMatch(RecipientOutcome::delivered);
        }

        assertThat(primary.received()).hasSize(3);
        assertThat(primary.connections()).isEqualTo(1);
        assertThat(pool.idleCount()).isEqualTo(1);
    }

    @Test
    void aConnectionUsedMomentsAgoIsReusedWithoutANoopCheck() {
        deliver("x@dest.test");
        clock.advance(ConnectionPool.CHECK_AFTER);
        deliver("y@dest.test");

        assertThat(primary.connections()).isEqualTo(1);
        assertThat(primary.commands()).noneMatch(command -> command.equals("NOOP"));
    }

    @Test
    void aConnectionIdleForLongerIsCheckedWithNoopFirst() {
        deliver("x@dest.test");
        clock.advance(ConnectionPool.CHECK_AFTER.plusMillis(1));
        deliver("y@dest.test");

        assertThat(primary.connections()).isEqualTo(1);
        assertThat(primary.commands()).containsOnlyOnce("NOOP");
    }

    @Test
    void aConnectionTheServerDroppedIsReplacedWithoutLosingTheMessage() throws Exception {
        deliver("x@dest.test");
        primary.closeConnections();

        assertThat(deliver("y@dest.test")).allMatch(RecipientOutcome::delivered);
        assertThat(primary.received()).hasSize(2);
        assertThat(primary.connections()).isEqualTo(2);
        assertThat(backup.received()).isEmpty();
    }

    @Test
    void aDroppedConnectionFoundByTheNoopCheckIsReplacedToo() throws Exception {
        deliver("x@dest.test");
        primary.closeConnections();
        clock.advance(ConnectionPool.CHECK_AFTER.plusSeconds(1));

        assertThat(deliver("y@dest.test")).allMatch(RecipientOutcome::delivered);
        assertThat(primary.received()).hasSize(2);
        assertThat(primary.connections()).isEqualTo(2);
        assertThat(backup.received()).isEmpty();
    }

    @Test
    void aReusedConnectionLostAfterTheServerAnsweredIsNotRetriedOnANewOne() throws Exception {
        deliver("x@dest.test");
        primary.drop(Stage.DATA_END);

        List<RecipientOutcome> outcomes = deliver("y@dest.test");

        assertThat(outcomes).as("the backup took it: the primary may have had it, so it is not sent there again")
            .allMatch(RecipientOutcome::delivered);
        assertThat(primary.connections()).as("no second connection to the primary").isEqualTo(1);
        assertThat(backup.received()).hasSize(1);
    }

    @Test
    void aTemporaryRefusalAtTheEndOfDataMovesToTheBackup() {
        primary.reply(Stage.DATA_END, "451 4.3.0 try later");

        assertThat(deliver("x@dest.test")).allMatch(RecipientOutcome::delivered);
        assertThat(primary.received()).isEmpty();
        assertThat(backup.received()).hasSize(1);
    }

    @Test
    void aPermanentRefusalDoesNotTryTheBackup() {
        primary.reply(Stage.MAIL, "550 5.7.1 sender refused");

        List<RecipientOutcome> outcomes = deliver("x@dest.test", "y@dest.test");

        assertThat(outcomes).extracting(RecipientOutcome::kind).containsOnly(RecipientOutcome.Kind.PERMANENT);
        assertThat(outcomes.get(0).diagnostic()).isEqualTo("550 5.7.1 sender refused");
        assertThat(backup.connections()).isZero();
    }

    @Test
    void aSizeLimitFromASessionThatIsGoneIsNotTrusted() throws Exception {
        primary.sizeLimit(10);
        assertThat(deliver(OptionalLong.of(24), "x@dest.test")).as("over the announced SIZE").allMatch(outcome -> outcome.kind() == RecipientOutcome.Kind.PERMANENT);
        primary.sizeLimit(100_000_000);
        primary.closeConnections();

        assertThat(deliver(OptionalLong.of(24), "y@dest.test")).as("the new session announces a larger limit").allMatch(RecipientOutcome::delivered);
        assertThat(primary.received()).hasSize(1);
    }

    @Test
    void tlsFailuresAreNamedAsRfc8460Does() {
        assertThat(OutboundDelivery.resultType("mx.test:25 offered no STARTTLS (tls=verify)")).isEqualTo("starttls-not-supported");
        assertThat(OutboundDelivery.resultType("certificate expired on 2026-01-01")).isEqualTo("certificate-expired");
        assertThat(OutboundDelivery.resultType("the certificate does not carry the name mx.test")).isEqualTo("certificate-host-mismatch");
        assertThat(OutboundDelivery.resultType("PKIX path building failed")).isEqualTo("certificate-not-trusted");
        assertThat(OutboundDelivery.resultType("handshake_failure")).isEqualTo("validation-failure");
    }
}
