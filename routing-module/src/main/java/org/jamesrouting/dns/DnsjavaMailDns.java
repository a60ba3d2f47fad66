package org.jamesrouting.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link MailDns} over dnsjava, asking the administrator's DNS servers (any port), with answers
 * kept in a {@link DomainNameCache} for as long as their TTL says. NXDOMAIN and "no such
 * record" are kept as long as the zone's SOA says (RFC 2308), at most {@code negativeTtl};
 * failures (SERVFAIL, REFUSED, no answer) are not kept.
 */
public final class DnsjavaMailDns implements MailDns {
    private final DnsServerPool resolver;
    private final DomainNameCache cache;
    private final Duration negativeTtl;
    private final Random random;
    /**
     * The AD bit is believed only from DNS servers on this machine (RFC 7672 §2.1, RFC 6698
     * §4.1: on a network path it could be forged); with a server elsewhere nothing is
     * authenticated and DANE does not apply.
     */
    private final boolean trustsAuthenticatedData;

    public DnsjavaMailDns(List<InetSocketAddress> servers, Duration timeout, DomainNameCache cache, Duration negativeTtl, Random random) {
        this.resolver = new DnsServerPool(servers, timeout, java.time.Clock.systemUTC());
        this.trustsAuthenticatedData = servers.stream().allMatch(server -> server.getAddress() != null && server.getAddress().isLoopbackAddress());
        this.cache = cache;
        this.negativeTtl = negativeTtl;
        this.random = random;
    }

    public DomainNameCache cache() {
        return cache;
    }

    @Override
    public List<DnsServerPool.ServerStatus> servers() {
        return resolver.status();
    }

    /** One DNS answer: its records of the asked type, or a negative answer with its TTL (RFC 2308), or a failure. */
    private record Answer(List<Record> records, boolean noSuchDomain, Duration ttl, String failure, boolean authenticated) {
        Answer(List<Record> records, boolean noSuchDomain, Duration ttl, String failure) {
            this(records, noSuchDomain, ttl, failure, false);
        }

        boolean failed() {
            return failure != null;
        }
    }

