package io.lightgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.server.ServerKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every config the seed ships, parsed as lighttpd does (scgi/fastcgi refused, as modern lighttpd does). */
class SeedConfigTest {
    static final Path SEED = Path.of("/work/shared/seed/samples/conf");

    @Test
    void wstunnelConfigParsesAndTypes() throws Exception {
        ConfigTree tree = ConfigParser.parseFile(SEED.resolve("lighttpd-wstunnel.conf"));
        List<String> warnings = new ArrayList<>();
        Configuration c = tree.validate(List.of(ServerKeys.PORT, ServerKeys.BIND, ServerKeys.DOCUMENT_ROOT,
                ServerKeys.MODULES), warnings::add);
        assertThat(c.global(ServerKeys.PORT)).isEqualTo(8081);
        assertThat(c.global(ServerKeys.BIND)).isEqualTo("127.0.0.1");
        assertThat(c.global(ServerKeys.DOCUMENT_ROOT)).isEqualTo("/tmp");
        assertThat(c.global(ServerKeys.MODULES)).containsExactly("mod_wstunnel");
        assertThat(warnings).containsExactly("unknown config-key: wstunnel.server (ignored)");
        ConfigValue.Arr server = (ConfigValue.Arr) tree.globalValue("wstunnel.server");
        ConfigValue.Arr ws = (ConfigValue.Arr) server.entries().get(0).value();
        assertThat(server.entries().get(0).key()).isEqualTo("/ws/");
        ConfigValue.Arr host = (ConfigValue.Arr) ws.entries().get(0).value();
        assertThat(host.entries()).containsExactly(
                new ConfigValue.Arr.Entry("socket", new ConfigValue.Str("/tmp/echo.sock")),
                new ConfigValue.Arr.Entry("bin-path", new ConfigValue.Str("/tmp/echo.pl")),
                new ConfigValue.Arr.Entry("max-procs", new ConfigValue.Int(1)));
        assertThat(c.evaluate(Facts.get("/ws/")).get(ServerKeys.PORT)).isEqualTo(8081);
    }

    @Test
    void proxyConfigParses() throws Exception {
        ConfigTree tree = ConfigParser.parseFile(SEED.resolve("lighttpd-proxy.conf"));
        Configuration c = tree.validate(List.of(ServerKeys.PORT), w -> { });
        assertThat(c.global(ServerKeys.PORT)).isEqualTo(8080);
        assertThat(tree.globalValue("proxy.header")).isEqualTo(new ConfigValue.Arr(List.of(
                new ConfigValue.Arr.Entry("upgrade", new ConfigValue.Str("enable")))));
        assertThat(tree.globalValue("proxy.server")).isInstanceOf(ConfigValue.Arr.class);
    }

    @Test
    void cgiConfigParsesWithItsCondition() throws Exception {
        ConfigTree tree = ConfigParser.parseFile(SEED.resolve("cgi.conf"));
        ConfigKey<Boolean> upgrade = ConfigKey.of("cgi.upgrade", Scope.CONNECTION, ValueType.BOOL, false);
        ConfigKey<java.util.Map<String, String>> assign =
                ConfigKey.of("cgi.assign", Scope.CONNECTION, ValueType.STRING_MAP, java.util.Map.of());
        Configuration c = tree.validate(List.of(upgrade, assign, ServerKeys.MODULES), w -> { });
        assertThat(c.global(ServerKeys.MODULES)).containsExactly("mod_cgi");
        assertThat(c.global(upgrade)).isFalse();
        RequestConfig ws = c.evaluate(Facts.get("/ws/echo"));
        assertThat(ws.get(upgrade)).isTrue();
        assertThat(ws.get(assign)).containsEntry("", "");
        RequestConfig other = c.evaluate(Facts.get("/index.html"));
        assertThat(other.get(upgrade)).isFalse();
        assertThat(other.isSet(assign)).isFalse();
    }

    /** The seed's missing comma after "bin-path": lighttpd 1.4.69 silently drops "check-local"; we refuse. */
    @ParameterizedTest
    @ValueSource(strings = {"scgi.conf", "fastcgi.conf"})
    void missingCommaIsAPositionedError(String name) {
        Path file = SEED.resolve(name);
        assertThatThrownBy(() -> ConfigParser.parseFile(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.file()).isEqualTo(file.toString());
                    assertThat(e.line()).isEqualTo(6);
                    assertThat(e.column()).isEqualTo(9);
                    assertThat(e.detail()).isEqualTo(
                            "expected ',' or ')' before \"check-local\" (missing comma after the previous value?)");
                    assertThat(e.getMessage()).endsWith(name + ":6:9: expected ',' or ')' before \"check-local\""
                            + " (missing comma after the previous value?)");
                });
    }
}
