package io.lightgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.server.ServerKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ConfigTree.validate: typing, unknown keys, server-scope keys in conditions. */
class ValidateTest {
    static final List<ConfigKey<?>> KEYS = List.of(ServerKeys.PORT, ServerKeys.BIND, ServerKeys.DOCUMENT_ROOT,
            ServerKeys.MODULES, ServerKeys.LISTEN_BACKLOG, ServerKeys.FOLLOW_SYMLINK, ServerKeys.TAG);

    static Configuration validate(String text, List<String> warnings) throws ConfigException {
        return ConfigParser.parseText("test.conf", text, Path.of("/tmp")).validate(KEYS, warnings::add);
    }

    @Test
    void typeMismatchNamesKeyAndPosition() {
        assertThatThrownBy(() -> validate("server.bind = \"x\"\n  server.port = \"8080x\"\n", new ArrayList<>()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).isEqualTo(
                        "test.conf:2:3: server.port: value \"8080x\" is not valid: expected an integer, got string \"8080x\""));
    }

    @Test
    void typeMismatchInsideConditionIsFound() {
        assertThatThrownBy(() -> validate("$HTTP[\"url\"] =^ \"/a\" {\n server.follow-symlink = \"maybe\"\n}\n",
                new ArrayList<>()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(2);
                    assertThat(e.detail()).startsWith("server.follow-symlink: value \"maybe\" is not valid: expected");
                });
    }

    @Test
    void arrayValueInMismatchIsShownOnOneLine() {
        assertThatThrownBy(() -> validate("server.port = (\"a\" => 1)\n", new ArrayList<>()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.detail())
                        .isEqualTo("server.port: value ( \"a\" => 1, ) is not valid: expected an integer, got array"));
    }

    @Test
    void unknownKeysWarnOncePerNameAndVariablesNever() throws Exception {
        List<String> warnings = new ArrayList<>();
        validate("foo.bar = 1\nx = 2\nvar.y = 3\n$HTTP[\"url\"] == \"/\" { foo.bar = 2 }\nfoo.baz = env.HOME\n", warnings);
        assertThat(warnings).containsExactly("unknown config-key: foo.bar (ignored)", "unknown config-key: foo.baz (ignored)");
    }

    @Test
    void serverScopeKeyInConditionWarnsAndIsIgnored() throws Exception {
        List<String> warnings = new ArrayList<>();
        Configuration c = validate("server.port = 80\n$HTTP[\"host\"] == \"a\" {\n server.port = 81\n}\n", warnings);
        assertThat(warnings).singleElement().asString()
                .startsWith("DEPRECATED: do not set server options in conditionals, variable: server.port");
        assertThat(c.evaluate(Facts.get("/").withHost("a")).get(ServerKeys.PORT)).isEqualTo(80);
    }

    @Test
    void socketScopeKeyAllowedOnlyInSocketBlocks() throws Exception {
        List<String> warnings = new ArrayList<>();
        Configuration c = validate("""
                $SERVER["socket"] == ":8443" { server.listen-backlog = 16 }
                $HTTP["url"] == "/" { server.listen-backlog = 32 }
                """, warnings);
        assertThat(warnings).containsExactly("DEPRECATED: do not set server options in conditionals, variable: "
                + "server.listen-backlog (test.conf:2:23, ignored)");
        assertThat(c.forSocket(":8443", ServerKeys.LISTEN_BACKLOG)).isEqualTo(16);
        assertThat(c.forSocket(":80", ServerKeys.LISTEN_BACKLOG)).isEqualTo(1024);
        assertThat(c.listenerSockets()).containsExactly(":8443");
    }

    @Test
    void globalAndDefaults() throws Exception {
        Configuration c = validate("server.port = \"8081\"\nserver.follow-symlink = \"disable\"\n", new ArrayList<>());
        assertThat(c.global(ServerKeys.PORT)).isEqualTo(8081);
        assertThat(c.isSetGlobally(ServerKeys.PORT)).isTrue();
        assertThat(c.global(ServerKeys.FOLLOW_SYMLINK)).isFalse();
        assertThat(c.isSetGlobally(ServerKeys.BIND)).isFalse();
        assertThat(c.global(ServerKeys.BIND)).isNull();
        assertThat(c.global(ServerKeys.LISTEN_BACKLOG)).isEqualTo(1024);
    }

    @Test
    void valuesAreKeyedByNameSoEqualKeysShareThem() throws Exception {
        Configuration c = validate("server.port = 8080\n", new ArrayList<>());
        ConfigKey<Integer> samePort = ConfigKey.of("server.port", Scope.SERVER, ValueType.SHORT, 1);
        assertThat(c.global(samePort)).isEqualTo(8080);
    }

    @Test
    void noConditionsMeansOneSharedRequestConfig() throws Exception {
        Configuration c = validate("server.tag = \"t\"\n", new ArrayList<>());
        RequestConfig a = c.evaluate(Facts.get("/a"));
        assertThat(c.evaluate(Facts.get("/b"))).isSameAs(a);
        assertThat(a.get(ServerKeys.TAG)).isEqualTo("t");
        assertThat(a.captures()).isEmpty();
    }
}
