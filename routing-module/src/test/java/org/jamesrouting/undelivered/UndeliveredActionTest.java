package org.jamesrouting.undelivered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class UndeliveredActionTest {
    @Test
    void parsesEachAction() throws Exception {
        assertThat(UndeliveredAction.parse("reject")).isEqualTo(UndeliveredAction.REJECT);
        assertThat(UndeliveredAction.parse(" BOUNCE ")).isEqualTo(UndeliveredAction.BOUNCE);
        assertThat(UndeliveredAction.parse("forward: catchall@example.com"))
            .isEqualTo(new UndeliveredAction.Forward(new MailAddress("catchall@example.com")));
        assertThat(UndeliveredAction.parse("store:memory://var/mail/undelivered/"))
            .isEqualTo(new UndeliveredAction.Store("memory://var/mail/undelivered/"));
    }

    @Test
    void asStringParsesBackToTheSameAction() {
        for (String text : new String[] {"reject", "bounce", "forward:pm@example.com", "store:file://var/mail/u/"}) {
            assertThat(UndeliveredAction.parse(UndeliveredAction.parse(text).asString())).isEqualTo(UndeliveredAction.parse(text));
        }
    }

    @Test
    void rejectsUnknownActionsWithTheAcceptedForms() {
        assertThatThrownBy(() -> UndeliveredAction.parse("drop"))
            .hasMessage("'drop' is not an action; expected reject, bounce, forward:<address> or store:<repository url>");
    }

    @Test
    void rejectsAForwardWithoutAnAddress() {
        assertThatThrownBy(() -> UndeliveredAction.parse("forward:not an address"))
            .hasMessageContaining("'not an address' is not a mail address");
        assertThatThrownBy(() -> UndeliveredAction.parse("forward:"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsAStoreWithoutARepositoryUrl() {
        assertThatThrownBy(() -> UndeliveredAction.parse("store:var/mail"))
            .hasMessageContaining("'var/mail' is not a mail repository url");
        assertThatThrownBy(() -> UndeliveredAction.parse("store:memory://"))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
