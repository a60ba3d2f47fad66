package org.jamesrouting.smtpclient;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import com.google.common.net.InetAddresses;

/**
 * The names a server certificate carries (subject alternative names: DNS names and IP
 * addresses; the subject's CN only when there is no DNS name), and whether one of them is a
 * name we expect. An expected name is a host name, an IP address, or {@code .example.com} for
 * any name below example.com (Postfix's {@code match=} of the secure level). A certificate name
 * {@code *.example.com} stands for exactly one label (RFC 6125).
 */
public record CertificateNames(List<String> dnsNames, List<String> ipAddresses) {
    public CertificateNames {
        dnsNames = dnsNames.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
        ipAddresses = ipAddresses.stream().map(CertificateNames::canonicalIp).toList();
    }

    public static CertificateNames of(X509Certificate certificate) {
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    int type = (Integer) entry.get(0);
                    if (type == 2) {
                        dns.add(String.valueOf(entry.get(1)));
                    } else if (type == 7) {
                        ips.add(String.valueOf(entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable alternative names: the CN below, if any
        }
        if (dns.isEmpty()) {
            commonName(certificate).ifPresent(dns::add);
        }
        return new CertificateNames(dns, ips);
    }

    private static java.util.Optional<String> commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return java.util.Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // no CN
        }
        return java.util.Optional.empty();
    }

    /** True when some name of the certificate is one of {@code expected}. */
    public boolean matchesAny(List<String> expected) {
        return expected.stream().anyMatch(this::matches);
    }

    public boolean matches(String expected) {
        String wanted = expected.toLowerCase(Locale.ROOT);
        if (wanted.endsWith(".")) {
            wanted = wanted.substring(0, wanted.length() - 1);
        }
        if (InetAddresses.isInetAddress(wanted)) {
            return ipAddresses.contains(canonicalIp(wanted));
        }
        for (String name : dnsNames) {
            if (wanted.startsWith(".") ? below(name, wanted) : sameHost(name, wanted)) {
                return true;
            }
        }
        return false;
    }

    /** {@code name} (maybe a wildcard) is a name below {@code .suffix}. */
    private static boolean below(String name, String dotSuffix) {
        String plain = name.startsWith("*.") ? name.substring(1) : name;
        return plain.endsWith(dotSuffix) && plain.length() > dotSuffix.length() || plain.equals(dotSuffix) && name.startsWith("*.");
    }

    private static boolean sameHost(String name, String host) {
        if (name.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(name.substring(1)) && name.substring(2).contains(".");
        }
        return name.equals(host);
    }

    private static String canonicalIp(String text) {
        return InetAddresses.isInetAddress(text) ? InetAddresses.toAddrString(InetAddresses.forString(text)) : text;
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>(dnsNames);
        all.addAll(ipAddresses);
        return all.size() > 6 ? String.join(", ", all.subList(0, 6)) + ", ... (" + all.size() + " names)" : String.join(", ", all);
    }
}
