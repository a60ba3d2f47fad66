package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;

import org.jamesrouting.cli.RoutingCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;

/** webadmin off loopback needs authentication; with JWT on, the API and the CLI need a token. */
class WebAdminSecurityIT {
    @TempDir
    Path directory;

    @Test
    void refusesToStartWithWebadminExposedWithoutAuthentication() {
        JamesHome home = JamesHome.fromProjectConf(directory)
            .edit("webadmin.properties", text -> text.replace("host=127.0.0.1", "host=0.0.0.0"));
        InProcessJames james = new InProcessJames(home);
        try {
            Throwable thrown = catchThrowable(() -> james.server().start());
            assertThat(thrown).isNotNull();
            assertThat(thrown.getMessage()).contains("webadmin would listen on 0.0.0.0 without authentication").contains("jwt.enabled=true");
        } finally {
            james.close();
        }
    }

    @Test
    void withJwtTheApiAndTheCliNeedAnAdminToken() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
        JamesHome home = JamesHome.fromProjectConf(directory)
            .edit("webadmin.properties", text -> text + "\njwt.enabled=true\njwt.publickeypem.url=file://conf/jwt_publickey\n");
        Files.writeString(home.directory().resolve("conf/jwt_publickey"), pem);
        String admin = Jwts.builder().setSubject("admin@example.com").claim("admin", true).signWith(keys.getPrivate(), SignatureAlgorithm.RS256).compact();
        String notAdmin = Jwts.builder().setSubject("bob@example.com").signWith(keys.getPrivate(), SignatureAlgorithm.RS256).compact();

        try (InProcessJames james = InProcessJames.start(home)) {
            WebAdminClient webAdmin = james.webAdmin();
            assertThat(webAdmin.get("/routing/routes").status()).isEqualTo(401);
            assertThat(webAdmin.request("GET", "/routing/routes", null, notAdmin).status()).isEqualTo(401);
            assertThat(webAdmin.request("GET", "/routing/routes", null, admin).status()).isEqualTo(200);

            String url = "http://127.0.0.1:" + home.webAdminPort();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(RoutingCli.run(new String[] {"--url", url, "routes", "list"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err), Map.of())).isEqualTo(RoutingCli.REFUSED);
            assertThat(err.toString()).contains("401");
            assertThat(RoutingCli.run(new String[] {"--url", url, "routes", "list"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), Map.of("JAMES_ROUTING_TOKEN", admin))).isEqualTo(RoutingCli.OK);
        }
    }
}
