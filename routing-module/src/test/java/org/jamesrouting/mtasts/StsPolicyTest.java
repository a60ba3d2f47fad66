package org.jamesrouting.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class StsPolicyTest {
    @Test
    void aPolicyAsRfc8461WritesIt() {
        StsPolicy policy = StsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
            + "mx: backupmx.example.com\r\nmax_age: 604800\r\n");
        assertThat(policy.mode()).isEqualTo(StsPolicy.Mode.ENFORCE);
        assertThat(policy.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
        assertThat(policy.maxAge()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void bareNewlinesSpacesUnknownKeysAndCaseOfNamesAreTolerated() {
        StsPolicy policy = StsPolicy.parse("version:STSv1\nmode:   testing\nmx: Mail.Example.COM.\nextension: whatever\nmax_age:86400\n");
        assertThat(policy.mode()).isEqualTo(StsPolicy.Mode.TESTING);
        assertThat(policy.mx()).containsExactly("mail.example.com");
    }

    @Test
    void maxAgeIsCappedAtAYear() {
        assertThat(StsPolicy.parse("version: STSv1\nmode: none\nmax_age: 9999999999\n").maxAge().toSeconds())
            .isEqualTo(StsPolicy.MAX_AGE_LIMIT);
    }

    @Test
    void whatIsMissingOrWrongIsNamed() {
        assertThatThrownBy(() -> StsPolicy.parse("mode: enforce\nmx: a.example\nmax_age: 1\n")).hasMessageContaining("no 'version: STSv1'");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n")).hasMessageContaining("not STSv1");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n")).hasMessageContaining("mode 'strict'");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmax_age: 1\n")).hasMessageContaining("no 'mx'");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.example\n")).hasMessageContaining("no 'max_age'");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -5\n")).hasMessageContaining("max_age '-5'");
        assertThatThrownBy(() -> StsPolicy.parse("version: STSv1\nmode: enforce\nmx: a b\nmax_age: 5\n")).hasMessageContaining("mx 'a b'");
        assertThatThrownBy(() -> StsPolicy.parse("<html>not a policy</html>")).hasMessageContaining("is not 'key: value'");
        assertThat(StsPolicy.parse("version: STSv1\nmode: none\nmax_age: 1\n").mx()).isEmpty();
    }

    @Test
    void aWildcardMatchesExactlyOneMoreLabel() {
        StsPolicy policy = new StsPolicy(StsPolicy.Mode.ENFORCE, List.of("mail.example.com", "*.example.net"), Duration.ofDays(1));
        assertThat(policy.allows("mail.example.com")).isTrue();
        assertThat(policy.allows("MAIL.example.com.")).isTrue();
        assertThat(policy.allows("mx1.example.net")).isTrue();
        assertThat(policy.allows("example.net")).isFalse();
        assertThat(policy.allows("a.mx1.example.net")).isFalse();
        assertThat(policy.allows("other.example.com")).isFalse();
        assertThat(policy.allows("mail.example.com.evil.test")).isFalse();
    }

    @Test
    void theTxtRecordGivesTheIdOfTheOneStsRecord() {
        assertThat(StsRecord.idOf(List.of("v=STSv1; id=20160831085700Z;"))).contains("20160831085700Z");
        assertThat(StsRecord.idOf(List.of("v=spf1 -all", "v=STSv1;id=abc"))).contains("abc");
        assertThat(StsRecord.idOf(List.of("v=STSv1; id=a;", "v=STSv1; id=b;"))).as("two records: no policy").isEmpty();
        assertThat(StsRecord.idOf(List.of("v=STSv1; id=has-dash;"))).as("id is letters and digits").isEmpty();
        assertThat(StsRecord.idOf(List.of("v=STSv1;"))).isEmpty();
        assertThat(StsRecord.idOf(List.of("v=STSv10; id=a;"))).isEmpty();
        assertThat(StsRecord.idOf(List.of())).isEmpty();
    }
}
