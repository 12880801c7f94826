package io.lightgate.modules.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedirectRulesTest {

    private static ConfigValue.Arr pairs(Object... keyValues) {
        List<ConfigValue.Arr.Entry> entries = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            ConfigValue v = keyValues[i + 1] instanceof String s ? new ConfigValue.Str(s)
                    : new ConfigValue.Int((Long) keyValues[i + 1]);
            entries.add(new ConfigValue.Arr.Entry((String) keyValues[i], v));
        }
        return new ConfigValue.Arr(entries);
    }

    @Test
    void rulesKeepConfigOrderAndTheFirstMatchWins() throws Exception {
        RedirectRules rules = RedirectRules.TYPE.convert(pairs("^/a/(b)", "/one/$1", "^/a/", "/two"));
        RedirectRules.Match m = rules.firstMatch("/a/b?x");
        assertThat(m.rule().target()).isEqualTo("/one/$1");
        assertThat(m.groups()).containsExactly("/a/b", "b");
        assertThat(rules.firstMatch("/a/c").rule().target()).isEqualTo("/two");
        assertThat(rules.firstMatch("/z")).isNull();
    }

    @Test
    void aRegexThatDoesNotCompileNamesTheRegex() {
        assertThatThrownBy(() -> RedirectRules.TYPE.convert(pairs("^/(a", "/b")))
                .isInstanceOf(ValueType.TypeMismatch.class)
                .hasMessageContaining("regex \"^/(a\" does not compile");
    }

    @Test
    void moreThanNineteenGroupsAreRefusedAsLighttpdDoes() throws Exception {
        String nineteen = "(a)".repeat(19);
        assertThat(RedirectRules.TYPE.convert(pairs(nineteen, "/x")).rules()).hasSize(1);
        assertThatThrownBy(() -> RedirectRules.TYPE.convert(pairs(nineteen + "(b)", "/x")))
                .hasMessageContaining("too many captures").hasMessageContaining("(?:...)");
    }

    @Test
    void onlyRegexToStringPairsAreAccepted() {
        assertThatThrownBy(() -> RedirectRules.TYPE.convert(pairs("^/a", 3L)))
                .hasMessageContaining("\"regex\" => \"target\"");
        assertThatThrownBy(() -> RedirectRules.TYPE.convert(new ConfigValue.Str("^/a")))
                .hasMessageContaining("\"regex\" => \"target\"");
        assertThatThrownBy(() -> RedirectRules.TYPE.convert(new ConfigValue.Arr(
                List.of(new ConfigValue.Arr.Entry(null, new ConfigValue.Str("/x"))))))
                .hasMessageContaining("without a key");
    }

    @Test
    void regexAndTargetAreNormalisedLikeTheRequestTarget() {
        assertThat(RedirectRules.normalizeRegex("^/caf\u00e9/%c3%a9%zz")).isEqualTo("^/caf%C3%A9/%C3%A9%zz");
        assertThat(RedirectRules.normalizeTarget("/caf\u00e9/%%c3%%a9/%1/%%%ab"))
                .isEqualTo("/caf%%C3%%A9/%%C3%%A9/%1/%%%AB");
    }
}
