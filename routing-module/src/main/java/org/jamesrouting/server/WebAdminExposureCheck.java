package org.jamesrouting.server;

import java.io.FileNotFoundException;
import java.util.Locale;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.utils.PropertiesProvider;

/**
 * Refuses to start when webadmin — which can change routes, users and read mail — would listen
 * on anything but loopback without authentication (JWT). Runs before any server binds.
 */
public class WebAdminExposureCheck implements StartUpCheck {
    public static final String NAME = "james-routing webadmin exposure";

    private final PropertiesProvider properties;

    @Inject
    public WebAdminExposureCheck(PropertiesProvider properties) {
        this.properties = properties;
    }

    @Override
    public CheckResult check() {
        Configuration webadmin;
        try {
            webadmin = properties.getConfiguration("webadmin");
        } catch (FileNotFoundException e) {
            return good();
        } catch (ConfigurationException e) {
            return bad("conf/webadmin.properties cannot be read: " + e.getMessage());
        }
        boolean enabled = webadmin.getBoolean("enabled", false);
        String host = webadmin.getString("host", "localhost").trim().toLowerCase(Locale.ROOT);
        boolean jwt = webadmin.getBoolean("jwt.enabled", false);
        if (enabled && !isLoopback(host) && !jwt) {
            return bad("webadmin would listen on " + host + " without authentication: anyone who reaches it can change routes and read mail."
                + " In conf/webadmin.properties set host=127.0.0.1, or jwt.enabled=true with jwt.publickeypem.url");
        }
        return good();
    }

    /** {@code localhost}, or an IP literal of the loopback range; a name such as {@code 127.x.example} is not. */
    public static boolean isLoopback(String host) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (literal.equals("localhost")) {
            return true;
        }
        return com.google.common.net.InetAddresses.isInetAddress(literal)
            && com.google.common.net.InetAddresses.forString(literal).isLoopbackAddress();
    }

    private static CheckResult good() {
        return CheckResult.builder().checkName(NAME).resultType(ResultType.GOOD).build();
    }

    private static CheckResult bad(String description) {
        return CheckResult.builder().checkName(NAME).resultType(ResultType.BAD).description(description).build();
    }

    @Override
    public String checkName() {
        return NAME;
    }
}
