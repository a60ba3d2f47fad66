package org.jamesrouting.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;

class JpaDatabaseTest {
    private static final Path HOME = Path.of("/srv/james");

    private static JpaDatabase read(Map<String, Object> properties) {
        return JpaDatabase.from(new MapConfiguration(properties), HOME);
    }

    @Test
    void aRelativeDerbyPathIsUnderTheHomeWhateverTheWorkingDirectory() {
        JpaDatabase database = read(Map.of("database.driverClassName", "org.apache.derby.jdbc.EmbeddedDriver",
            "database.url", "jdbc:derby:var/store/derby;create=true"));
        assertThat(database.url()).isEqualTo("jdbc:derby:/srv/james/var/store/derby;create=true");
        assertThat(database.openJpaProperties())
            .containsEntry("openjpa.ConnectionURL", "jdbc:derby:/srv/james/var/store/derby;create=true")
            .containsEntry("openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver")
            .doesNotContainKeys("openjpa.ConnectionUserName", "openjpa.ConnectionPassword", "openjpa.ConnectionProperties");
    }

    @Test
    void absoluteDerbyPathsSubProtocolsAndOtherDatabasesAreKept() {
        assertThat(JpaDatabase.resolveDerbyPath("jdbc:derby:/data/derby;create=true", HOME)).isEqualTo("jdbc:derby:/data/derby;create=true");
        assertThat(JpaDatabase.resolveDerbyPath("jdbc:derby:memory:tests;create=true", HOME)).isEqualTo("jdbc:derby:memory:tests;create=true");
        assertThat(JpaDatabase.resolveDerbyPath("jdbc:derby:db", HOME)).isEqualTo("jdbc:derby:/srv/james/db");
        assertThat(JpaDatabase.resolveDerbyPath("jdbc:postgresql://127.0.0.1/james", HOME)).isEqualTo("jdbc:postgresql://127.0.0.1/james");
    }

    @Test
    void aDatabaseServerGetsItsAccountAndPoolButThePasswordIsNeverShown() {
        JpaDatabase database = read(Map.of("database.driverClassName", "org.postgresql.Driver",
            "database.url", "jdbc:postgresql://127.0.0.1:5432/james",
            "database.username", "james", "database.password", "very-secret",
            "datasource.testOnBorrow", "true", "datasource.validationQueryTimeoutSec", "2",
            "datasource.maxTotal", "8", "openjpa.jdbc.DBDictionary", "postgres"));
        assertThat(database.openJpaProperties())
            .containsEntry("openjpa.ConnectionUserName", "james")
            .containsEntry("openjpa.ConnectionPassword", "very-secret")
            .containsEntry("openjpa.jdbc.DBDictionary", "postgres");
        assertThat(database.openJpaProperties().get("openjpa.ConnectionProperties"))
            .contains("TestOnBorrow=true", "ValidationTimeout=2000", "MaxTotal=8");
        assertThat(database.toString()).contains("jdbc:postgresql://127.0.0.1:5432/james", "james").doesNotContain("very-secret");
    }

    @Test
    void aMissingUrlOrDriverOrHalfAnAccountNamesTheFileAndTheKey() {
        assertThatThrownBy(() -> read(Map.of("database.driverClassName", "org.apache.derby.jdbc.EmbeddedDriver")))
            .hasMessageContaining("conf/james-database.properties").hasMessageContaining("database.url is missing");
        assertThatThrownBy(() -> read(Map.of("database.url", "jdbc:derby:db")))
            .hasMessageContaining("database.driverClassName is missing");
        assertThatThrownBy(() -> read(Map.of("database.driverClassName", "org.postgresql.Driver",
            "database.url", "jdbc:postgresql://127.0.0.1/james", "database.password", "very-secret")))
            .hasMessageContaining("database.username and database.password go together")
            .hasMessageNotContaining("very-secret");
    }
}
