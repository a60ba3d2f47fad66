package org.jamesrouting.undelivered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class UndeliveredMailPolicyParserTest {
    private static UndeliveredMailPolicy parse(String defaultValue, String domains) {
        return UndeliveredMailPolicyParser.parse(Optional.ofNullable(defaultValue), Optional.ofNullable(domains));
    }

    @Test
    void defaultsToReject() {
        assertThat(parse(null, null)).isEqualTo(UndeliveredMailPolicy.DEFAULT);
        assertThat(parse("  ", "\n  # nothing\n")).isEqualTo(UndeliveredMailPolicy.DEFAULT);
    }

    @Test
    void appliesPerDomainActionsAndTheDefaultElsewhere() throws Exception {
        UndeliveredMailPolicy policy = parse("bounce", """
                # catch-all for sales
                Sales.Example.com = forward:catchall@example.com
                archive.example.com=store:memory://var/mail/undelivered/   # kept
                shop.example.com = reject; bücher.example = bounce
            """);

        assertThat(policy.actionFor(Domain.of("sales.example.com")))
            .isEqualTo(new UndeliveredAction.Forward(new MailAddress("catchall@example.com")));
        assertThat(policy.actionFor(Domain.of("ARCHIVE.example.com")))
            .isEqualTo(new UndeliveredAction.Store("memory://var/mail/undelivered/"));
        assertThat(policy.actionFor(Domain.of("shop.example.com"))).isEqualTo(UndeliveredAction.REJECT);
        assertThat(policy.actionFor(Domain.of("xn--bcher-kva.example"))).isEqualTo(UndeliveredAction.BOUNCE);
        assertThat(policy.actionFor(Domain.of("other.example.com"))).isEqualTo(UndeliveredAction.BOUNCE);
    }

    @Test
    void aSubdomainDoesNotTakeItsParentsAction() {
        UndeliveredMailPolicy policy = parse("reject", "example.com = bounce");
        assertThat(policy.actionFor(Domain.of("sub.example.com"))).isEqualTo(UndeliveredAction.REJECT);
    }

    @Test
    void namesTheLineOfABadEntry() {
        assertThatThrownBy(() -> parse(null, "a.com = bounce\n\nb.com bounce"))
            .isInstanceOf(UndeliveredMailPolicyParser.InvalidPolicyException.class)
            .hasMessage("<domains> line 3: 'b.com bounce' should be 'domain = action'");
        assertThatThrownBy(() -> parse(null, "a.com = bounce; b..com = reject"))
            .hasMessageStartingWith("<domains> line 1 entry 2: 'b..com' is not a valid domain name");
        assertThatThrownBy(() -> parse(null, "a.com = explode"))
            .hasMessage("<domains> line 1: 'explode' is not an action; expected reject, bounce, forward:<address> or store:<repository url>");
    }

    @Test
    void namesABadDefault() {
        assertThatThrownBy(() -> parse("forward", null))
            .hasMessageStartingWith("<default>: 'forward' is not an action");
    }

    @Test
    void refusesADomainGivenTwice() {
        assertThatThrownBy(() -> parse(null, "a.com = bounce\nA.COM. = reject"))
            .hasMessage("<domains> line 2: domain 'a.com' is given twice");
    }
}
