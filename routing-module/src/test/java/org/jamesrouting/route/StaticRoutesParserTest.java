package org.jamesrouting.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class StaticRoutesParserTest {
    private static final StaticRoutesParser.SecretSource SECRETS = new StaticRoutesParser.SecretSource() {
        @Override
        public Optional<String> environment(String variable) {
            return Optional.ofNullable(Map.of("PARTNER_PASS", "from-env").get(variable));
        }

        @Override
        public String file(String path) throws IOException {
            if (path.equals("/secrets/isp.pass")) {
                return "from-file\n";
            }
            throw new NoSuchFileException(path);
        }
    };

    private static List<Route> parse(String content) {
        return new StaticRoutesParser(SECRETS).parse("conf/routes.conf", content);
    }

    @Test
    void readsRoutesInOrderWithTheirOptions() {
        List<Route> routes = parse("""
            # pattern         hosts                                  options
            *.example.com     mx1.example.com:2525, mx2.example.com  tls=starttls-required
            partner.test      [2001:db8::1]:465   tls=implicit auth=relay password-env=PARTNER_PASS id=partner
            boss@example.org  192.0.2.10:587      auth=me password-file=/secrets/isp.pass comment="boss's # mail"
            *                 smtp.isp.example:587 enabled=false password="p#ss" auth=x   # smart host, off
            """);

        assertThat(routes).hasSize(4);
        Route first = routes.get(0);
        assertThat(first.id()).isEqualTo("static-1");
        assertThat(first.source()).isEqualTo(Route.Source.STATIC);
        assertThat(first.pattern().asString()).isEqualTo("*.example.com");
        assertThat(first.hosts()).extracting(MailHost::asString).containsExactly("mx1.example.com:2525", "mx2.example.com:25");
        assertThat(first.tls()).isEqualTo(TlsMode.VERIFY);
        assertThat(first.auth()).isEmpty();

        assertThat(routes.get(1).id()).isEqualTo("partner");
        assertThat(routes.get(1).tls()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(routes.get(1).auth()).contains(new RelayAuth("relay", "from-env"));

        assertThat(routes.get(2).auth()).contains(new RelayAuth("me", "from-file"));
        assertThat(routes.get(2).comment()).isEqualTo("boss's # mail");
        assertThat(routes.get(2).tls()).isEqualTo(Route.DEFAULT_TLS);

        assertThat(routes.get(3).enabled()).isFalse();
        assertThat(routes.get(3).auth()).contains(new RelayAuth("x", "p#ss"));
    }

    @Test
    void readsConditions() {
        List<Route> routes = parse("""
            *                  relay.sales.test   sender=*@sales.example.com
            partner.test       bulk.partner.test  header:X-Route=bulk header:Subject~"*big invoice*" auth-user=app%@*
            bounces.test       b.test             sender=<>
            """);
        assertThat(routes.get(0).conditions().sender()).contains("*@sales.example.com");
        assertThat(routes.get(1).conditions().headers()).containsExactly("X-Route=bulk", "Subject~*big invoice*");
        assertThat(routes.get(1).conditions().authUser()).contains("app%@*");
        assertThat(routes.get(2).conditions().sender()).contains("<>");
        assertThatThrownBy(() -> new StaticRoutesParser(StaticRoutesParser.SecretSource.SYSTEM).parseRelay("relay.test sender=*@x", "<smarthost>"))
            .hasMessage("<smarthost>: option 'sender' is for routes only");
    }

    @Test
    void readsEveryTlsLevelAndTheOlderWords() {
        List<Route> routes = parse("""
            a.test relay.test tls=none
            b.test relay.test tls=may
            c.test relay.test tls=encrypt auth=me password=x
            d.test relay.test tls=verify
            e.test relay.test tls=secure tls-match=relay.example.net:.Example.COM
            f.test relay.test tls=implicit-encrypt
            g.test relay.test tls=starttls
            h.test relay.test tls=starttls-required
            i.test relay.test tls=implicit-secure
            """);
        assertThat(routes).extracting(route -> route.tls().describe()).containsExactly("none", "may", "encrypt", "verify",
            "secure match=relay.example.net:.example.com", "implicit-encrypt", "may", "verify", "implicit-secure");
        assertThat(routes.get(4).tls().certificateNames("mx.e.test", java.util.Optional.of("e.test")))
            .containsExactly("relay.example.net", ".example.com");
        assertThat(routes.get(8).tls().certificateNames("mx.i.test", java.util.Optional.of("i.test")))
            .containsExactly("i.test", ".i.test");
        assertThat(routes.get(3).tls().certificateNames("mx.d.test", java.util.Optional.of("d.test"))).containsExactly("mx.d.test");
        RouteJson json = RouteJson.of(routes.get(4), false);
        assertThat(json.tls).isEqualTo("secure");
        assertThat(json.toRoute("x", Route.Source.DYNAMIC).tls()).isEqualTo(routes.get(4).tls());
    }

    @Test
    void namesFileLineAndProblem() {
        assertThatThrownBy(() -> parse("example.com mx.example.com\n\nsales*@ mx.example.com"))
            .isInstanceOf(RouteTableException.class)
            .hasMessageStartingWith("conf/routes.conf line 3: bad pattern: 'sales*@': empty domain part");
        assertThatThrownBy(() -> parse("example.com mx header:X-Route"))
            .hasMessage("conf/routes.conf line 1: header condition 'X-Route': expected Name=value or Name~pattern");
        assertThatThrownBy(() -> parse("example.com mx sender=a sender=b"))
            .hasMessage("conf/routes.conf line 1: option 'sender' given twice");
        assertThatThrownBy(() -> parse("example.com"))
            .hasMessage("conf/routes.conf line 1: expected 'pattern mail-hosts [options]', got only 'example.com'");
        assertThatThrownBy(() -> parse("example.com mx:99999"))
            .hasMessage("conf/routes.conf line 1: 'mx:99999': port 99999 is not from 1 to 65535");
        assertThatThrownBy(() -> parse("example.com mx tls=maybe"))
            .hasMessageStartingWith("conf/routes.conf line 1: 'maybe' is not a TLS level");
        assertThatThrownBy(() -> parse("example.com mx tls=none auth=me password=Hunter2Secret"))
            .hasMessageStartingWith("conf/routes.conf line 1: tls=none with credentials (auth=me): credentials are only sent over TLS")
            .hasMessageNotContaining("Hunter2Secret");
        assertThatThrownBy(() -> parse("example.com mx tls=verify tls-match=.example.com"))
            .hasMessage("conf/routes.conf line 1: tls-match is for tls=secure (or implicit-secure), not verify");
        assertThatThrownBy(() -> parse("example.com mx tls=implicit-may"))
            .hasMessageStartingWith("conf/routes.conf line 1: 'implicit-may' is not a TLS level");
        assertThatThrownBy(() -> parse("example.com mx colour=blue"))
            .hasMessageStartingWith("conf/routes.conf line 1: unknown option 'colour'");
        assertThatThrownBy(() -> parse("example.com mx auth=me"))
            .hasMessageStartingWith("conf/routes.conf line 1: auth=me needs a password");
        assertThatThrownBy(() -> parse("example.com mx password=x"))
            .hasMessage("conf/routes.conf line 1: a password needs auth=<user>");
        assertThatThrownBy(() -> parse("example.com mx auth=me password-env=NOPE"))
            .hasMessage("conf/routes.conf line 1: environment variable 'NOPE' (password-env) is not set");
        assertThatThrownBy(() -> parse("example.com mx auth=me password-file=/nope"))
            .hasMessageStartingWith("conf/routes.conf line 1: cannot read password-file /nope");
        assertThatThrownBy(() -> parse("a.test relay.test id=x\nb.test relay.test id=x"))
            .hasMessage("conf/routes.conf line 2: route id 'x' is used twice");
        assertThatThrownBy(() -> parse("a.test relay.test comment=\"open"))
            .hasMessage("conf/routes.conf line 1: a quote is not closed");
        assertThatThrownBy(() -> parse("a.test mx1,,mx2"))
            .hasMessageContaining("empty mail host");
    }

    @Test
    void passwordsNeverShowInRoutesText() {
        Route route = parse("a.test relay.test auth=me password=hunter2").get(0);
        assertThat(route.toString()).doesNotContain("hunter2").contains("me:****");
    }

    /** Secrets audit: whatever is wrong with a line, its password is not in the error, nor in a route's text. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "a.example relay.example:2525 auth=u password=Hunter2Secret bogus",
        "a.example relay.example:2525 auth=u password=Hunter2Secret tls=sometimes",
        "a.example relay.example:2525 auth=u password=Hunter2Secret tls=none",
        "a.example relay.example:99999 auth=u password=Hunter2Secret",
        "a.example relay.example auth=u password=Hunter2Secret password=Hunter2Secret",
        "a.example relay.example password=Hunter2Secret",
        "a.example relay.example auth=u password=Hunter2Secret enabled=perhaps",
        "a.example auth=u password=Hunter2Secret",
        "a..example relay.example auth=u password=Hunter2Secret",
        "a.example relay.example auth=u password=\"Hunter2Secret"})
    void aBadLineNeverShowsItsPassword(String line) {
        assertThatThrownBy(() -> parse(line))
            .isInstanceOf(RouteTableException.class)
            .satisfies(error -> assertThat(error.getMessage()).doesNotContain("Hunter2Secret").startsWith("conf/routes.conf line 1"));
    }

    @Test
    void aRouteWithAPasswordNeverShowsIt() {
        Route route = parse("a.example relay.example:2525 auth=u password=Hunter2Secret").get(0);

        assertThat(route.toString()).doesNotContain("Hunter2Secret");
        assertThat(route.auth().orElseThrow().toString()).doesNotContain("Hunter2Secret");
        assertThat(route.auth().orElseThrow().password()).isEqualTo("Hunter2Secret");
    }

    @Test
    void readsARoutesOwnRetryRuleAndWritesItBackTheSameInJson() {
        Route route = parse("partner.test mx.partner.test retry=1m,10m,1h max-age=1d id=partner").get(0);

        assertThat(route.retry().delays()).contains(List.of(java.time.Duration.ofMinutes(1), java.time.Duration.ofMinutes(10),
            java.time.Duration.ofHours(1)));
        assertThat(route.retry().maxAge()).contains(java.time.Duration.ofDays(1));
        assertThat(route.toString()).contains("retry=1m,10m,1h max-age=1d");
        RouteJson json = RouteJson.of(route, false);
        assertThat(json.retry).isEqualTo("1m,10m,1h");
        assertThat(json.maxAge).isEqualTo("1d");
        assertThat(json.toRoute("partner", Route.Source.DYNAMIC).retry()).isEqualTo(route.retry());
        assertThat(parse("a.test mx.a.test").get(0).retry()).isEqualTo(RetryRule.NONE);
    }

    @Test
    void readsDelaysByKindOfDeferralAndWritesThemBack() {
        Route route = parse("partner.test mx.partner.test retry=1h Retry.Connect=1m,5m retry.4.2.2=4h id=partner").get(0);

        assertThat(route.retry().byError().texts()).containsExactly(java.util.Map.entry("4.2.2", "4h"), java.util.Map.entry("connect", "1m,5m"));
        assertThat(route.toString()).contains("retry=1h retry.4.2.2=4h retry.connect=1m,5m");
        RouteJson json = RouteJson.of(route, false);
        assertThat(json.retryOn).containsEntry("connect", "1m,5m");
        assertThat(json.toRoute("partner", Route.Source.DYNAMIC).retry()).isEqualTo(route.retry());
        assertThatThrownBy(() -> parse("a.test mx\nb.test mx retry.later=1m"))
            .hasMessageStartingWith("conf/routes.conf line 2: 'later' is not a kind of deferral");
        assertThatThrownBy(() -> parse("a.test mx retry.connect=1m retry.CONNECT=2m")).hasMessageContaining("line 1: option 'retry.connect' given twice");
        assertThatThrownBy(() -> parse("a.test mx retry.connect=never")).hasMessageContaining("line 1: retry.connect: 'never' is not a duration");
        assertThatThrownBy(() -> new StaticRoutesParser(SECRETS).parseRelay("relay.test:587 retry.connect=1m", "<smarthost>"))
            .hasMessageContaining("<smarthost>: option 'retry.<kind>' is for routes only: <retrySchedule>, <retryOn> and <maxAge>");
    }

    @Test
    void aBadRetryRuleNamesTheLineAndTheOption() {
        assertThatThrownBy(() -> parse("a.test mx\nb.test mx retry=soon"))
            .hasMessageStartingWith("conf/routes.conf line 2: retry: 'soon' is not a duration");
        assertThatThrownBy(() -> parse("a.test mx max-age=0d")).hasMessageContaining("line 1: max-age: give a duration above zero");
        assertThatThrownBy(() -> parse("a.test mx retry=0s")).hasMessageContaining("line 1: retry: give delays above zero");
        assertThatThrownBy(() -> new StaticRoutesParser(SECRETS).parseRelay("relay.test:587 retry=1m", "<smarthost>"))
            .hasMessageContaining("<smarthost>: option 'retry' is for routes only: <retrySchedule>, <retryOn> and <maxAge>");
        RouteJson json = new RouteJson();
        json.pattern = "a.test";
        json.hosts = List.of("mx.a.test");
        json.maxAge = "forever";
        assertThatThrownBy(() -> json.toRoute("x", Route.Source.DYNAMIC)).hasMessageStartingWith("max-age: 'forever' is not a duration");
    }

    @Test
    void readsARoutesRateAndRefusesABadOne() {
        Route route = parse("bulk.test mx.bulk.test rate=600/h id=bulk").get(0);

        assertThat(route.rate()).contains(Rate.parse("600/h"));
        assertThat(route.rate().orElseThrow().interval()).isEqualTo(java.time.Duration.ofSeconds(6));
        assertThat(RouteJson.of(route, false).rate).isEqualTo("600/h");
        assertThat(RouteJson.of(route, false).toRoute("bulk", Route.Source.DYNAMIC).rate()).isEqualTo(route.rate());
        assertThatThrownBy(() -> parse("a.test mx rate=lots")).hasMessageStartingWith("conf/routes.conf line 1: rate: 'lots' is not a rate");
        assertThatThrownBy(() -> new StaticRoutesParser(SECRETS).parseRelay("relay.test:587 rate=1/s", "<smarthost>"))
            .hasMessageContaining("option 'rate' is for routes only");
    }

    @Test
    void readsARoutesBatchingAndRefusesABadOne() {
        Route route = parse("bulk.test mx.bulk.test recipients-per-message=10 messages-per-connection=3 id=bulk").get(0);

        assertThat(route.batching()).isEqualTo(Batching.of(10, 3));
        assertThat(route.toString()).contains("recipients-per-message=10 messages-per-connection=3");
        RouteJson json = RouteJson.of(route, false);
        assertThat(json.recipientsPerMessage).isEqualTo(10);
        assertThat(json.messagesPerConnection).isEqualTo(3);
        assertThat(json.toRoute("bulk", Route.Source.DYNAMIC).batching()).isEqualTo(route.batching());
        assertThat(parse("other.test mx.other.test messages-per-connection=1").get(0).batching())
            .as("what a route leaves out comes from the mailet").isEqualTo(new Batching(java.util.OptionalInt.empty(), java.util.OptionalInt.of(1)))
            .extracting(batching -> batching.orElse(Batching.of(50, 100))).isEqualTo(Batching.of(50, 1));
        assertThatThrownBy(() -> parse("a.test mx recipients-per-message=0"))
            .hasMessageStartingWith("conf/routes.conf line 1: recipients-per-message '0' should be a whole number from 1 to 10000");
        assertThatThrownBy(() -> parse("a.test mx messages-per-connection=many"))
            .hasMessageStartingWith("conf/routes.conf line 1: messages-per-connection 'many' should be a whole number from 1 to 10000");
        json.recipientsPerMessage = -1;
        assertThatThrownBy(() -> json.toRoute("x", Route.Source.DYNAMIC)).hasMessageStartingWith("recipients-per-message '-1' should be");
        assertThatThrownBy(() -> new StaticRoutesParser(SECRETS).parseRelay("relay.test:587 messages-per-connection=5", "<smarthost>"))
            .hasMessageContaining("option 'messages-per-connection' is for routes only").hasMessageContaining("<messagesPerConnection>");
    }

    @Test
    void readsNextHopKindsAndIdentitiesAndWritesThemBack() {
        List<Route> routes = parse("""
            partner.test  MX
            hosted.test   mx:Provider.TEST  tls=verify
            news.test     default  bind=127.0.0.2 helo=News.Example.TEST
            named.test    mx:2525
            """);

        assertThat(routes.get(0).nextHop()).isEqualTo(NextHop.MX);
        assertThat(routes.get(1).nextHop()).isEqualTo(NextHop.mxOf("provider.test"));
        assertThat(routes.get(1).nextHop().asString()).isEqualTo("mx:provider.test");
        assertThat(routes.get(2).nextHop()).isEqualTo(NextHop.DEFAULT);
        assertThat(routes.get(2).identity().asOptions()).isEqualTo("bind=127.0.0.2 helo=news.example.test");
        assertThat(routes.get(3).hosts()).as("mx:2525 is a host named mx").containsExactly(MailHost.parse("mx:2525", 25));
        RouteJson json = RouteJson.of(routes.get(2), false);
        assertThat(json.hosts).isNull();
        assertThat(json.nextHop).isEqualTo("default");
        assertThat(json.toRoute(routes.get(2).id(), Route.Source.DYNAMIC)).isEqualTo(routes.get(2).toBuilder().source(Route.Source.DYNAMIC).build());
    }

    @Test
    void badKindsAndIdentitiesNameTheLine() {
        assertThatThrownBy(() -> parse("a.test mx\nb.test mx:bad..domain")).hasMessageStartingWith("conf/routes.conf line 2: mx:bad..domain: not a domain");
        assertThatThrownBy(() -> parse("a.test mx auth=me password=secret tls=verify"))
            .hasMessageContaining("line 1: credentials (auth=) are for a route's own mail hosts");
        assertThatThrownBy(() -> parse("a.test mx bind=mail.example.com")).hasMessageContaining("line 1: bind: 'mail.example.com' is not an IP address");
        assertThatThrownBy(() -> parse("a.test mx helo=localhost")).hasMessageContaining("line 1: helo: 'localhost' is not fully qualified");
        assertThatThrownBy(() -> parse("a.test mx bind=192.0.2.77")).hasMessageContaining("line 1: bind=192.0.2.77: cannot be bound on this machine");
    }

    @Test
    void readsWeightsAndOrderAndWritesThemBack() {
        List<Route> routes = parse("""
            spread.test  a.test*3,b.test:2525*1  id=spread
            even.test    a.test,b.test  order=random id=even
            """);

        assertThat(routes.get(0).nextHop().choice()).isEqualTo(HostChoice.weighted(List.of(3, 1)));
        assertThat(routes.get(1).nextHop().choice()).isEqualTo(HostChoice.RANDOM);
        assertThat(routes.get(1).toString()).contains("a.test:25,b.test:25 order=random");
        RouteJson json = RouteJson.of(routes.get(0), false);
        assertThat(json.hosts).containsExactly("a.test:25*3", "b.test:2525*1");
        assertThat(json.toRoute("spread", Route.Source.DYNAMIC).nextHop()).isEqualTo(routes.get(0).nextHop());
        assertThat(RouteJson.of(routes.get(1), false).order).isEqualTo("random");
        assertThatThrownBy(() -> parse("a.test a.test*2,b.test*1 order=random")).hasMessageContaining("line 1: order=random: the hosts have weights");
        assertThatThrownBy(() -> parse("a.test mx order=random")).hasMessageContaining("line 1: order=random: for a route's own hosts, not mx");
    }

    @Test
    void readsRecipientVerification() {
        Route route = parse("internal.test exchange.internal.test verify=rcpt").get(0);

        assertThat(route.verifyRecipients()).isTrue();
        assertThat(route.toString()).contains("verify=rcpt");
        assertThat(RouteJson.of(route, false).verify).isEqualTo("rcpt");
        assertThat(RouteJson.of(route, false).toRoute(route.id(), Route.Source.STATIC)).isEqualTo(route);
        assertThat(parse("a.test relay.test verify=none").get(0).verifyRecipients()).isFalse();
        assertThatThrownBy(() -> parse("a.test relay.test verify=maybe")).hasMessageContaining("line 1: verify: 'maybe' is not rcpt or none");
        assertThatThrownBy(() -> parse("a.test mx verify=rcpt")).hasMessageContaining("line 1: verify=rcpt asks a route's own mail hosts: mx has none");
        assertThatThrownBy(() -> new StaticRoutesParser(SECRETS).parseRelay("relay.test:587 verify=rcpt", "<smarthost>"))
            .hasMessageContaining("<smarthost>: option 'verify' is for routes only");
    }
}
