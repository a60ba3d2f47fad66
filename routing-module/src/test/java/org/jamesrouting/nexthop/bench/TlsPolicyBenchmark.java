package org.jamesrouting.nexthop.bench;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.X509TrustManager;

import org.jamesrouting.nexthop.DaneDecision;
import org.jamesrouting.smtpclient.CertificateNames;
import org.jamesrouting.smtpclient.DaneVerifier;
import org.jamesrouting.smtpclient.SmtpClientSettings;
import org.jamesrouting.dns.AddressLookup;
import org.jamesrouting.dns.DnsjavaMailDns;
import org.jamesrouting.dns.DomainNameCache;
import org.jamesrouting.dns.TlsaLookup;
import org.jamesrouting.dns.TxtLookup;
import org.jamesrouting.mtasts.MtaStsPolicies;
import org.jamesrouting.route.TlsMode;
import org.jamesrouting.testing.TestTls;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What MTA-STS and DANE add to one delivery once their caches are warm (the DNS answers and the
 * policy cached, as for every mail to a domain but the first): the policy decision per MX host,
 * the DANE decision per MX host, and the certificate check of a DANE-EE record next to the
 * usual PKIX check of the same certificate. The DNS server configured is never asked.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TlsPolicyBenchmark {
    private MtaStsPolicies policies;
    private DnsjavaMailDns dns;
    private X509Certificate[] chain;
    private List<TlsaLookup.Tlsa> tlsa;
    private X509TrustManager trust;

    @Setup
    public void setUp() throws Exception {
        DomainNameCache cache = new DomainNameCache(1000, Clock.systemUTC());
        cache.put(new DomainNameCache.Key("TXT", "_mta-sts.example.test"), new TxtLookup.Found(List.of("v=STSv1; id=1;")), Duration.ofDays(1));
        dns = new DnsjavaMailDns(List.of(new InetSocketAddress("127.0.0.1", 1)), Duration.ofSeconds(1), cache, Duration.ofMinutes(5),
            new Random());
        policies = new MtaStsPolicies(dns, domain -> "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmx: *.mail.example.test\nmax_age: 86400\n",
            Optional.empty(), Clock.systemUTC(), 10_000);
        policies.policyFor("example.test");

        Path directory = Files.createTempDirectory("tls-bench");
        TestTls tls = TestTls.create(directory, "mx1.example.test");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            store.load(in, TestTls.PASSWORD.toCharArray());
        }
        chain = new X509Certificate[] {(X509Certificate) store.getCertificate("test")};
        trust = tls.trustManager();
        byte[] key = MessageDigest.getInstance("SHA-256").digest(chain[0].getPublicKey().getEncoded());
        tlsa = List.of(new TlsaLookup.Tlsa(3, 1, 1, key));
        cache.put(new DomainNameCache.Key("A/AAAA", "mx1.example.test"),
            new AddressLookup.Found(List.of(InetAddress.getByName("192.0.2.25")), true), Duration.ofDays(1));
        cache.put(new DomainNameCache.Key("TLSA", "_25._tcp.mx1.example.test"), new TlsaLookup.Found(tlsa, true), Duration.ofDays(1));
    }

    /** MTA-STS per MX host: TXT from the cache, the cached policy, the host matched. */
    @Benchmark
    public MtaStsPolicies.Decision mtaStsDecisionWarm() {
        return policies.policyFor("example.test").decide(TlsMode.MAY, "mx1.example.test");
    }

    /** DANE per MX host: address and TLSA records from the cache. */
    @Benchmark
    public DaneDecision daneDecisionWarm() {
        return DaneDecision.lookUp(dns, TlsMode.DANE, "example.test", "mx1.example.test", true, 25);
    }

    /** The certificate check with a DANE-EE 3 1 1 record: one SHA-256 of the public key. */
    @Benchmark
    public Optional<String> daneCertificateCheck() {
        return DaneVerifier.check(chain, tlsa, List.of("mx1.example.test"), new Date());
    }

    /** The usual check of the same certificate: the trust store's PKIX path validation, then its names. */
    @Benchmark
    public boolean pkixCertificateCheck() throws Exception {
        trust.checkServerTrusted(chain, "RSA");
        return CertificateNames.of(chain[0]).matchesAny(List.of("mx1.example.test"));
    }
}