    private Answer query(String name, int type) {
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return new Answer(List.of(), true, negativeTtl, null);
        }
        Message response;
        try {
            Message question = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
            // RFC 6840 §5.7: a query with AD set asks a validating resolver to say whether it validated the answer
            question.getHeader().setFlag(Flags.AD);
            response = resolver.send(question);
        } catch (java.io.IOException e) {
            return new Answer(List.of(), false, Duration.ZERO, Type.string(type) + " lookup of " + name + ": " + e.getMessage());
        }
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return new Answer(List.of(), false, Duration.ZERO, Type.string(type) + " lookup of " + name + ": " + Rcode.string(rcode));
        }
        boolean authenticated = trustsAuthenticatedData && response.getHeader().getFlag(Flags.AD);
        List<Record> records = new ArrayList<>();
        for (Record record : response.getSection(Section.ANSWER)) {
            if (record.getType() == type) {
                records.add(record);
            }
        }
        if (!records.isEmpty()) {
            long ttl = records.stream().mapToLong(Record::getTTL).min().orElse(0);
            return new Answer(records, false, Duration.ofSeconds(ttl), null, authenticated);
        }
        // Negative answer: kept as long as the zone's SOA says (RFC 2308), never longer than negativeTtl.
        Duration ttl = negativeTtl;
        for (Record record : response.getSection(Section.AUTHORITY)) {
            if (record instanceof SOARecord soa) {
                Duration soaTtl = Duration.ofSeconds(Math.min(soa.getTTL(), soa.getMinimum()));
                ttl = soaTtl.compareTo(negativeTtl) < 0 ? soaTtl : negativeTtl;
            }
        }
        return new Answer(List.of(), rcode == Rcode.NXDOMAIN, ttl, null, authenticated);
    }

    @Override
    public MxLookup mx(String domain) {
        DomainNameCache.Key key = new DomainNameCache.Key("MX", domain);
        Optional<Object> cached = cache.get(key);
        if (cached.isPresent()) {
            return shuffleEqualPreferences((MxLookup) cached.get());
        }
        Answer response = query(domain, Type.MX);
        if (response.failed()) {
            return new MxLookup.Failure(response.failure());
        }
        MxLookup answer;
        if (response.noSuchDomain()) {
            answer = new MxLookup.NoSuchDomain();
        } else if (response.records().isEmpty()) {
            // No MX: the domain itself is the mail host (RFC 5321 §5.1).
            answer = new MxLookup.Hosts(List.of(new MxLookup.MxHost(domain, 0)), response.authenticated());
        } else {
            List<MxLookup.MxHost> hosts = new ArrayList<>();
            for (Record record : response.records()) {
                MXRecord mx = (MXRecord) record;
                hosts.add(new MxLookup.MxHost(withoutDot(mx.getTarget()), mx.getPriority()));
            }
            if (hosts.size() == 1 && hosts.get(0).host().isEmpty()) {
                answer = new MxLookup.NullMx();
            } else {
                hosts.removeIf(host -> host.host().isEmpty());
                hosts.sort(Comparator.comparingInt(MxLookup.MxHost::preference));
                answer = new MxLookup.Hosts(hosts, response.authenticated());
            }
        }
        cache.put(key, answer, response.ttl());
        return shuffleEqualPreferences(answer);
    }

    private MxLookup shuffleEqualPreferences(MxLookup answer) {
        if (!(answer instanceof MxLookup.Hosts hosts) || hosts.hosts().size() < 2) {
            return answer;
        }
        List<MxLookup.MxHost> shuffled = new ArrayList<>();
        List<MxLookup.MxHost> sameRank = new ArrayList<>();
        for (MxLookup.MxHost host : hosts.hosts()) {
            if (!sameRank.isEmpty() && sameRank.get(0).preference() != host.preference()) {
                Collections.shuffle(sameRank, random);
                shuffled.addAll(sameRank);
                sameRank.clear();
            }
            sameRank.add(host);
        }
        Collections.shuffle(sameRank, random);
        shuffled.addAll(sameRank);
        return new MxLookup.Hosts(shuffled, hosts.authenticated());
    }

    @Override
    public AddressLookup addresses(String host) {
        DomainNameCache.Key key = new DomainNameCache.Key("A/AAAA", host);
        Optional<Object> cached = cache.get(key);
        if (cached.isPresent()) {
            return (AddressLookup) cached.get();
        }
        List<InetAddress> addresses = new ArrayList<>();
        Duration ttl = null;
        String failure = null;
        boolean authenticated = true;
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Answer response = query(host, type);
            if (response.failed()) {
                failure = response.failure();
                continue;
            }
            for (Record record : response.records()) {
                addresses.add(record instanceof ARecord a ? a.getAddress() : ((AAAARecord) record).getAddress());
            }
            authenticated &= response.authenticated();
            ttl = ttl == null || response.ttl().compareTo(ttl) < 0 ? response.ttl() : ttl;
        }
        AddressLookup answer;
        if (!addresses.isEmpty()) {
            answer = new AddressLookup.Found(addresses, authenticated && failure == null);
        } else if (failure != null) {
            return new AddressLookup.Failure(failure);
        } else {
            answer = new AddressLookup.NotFound();
        }
        cache.put(key, answer, ttl == null ? Duration.ZERO : ttl);
        return answer;
    }

    /** One record type at one name: from the cache, else asked and kept for its TTL; a failure is never kept. */
    private <T> T lookUp(String name, int type, java.util.function.Function<String, T> failure, java.util.function.Function<Answer, T> read) {
        DomainNameCache.Key key = new DomainNameCache.Key(Type.string(type), name);
        Optional<Object> cached = cache.get(key);
        if (cached.isPresent()) {
            @SuppressWarnings("unchecked")
            T answer = (T) cached.get();
            return answer;
        }
        Answer response = query(name, type);
        if (response.failed()) {
            return failure.apply(response.failure());
        }
        T answer = read.apply(response);
        cache.put(key, answer, response.ttl());
        return answer;
    }

    @Override
    public TxtLookup txt(String name) {
        return lookUp(name, Type.TXT, TxtLookup.Failure::new, response -> response.records().isEmpty() ? new TxtLookup.NotFound()
            : new TxtLookup.Found(response.records().stream()
                .map(record -> String.join("", ((TXTRecord) record).getStrings()))
                .toList()));
    }

    @Override
    public boolean dnssec() {
        return trustsAuthenticatedData;
    }

    @Override
    public TlsaLookup tlsa(String host, int port) {
        return lookUp("_" + port + "._tcp." + host, Type.TLSA, TlsaLookup.Failure::new, response -> response.records().isEmpty()
            ? new TlsaLookup.NotFound(response.authenticated())
            : new TlsaLookup.Found(response.records().stream()
                .map(record -> (TLSARecord) record)
                .map(tlsa -> new TlsaLookup.Tlsa(tlsa.getCertificateUsage(), tlsa.getSelector(), tlsa.getMatchingType(),
                    tlsa.getCertificateAssociationData()))
                .toList(), response.authenticated()));
    }

    private static String withoutDot(Name name) {
        String text = name.toString(true);
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
