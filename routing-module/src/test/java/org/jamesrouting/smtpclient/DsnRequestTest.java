package org.jamesrouting.smtpclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DsnRequestTest {
    private final DsnRequest request = new DsnRequest(Optional.of("HDRS"), Optional.of("QQ314159+2B"), Map.of(
        "bob@remote.test", new DsnRequest.Recipient(Set.of("success", "FAILURE"), Optional.of("Bob+Ops=x@remote.test")),
        "quiet@remote.test", new DsnRequest.Recipient(Set.of("NEVER"), Optional.empty()),
        "delay@remote.test", new DsnRequest.Recipient(Set.of("DELAY", "SUCCESS"), Optional.empty())));

    @Test
    void mailFromCarriesRetAndEnvidAsGiven() {
        assertThat(request.mailParameters()).isEqualTo(" RET=HDRS ENVID=QQ314159+2B");
        assertThat(DsnRequest.NONE.mailParameters()).isEmpty();
    }

    @Test
    void rcptCarriesNotifyAndTheOriginalRecipientInXtext() {
        assertThat(request.rcptParameters("bob@remote.test")).isEqualTo(" NOTIFY=FAILURE,SUCCESS ORCPT=rfc822;Bob+2BOps+3Dx@remote.test");
        assertThat(request.rcptParameters("quiet@remote.test")).isEqualTo(" NOTIFY=NEVER");
        assertThat(request.rcptParameters("other@remote.test")).isEmpty();
    }

    @Test
    void aFailureNoticeOnlyWhenNotifyIsAbsentOrHasFailure() {
        assertThat(request.wantsFailureNotice("bob@remote.test")).isTrue();
        assertThat(request.wantsFailureNotice("quiet@remote.test")).isFalse();
        assertThat(request.wantsFailureNotice("delay@remote.test")).isFalse();
        assertThat(request.wantsFailureNotice("other@remote.test")).isTrue();
    }

    @Test
    void xtextEncodesPlusEqualsSpaceAndNonAscii() {
        assertThat(DsnRequest.xtext("a+b=c d")).isEqualTo("a+2Bb+3Dc+20d");
        assertThat(DsnRequest.xtext("é")).isEqualTo("+C3+A9");
    }

    @Test
    void xtextDecodesWhatItEncodes() {
        assertThat(DsnRequest.xtextDecode("QQ314159+2B")).isEqualTo("QQ314159+");
        assertThat(DsnRequest.xtextDecode(DsnRequest.xtext("a+b=c d é"))).isEqualTo("a+b=c d é");
        assertThat(DsnRequest.xtextDecode("odd+Z")).isEqualTo("odd+Z");
    }
}
