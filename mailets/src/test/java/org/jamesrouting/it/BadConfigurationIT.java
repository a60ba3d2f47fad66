package org.jamesrouting.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A malformed undelivered-mail rule, routes file or router setting stops James at start, naming what is wrong and where. */
class BadConfigurationIT {
    @TempDir
    Path directory;

    private String startFailure(JamesHome home) {
        InProcessJames james = new InProcessJames(home);
        Throwable thrown = catchThrowable(() -> james.server().start());
        try {
            assertThat(thrown).as("James must refuse to start").isNotNull();
            assertThat(james.server().isStarted()).isFalse();
        } finally {
            james.close();
        }
        List<String> messages = new ArrayList<>();
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            messages.add(String.valueOf(cause.getMessage()));
        }
        return String.join("\n", messages);
    }

    @Test
    void theRealServerExitsWithAnErrorAndTheReason() throws Exception {
        JamesHome home = JamesHome.fromProjectConf(directory).undeliveredRule("reject", "shop.test = bounce-twice");
        try (JamesProcess james = JamesProcess.launch(home)) {
            assertThat(james.awaitExit()).isNotZero();
            assertThat(james.console())
                .contains("Mailet UndeliveredMailRule in mailetcontainer.xml: <domains> line 1: 'bounce-twice' is not an action");
        }
    }

    @Test
    void aBadDefaultActionStopsJames() {
        String failure = startFailure(JamesHome.fromProjectConf(directory).undeliveredRule("explode", ""));

        assertThat(failure).contains("UndeliveredMailRule").contains("<default>: 'explode' is not an action");
    }

    @Test
    void aBadDomainLineStopsJamesNamingTheLine() {
        String failure = startFailure(JamesHome.fromProjectConf(directory)
            .undeliveredRule("reject", "good.test = bounce\nbad..test = bounce"));

        assertThat(failure).contains("UndeliveredMailRule").contains("line 2").contains("'bad..test' is not a valid domain name");
    }

    @Test
    void aForwardToNoAddressStopsJames() {
        String failure = startFailure(JamesHome.fromProjectConf(directory)
            .undeliveredRule("forward:postmaster at example", ""));

        assertThat(failure).contains("UndeliveredMailRule").contains("'postmaster at example' is not a mail address");
    }

    @Test
    void aBadRoutesFileStopsJamesNamingFileAndLine() {
        String failure = startFailure(JamesHome.fromProjectConf(directory)
            .routes("# partners\npartner.test  mail.partner.test:2525\nbad..test  mx.example.net\n"));

        assertThat(failure).contains("OutboundRouter").contains("routes.conf line 3: bad pattern: 'bad..test'");
    }

    @Test
    void aRouteFromAnAddressThisMachineDoesNotHaveStopsJames() {
        String failure = startFailure(JamesHome.fromProjectConf(directory)
            .routes("partner.test  mail.partner.test:2525\nnews.test  default  bind=192.0.2.77 helo=news.example.com\n"));

        assertThat(failure).contains("OutboundRouter").contains("routes.conf line 2: bind=192.0.2.77: cannot be bound on this machine");
    }

    @Test
    void aBadSmartHostStopsJames() {
        String failure = startFailure(JamesHome.fromProjectConf(directory)
            .outboundRouter("<smarthost>smtp.example.net:587 tls=sometimes</smarthost>"));

        assertThat(failure).contains("Mailet OutboundRouter in mailetcontainer.xml: <smarthost>: 'sometimes' is not a TLS level");
    }

    @Test
    void aSmartHostWithCredentialsInClearStopsJames() {
        String failure = startFailure(JamesHome.fromProjectConf(directory)
            .outboundRouter("<smarthost>smtp.example.net:587 tls=none auth=me password=Hunter2Secret</smarthost>"));

        assertThat(failure).contains("<smarthost>: tls=none with credentials (auth=me): credentials are only sent over TLS")
            .doesNotContain("Hunter2Secret");
    }

    @Test
    void anEhloNameThatIsNotFullyQualifiedStopsJames() {
        String failure = startFailure(JamesHome.fromProjectConf(directory)
            .outboundRouter("<heloName>localhost</heloName>"));

        assertThat(failure).contains("<heloName>: 'localhost' is not a fully qualified domain name");
    }

    @Test
    void aMisspelledParameterStopsJames() {
        String failure = startFailure(JamesHome.fromProjectConf(directory)
            .edit("mailetcontainer.xml", text -> text.replace("<default>reject</default>", "<defualt>reject</defualt>")));

        assertThat(failure).contains("defualt");
    }
}
