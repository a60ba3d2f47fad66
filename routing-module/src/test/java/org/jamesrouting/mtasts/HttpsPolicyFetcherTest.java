package org.jamesrouting.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jamesrouting.smtpclient.SmtpClientSettings;
import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.MailDns;
import org.jamesrouting.dns.MxLookup;
import org.jamesrouting.dns.TxtLookup;
import org.jamesrouting.testing.TestHttpsServer;
import org.jamesrouting.testing.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy fetch over real HTTPS (the JDK's server on 127.0.0.1) with a test certificate. */
class HttpsPolicyFetcherTest {
    private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.good.test\r\nmax_age: 86400\r\n";

    @TempDir
    static Path directory;
    static TestTls tls;
    static TestHttpsServer https;

    /** Every mta-sts.* name is 127.0.0.1, except mta-sts.nowhere.test. */
    private static final MailDns DNS = new MailDns() {
        @Override
        public MxLookup mx(String domain) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AddressLookup addresses(String host) {
            return host.equals("mta-sts.nowhere.test") ? new AddressLookup.NotFound()
                : new AddressLookup.Found(List.of(InetAddress.getLoopbackAddress()));
        }

        @Override
        public TxtLookup txt(String name) {
            throw new UnsupportedOperationException();
        }
    };

    @BeforeAll
    static void start() throws Exception {
        tls = TestTls.create(directory, "mta-sts.good.test", "mta-sts.redirect.test", "mta-sts.html.test", "mta-sts.big.test",
            "mta-sts.slow.test");
        https = TestHttpsServer.start(tls.serverContext())
            .serve("mta-sts.good.test", TestHttpsServer.Answer.policy(POLICY))
            .serve("mta-sts.wrongname.test", TestHttpsServer.Answer.policy(POLICY))
            .serve("mta-sts.redirect.test", new TestHttpsServer.Answer(301, "text/plain", "", Map.of("Location", "https://mta-sts.good.test/")))
            .serve("mta-sts.html.test", new TestHttpsServer.Answer(200, "text/html", "<html>" + POLICY + "</html>", Map.of()))
            .serve("mta-sts.big.test", TestHttpsServer.Answer.policy(POLICY + "x: " + "y".repeat(70_000) + "\r\n"));
    }

    @AfterAll
    static void stop() {
        https.close();
    }

    private static HttpsPolicyFetcher fetcher() throws Exception {
        return new HttpsPolicyFetcher(DNS, tls.trustManager(), https.port(), Duration.ofSeconds(5));
    }

    @Test
    void aPolicyServedWithATrustedCertificateForItsNameIsRead() throws Exception {
        assertThat(StsPolicy.parse(fetcher().fetch("good.test")).mx()).containsExactly("mx.good.test");
    }

    @Test
    void aCertificateNotTrustedOrNotForTheNameIsRefused() throws Exception {
        assertThatThrownBy(() -> new HttpsPolicyFetcher(DNS, SmtpClientSettings.trusting(null), https.port(), Duration.ofSeconds(5))
            .fetch("good.test")).hasMessageContaining("TLS");
        assertThatThrownBy(() -> fetcher().fetch("wrongname.test")).hasMessageContaining("TLS");
    }

    @Test
    void redirectsAreNotFollowedAndOnly200Counts() throws Exception {
        assertThatThrownBy(() -> fetcher().fetch("redirect.test")).hasMessageContaining("HTTP 301", "not followed");
    }

    @Test
    void onlyTextPlainAndAtMost64KilobytesAreRead() throws Exception {
        assertThatThrownBy(() -> fetcher().fetch("html.test")).hasMessageContaining("not text/plain");
        assertThatThrownBy(() -> fetcher().fetch("big.test")).hasMessageContaining("more than 65536");
    }

    @Test
    void aNameWithoutAddressIsSaidSo() {
        assertThatThrownBy(() -> fetcher().fetch("nowhere.test")).hasMessageContaining("mta-sts.nowhere.test has no address");
    }
}
