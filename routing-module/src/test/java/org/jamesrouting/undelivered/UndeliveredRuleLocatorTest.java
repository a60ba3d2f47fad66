package org.jamesrouting.undelivered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.james.core.Domain;
import org.apache.james.server.core.configuration.FileConfigurationProvider;
import org.junit.jupiter.api.Test;

class UndeliveredRuleLocatorTest {
    private static XMLConfiguration xml(String text) throws Exception {
        return FileConfigurationProvider.getConfig(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void findsTheRuleMailetInAnyProcessor() throws Exception {
        XMLConfiguration config = xml("""
            <mailetcontainer><processors>
              <processor state="root"><mailet match="All" class="Null"/></processor>
              <processor state="undelivered-mail">
                <mailet match="All" class="org.jamesrouting.mailets.UndeliveredMailRule">
                  <default>bounce</default>
                  <domains>
                     a.example = store:memory://var/mail/a/
                  </domains>
                </mailet>
              </processor>
            </processors></mailetcontainer>
            """);

        UndeliveredMailPolicy policy = UndeliveredRuleLocator.locate(config).orElseThrow();

        assertThat(policy.defaultAction()).isEqualTo(UndeliveredAction.BOUNCE);
        assertThat(policy.actionFor(Domain.of("a.example"))).isEqualTo(new UndeliveredAction.Store("memory://var/mail/a/"));
    }

    @Test
    void isEmptyWithoutTheMailet() throws Exception {
        XMLConfiguration config = xml("""
            <mailetcontainer><processors>
              <processor state="root"><mailet match="All" class="Null"/></processor>
            </processors></mailetcontainer>
            """);

        assertThat(UndeliveredRuleLocator.locate(config)).isEmpty();
    }

    @Test
    void reportsABadRule() throws Exception {
        XMLConfiguration config = xml("""
            <mailetcontainer><processors><processor state="x">
                <mailet match="All" class="UndeliveredMailRule"><default>explode</default></mailet>
            </processor></processors></mailetcontainer>
            """);

        assertThatThrownBy(() -> UndeliveredRuleLocator.locate(config)).hasMessageContaining("'explode' is not an action");
    }
}
