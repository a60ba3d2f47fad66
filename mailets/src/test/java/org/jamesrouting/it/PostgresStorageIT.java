package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;

import org.jamesrouting.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on PostgreSQL instead of its embedded Derby database, with only
 * conf/james-database.properties changed (as docs/storage.md says): a real PostgreSQL started by
 * the test on 127.0.0.1 with password authentication. Domains, users and mail land in its
 * tables, survive a restart, and the database password is nowhere in the server's output.
 */
class PostgresStorageIT {
    private static final String DATABASE_PASSWORD = "pg-Secret-4711";

    @TempDir
    Path directory;

    @Test
    void domainsUsersAndMailboxesLiveInPostgresqlAcrossARestart() throws Exception {
        try (PostgresServer postgres = PostgresServer.start(JamesHome.freePort(), DATABASE_PASSWORD)) {
            JamesHome home = JamesHome.fromProjectConf(directory).edit("james-database.properties", text -> text
                .replace("database.driverClassName=org.apache.derby.jdbc.EmbeddedDriver", "database.driverClassName=org.postgresql.Driver")
                .replace("database.url=jdbc:derby:var/store/derby;create=true", "database.url=" + postgres.jdbcUrl())
                .replace("#database.username=james\n#database.password=secret",
                    "database.username=" + PostgresServer.USER + "\ndatabase.password=" + DATABASE_PASSWORD));
            WebAdminClient webAdmin = new WebAdminClient(home.webAdminPort());
            Mailboxes mailboxes = new Mailboxes(home.imapPort());
            String id;
            String console;
            try (JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                webAdmin.addDomain("pg.test");
                webAdmin.addUser("dora@pg.test", "dorapass");
                String message = SmtpTestClient.message("sender@outside.test", "dora@pg.test", "stored in PostgreSQL");
                try (SmtpTestClient smtp = SmtpTestClient.connect(home.smtpPort())) {
                    assertThat(smtp.send("sender@outside.test", List.of("dora@pg.test"), message).dataReply().code()).isEqualTo(250);
                }
                id = SmtpTestClient.messageId(message);
                mailboxes.awaitMessageId("dora@pg.test", "dorapass", id);
            }
            try (Connection sql = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, DATABASE_PASSWORD)) {
                assertThat(strings(sql, "SELECT domain_name FROM james_domain")).contains("pg.test");
                assertThat(strings(sql, "SELECT user_name FROM james_user")).contains("dora@pg.test");
                assertThat(strings(sql, "SELECT count(*) FROM james_mail")).containsExactly("1");
            }
            assertThat(Files.exists(home.directory().resolve("var/store/derby"))).as("no Derby database beside it").isFalse();

            try (JamesProcess james = JamesProcess.launchRoutingServer(home).awaitStarted()) {
                assertThat(webAdmin.get("/domains").body()).contains("pg.test");
                assertThat(mailboxes.inbox("dora@pg.test", "dorapass")).extracting(m -> m.getMessageID()).containsExactly(id);
                console = james.console();
            }
            assertThat(console).contains("jdbc:postgresql://127.0.0.1").doesNotContain(DATABASE_PASSWORD);
            try (var logs = Files.walk(home.directory().resolve("logs"))) {
                for (Path log : logs.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(log)).as(log.toString()).doesNotContain(DATABASE_PASSWORD);
                }
            }
        }
    }

    private static List<String> strings(Connection sql, String query) throws Exception {
        List<String> values = new java.util.ArrayList<>();
        try (ResultSet rows = sql.createStatement().executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
