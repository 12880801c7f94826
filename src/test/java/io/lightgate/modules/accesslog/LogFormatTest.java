package io.lightgate.modules.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import io.lightgate.modules.accesslog.LogFormat.Directive;
import io.lightgate.modules.accesslog.LogFormat.Kind;
import io.lightgate.modules.accesslog.LogFormat.Literal;
import io.lightgate.modules.accesslog.LogFormat.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogFormatTest {

    private static Kind kind(String format) {
        LogFormat f = LogFormat.parse(format);
        assertThat(f.fields()).hasSize(1);
        return ((Directive) f.fields().getFirst()).kind();
    }

    @ParameterizedTest
    @CsvSource({"%a,REMOTE_ADDR", "%h,REMOTE_ADDR", "%{mask}a,REMOTE_ADDR_MASKED", "%A,LOCAL_ADDR",
            "%b,BYTES_BODY", "%B,BYTES_BODY", "%{sid}C,COOKIE", "%D,TIME_USED", "%{X}e,ENV", "%{X}n,ENV",
            "%u,ENV", "%f,FILENAME", "%H,PROTOCOL", "%{Referer}i,REQUEST_HEADER", "%I,BYTES_IN", "%k,KEEPALIVE_COUNT",
            "%m,METHOD", "%{ETag}o,RESPONSE_HEADER", "%O,BYTES_OUT", "%p,LOCAL_PORT", "%{local}p,LOCAL_PORT",
            "%{canonical}p,LOCAL_PORT", "%{remote}p,REMOTE_PORT", "%P,NOTHING", "%q,QUERY", "%r,REQUEST_LINE",
            "%s,STATUS", "%>s,STATUS", "%<s,STATUS", "%t,TIMESTAMP", "%T,TIME_USED", "%U,URL_PATH",
            "%v,SERVER_NAME", "%V,HTTP_HOST", "%X,CONNECTION_STATUS"})
    void everyLighttpdDirectiveParses(String format, Kind expected) {
        assertThat(kind(format)).isEqualTo(expected);
    }

    @Test
    void percentAndIdentBecomeLiterals() {
        assertThat(LogFormat.parse("a%%b %l c").fields()).containsExactly(new Literal("a%b - c"));
        assertThat(LogFormat.parse("%>%").fields()).containsExactly(new Literal("%"));
    }

    @Test
    void blankArgumentsPrintNothing() {
        assertThat(LogFormat.parse("[%{ }i]").fields()).containsExactly(new Literal("[]"));
        assertThat(LogFormat.parse("[%{ }C]").fields()).containsExactly(new Literal("[]"));
    }

    @Test
    void defaultFormatIsLighttpds() {
        LogFormat f = LogFormat.DEFAULT;
        assertThat(f.fields()).extracting(x -> x instanceof Directive d ? d.kind().name() : ((Literal) x).text())
                .containsExactly("REMOTE_ADDR", " ", "HTTP_HOST", " ", "ENV", " ", "TIMESTAMP", " \"",
                        "REQUEST_LINE", "\" ", "STATUS", " ", "BYTES_BODY", " \"", "REQUEST_HEADER", "\" \"",
                        "REQUEST_HEADER", "\"");
    }

    @Test
    void timeOptions() {
        Directive begin = (Directive) LogFormat.parse("%{begin:%Y}t").fields().getFirst();
        assertThat(begin.atStart()).isTrue();
        assertThat(begin.arg()).isEqualTo("%Y");
        Directive msec = (Directive) LogFormat.parse("%{end:msec}t").fields().getFirst();
        assertThat(msec.unit()).isEqualTo(TimeUnit.MSEC);
        assertThat(msec.atStart()).isFalse();
        for (String u : new String[] {"sec", "msec", "usec", "nsec", "msec_frac", "usec_frac", "nsec_frac"}) {
            assertThat(((Directive) LogFormat.parse("%{" + u + "}t").fields().getFirst()).unit()).isNotNull();
        }
        assertThat(((Directive) LogFormat.parse("%{ms}T").fields().getFirst()).unit()).isEqualTo(TimeUnit.MSEC);
        assertThat(((Directive) LogFormat.parse("%{us}T").fields().getFirst()).unit()).isEqualTo(TimeUnit.USEC);
        assertThat(((Directive) LogFormat.parse("%{ns}T").fields().getFirst()).unit()).isEqualTo(TimeUnit.NSEC);
        assertThat(((Directive) LogFormat.parse("%{s}T").fields().getFirst()).unit()).isEqualTo(TimeUnit.SEC);
        assertThat(((Directive) LogFormat.parse("%D").fields().getFirst()).unit()).isEqualTo(TimeUnit.USEC);
    }

    @Test
    void backslashEscapesAreProcessed() {
        assertThat(LogFormat.parse("a\\tb\\n\\\"c\\").fields()).containsExactly(new Literal("a\tb\n\"c"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "%Z|unknown directive %Z", "%{x}Q|unknown directive %{x}Q", "abc%|must be followed",
            "%{Referer|closed by '}'", "%{}|closed by '}'", "%{x}|must be followed by a directive letter",
            "%{yesterday}t|constant string for time format", "%{hours}T|invalid time unit in %{hours}T",
            "%{foo}p|invalid %{foo}p", "%{half}a|invalid %{half}a", "%>|must be followed"})
    void badFormatsAreRejectedNamingTheDirective(String format, String message) {
        assertThatThrownBy(() -> LogFormat.parse(format)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void configTypeReportsAMismatch() {
        assertThatThrownBy(() -> LogFormat.TYPE.convert(new ConfigValue.Str("%Z")))
                .isInstanceOf(ValueType.TypeMismatch.class).hasMessageContaining("%Z");
        assertThatThrownBy(() -> LogFormat.TYPE.convert(new ConfigValue.Arr(java.util.List.of())))
                .isInstanceOf(ValueType.TypeMismatch.class);
    }
}
