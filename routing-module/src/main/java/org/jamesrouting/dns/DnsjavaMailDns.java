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
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link MailDns} over dnsjava, asking the administrator's DNS servers (any port), with answers
 * kept in a {@link DomainNameCache} for as long as their TTL says. NXDOMAIN and "no such
 * record" are kept for {@code negativeTtl}; failures are not kept.
 */
public final class DnsjavaMailDns implements MailDns {
    private final Resolver resolver;
    private final DomainNameCache cache;
    private final Duration negativeTtl;
    private final Random random;

    public DnsjavaMailDns(List<InetSocketAddress> servers, Duration timeout, DomainNameCache cache, Duration negativeTtl, Random random) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server");
        }
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            SimpleResolver simple = new SimpleResolver(server);
            simple.setTimeout(timeout);
            resolvers.add(simple);
        }
        ExtendedResolver extended = new ExtendedResolver(resolvers);
        extended.setTimeout(timeout);
        extended.setRetries(1);
        this.resolver = extended;
        this.cache = cache;
        this.negativeTtl = negativeTtl;
        this.random = random;
    }

    public DomainNameCache cache() {
        return cache;
    }

    @Override
    public MxLookup mx(String domain) {
        DomainNameCache.Key key = new DomainNameCache.Key("MX", domain);
        Optional<Object> cached = cache.get(key);
        if (cached.isPresent()) {
            return shuffleEqualPreferences((MxLookup) cached.get());
        }
        Lookup lookup = lookup(domain, Type.MX);
        if (lookup == null) {
            return new MxLookup.NoSuchDomain();
        }
        Record[] records = lookup.run();
        MxLookup answer;
        Duration ttl;
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> {
                List<MxLookup.MxHost> hosts = new ArrayList<>();
                long minTtl = Long.MAX_VALUE;
                for (Record record : records) {
                    if (record instanceof MXRecord mx) {
                        hosts.add(new MxLookup.MxHost(withoutDot(mx.getTarget()), mx.getPriority()));
                        minTtl = Math.min(minTtl, mx.getTTL());
                    }
                }
                if (hosts.size() == 1 && hosts.get(0).host().isEmpty()) {
                    answer = new MxLookup.NullMx();
                } else {
                    hosts.removeIf(host -> host.host().isEmpty());
                    hosts.sort(Comparator.comparingInt(MxLookup.MxHost::preference));
                    answer = new MxLookup.Hosts(hosts);
                }
                ttl = Duration.ofSeconds(minTtl == Long.MAX_VALUE ? 0 : minTtl);
            }
            case Lookup.TYPE_NOT_FOUND -> {
                // No MX: the domain itself is the mail host (RFC 5321 §5.1).
                answer = new MxLookup.Hosts(List.of(new MxLookup.MxHost(domain, 0)));
                ttl = negativeTtl;
            }
            case Lookup.HOST_NOT_FOUND -> {
                answer = new MxLookup.NoSuchDomain();
                ttl = negativeTtl;
            }
            default -> {
                return new MxLookup.Failure("MX lookup of " + domain + ": " + lookup.getErrorString());
            }
        }
        cache.put(key, answer, ttl);
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
        return new MxLookup.Hosts(shuffled);
    }

    @Override
    public AddressLookup addresses(String host) {
        DomainNameCache.Key key = new DomainNameCache.Key("A/AAAA", host);
        Optional<Object> cached = cache.get(key);
        if (cached.isPresent()) {
            return (AddressLookup) cached.get();
        }
        List<InetAddress> addresses = new ArrayList<>();
        long minTtl = Long.MAX_VALUE;
        boolean anyFailure = false;
        String failure = "";
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Lookup lookup = lookup(host, type);
            if (lookup == null) {
                return new AddressLookup.NotFound();
            }
            Record[] records = lookup.run();
            int result = lookup.getResult();
            if (result == Lookup.SUCCESSFUL) {
                for (Record record : records) {
                    if (record instanceof ARecord a) {
                        addresses.add(a.getAddress());
                    } else if (record instanceof AAAARecord aaaa) {
                        addresses.add(aaaa.getAddress());
                    } else {
                        continue;
                    }
                    minTtl = Math.min(minTtl, record.getTTL());
                }
            } else if (result == Lookup.TRY_AGAIN || result == Lookup.UNRECOVERABLE) {
                anyFailure = true;
                failure = "address lookup of " + host + ": " + lookup.getErrorString();
            }
        }
        AddressLookup answer;
        if (!addresses.isEmpty()) {
            answer = new AddressLookup.Found(addresses);
            cache.put(key, answer, Duration.ofSeconds(minTtl));
        } else if (anyFailure) {
            return new AddressLookup.Failure(failure);
        } else {
            answer = new AddressLookup.NotFound();
            cache.put(key, answer, negativeTtl);
        }
        return answer;
    }

    private Lookup lookup(String name, int type) {
        try {
            Lookup lookup = new Lookup(Name.fromString(name.endsWith(".") ? name : name + "."), type);
            lookup.setResolver(resolver);
            lookup.setCache(null);
            return lookup;
        } catch (TextParseException e) {
            return null;
        }
    }

    private static String withoutDot(Name name) {
        String text = name.toString(true);
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
