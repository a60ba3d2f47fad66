package org.jamesrouting.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.configuration2.Configuration;

/**
 * Where the JPA backends keep domains, users, aliases and mailboxes: read from
 * {@code conf/james-database.properties}, with the keys of James's own JPA application
 * ({@code database.driverClassName}, {@code database.url}, {@code database.username},
 * {@code database.password}, {@code datasource.*}, {@code openjpa.*}). An embedded Derby
 * database given by a relative path lives under the server's home, whatever the working
 * directory of the process. The password is never part of {@link #toString()}.
 */
public final class JpaDatabase {
    static final String FILE = "james-database";
    private static final String DERBY = "jdbc:derby:";

    private final String driver;
    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;
    private final Map<String, String> dataSource;
    private final Map<String, String> openJpa;

    private JpaDatabase(String driver, String url, Optional<String> username, Optional<String> password,
                        Map<String, String> dataSource, Map<String, String> openJpa) {
        this.driver = driver;
        this.url = url;
        this.username = username;
        this.password = password;
        this.dataSource = Map.copyOf(dataSource);
        this.openJpa = Map.copyOf(openJpa);
    }

    /** @throws IllegalArgumentException naming the file and the key, for a missing driver or URL */
    public static JpaDatabase from(Configuration conf, Path home) {
        String driver = required(conf, "database.driverClassName");
        String url = resolveDerbyPath(required(conf, "database.url"), home);
        Optional<String> username = optional(conf, "database.username");
        Optional<String> password = optional(conf, "database.password");
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("conf/" + FILE + ".properties: database.username and database.password go together (one of them is missing)");
        }
        return new JpaDatabase(driver, url, username, password, withPrefix(conf, "datasource"), withPrefix(conf, "openjpa"));
    }

    private static String required(Configuration conf, String key) {
        return optional(conf, key).orElseThrow(() -> new IllegalArgumentException(
            "conf/" + FILE + ".properties: " + key + " is missing (see docs/storage.md)"));
    }

    private static Optional<String> optional(Configuration conf, String key) {
        return Optional.ofNullable(conf.getString(key, null)).map(String::trim).filter(value -> !value.isEmpty());
    }

    private static Map<String, String> withPrefix(Configuration conf, String prefix) {
        Map<String, String> found = new LinkedHashMap<>();
        for (Iterator<String> keys = conf.getKeys(prefix); keys.hasNext(); ) {
            String key = keys.next();
            found.put(key, conf.getString(key));
        }
        return found;
    }

    /**
     * {@code jdbc:derby:var/store/derby;create=true} becomes {@code jdbc:derby:<home>/var/store/derby;create=true}.
     * Absolute paths and Derby's sub-protocols ({@code memory:}, {@code directory:} ...) are kept.
     */
    static String resolveDerbyPath(String url, Path home) {
        if (!url.startsWith(DERBY)) {
            return url;
        }
        String rest = url.substring(DERBY.length());
        int attributes = rest.indexOf(';');
        String name = attributes < 0 ? rest : rest.substring(0, attributes);
        if (name.isEmpty() || name.contains(":") || Path.of(name).isAbsolute()) {
            return url;
        }
        return DERBY + home.resolve(name).normalize() + (attributes < 0 ? "" : rest.substring(attributes));
    }

    public String url() {
        return url;
    }

    /** The properties OpenJPA is given: connection, pool ({@code openjpa.ConnectionProperties}) and any {@code openjpa.*} of the file. */
    Map<String, String> openJpaProperties() {
        Map<String, String> properties = new LinkedHashMap<>(openJpa);
        properties.put("openjpa.ConnectionDriverName", driver);
        properties.put("openjpa.ConnectionURL", url);
        username.ifPresent(user -> properties.put("openjpa.ConnectionUserName", user));
        password.ifPresent(secret -> properties.put("openjpa.ConnectionPassword", secret));
        List<String> pool = new ArrayList<>();
        Optional.ofNullable(dataSource.get("datasource.testOnBorrow")).ifPresent(value -> pool.add("TestOnBorrow=" + value));
        Optional.ofNullable(dataSource.get("datasource.validationQueryTimeoutSec"))
            .ifPresent(value -> pool.add("ValidationTimeout=" + Integer.parseInt(value.trim()) * 1000));
        Optional.ofNullable(dataSource.get("datasource.validationQuery")).ifPresent(value -> pool.add("ValidationSQL='" + value + "'"));
        Optional.ofNullable(dataSource.get("datasource.maxTotal")).ifPresent(value -> pool.add("MaxTotal=" + value));
        if (!pool.isEmpty()) {
            properties.put("openjpa.ConnectionProperties", String.join(",", pool));
        }
        return properties;
    }

    @Override
    public String toString() {
        return "database " + url + username.map(user -> " as " + user).orElse("");
    }
}
