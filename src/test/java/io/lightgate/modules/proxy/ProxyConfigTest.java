package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigParser;
import io.lightgate.config.Configuration;
import io.lightgate.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every mod_proxy key through the real config loader, and the start-up errors. */
class ProxyConfigTest {
    private final ProxyModule module = new ProxyModule();

    private Configuration load(String text) throws ConfigException {
        return ConfigParser.parseText("t.conf", text, Path.of("/tmp")).validate(module.configKeys(), w -> { });
    }

    @Test
    void keys() {
        assertThat(module.configKeys()).extracting(Object::toString).containsExactly("proxy.server", "proxy.balance",
                "proxy.debug", "proxy.map-extensions", "proxy.header", "proxy.forwarded", "proxy.replace-http-host",
                "proxy.backend-keep-alive", "proxy.backend-keep-alive-idle");
    }

    @Test
    void everyProxyHeaderKey() throws ConfigException {
        ProxyHeaderOptions o = load("""
                proxy.header = ( "upgrade" => "enable", "connect" => 1, "https-remap" => "true",
                                 "force-http10" => "disable",
                                 "map-host-request" => ( "WWW.Example.org" => "backend.lan", "-" => "-" ),
                                 "map-host-response" => ( "backend.lan" => "www.example.org" ),
                                 "map-urlpath" => ( "/app/" => "/", "/x" => "" ),
                                 "map-urlpath-resp-host-include" => ( "cdn.lan" ),
                                 "map-urlpath-resp-host-exclude" => ( "Other.lan" ) )
                """).global(ProxyModule.HEADER);
        assertThat(o.upgrade()).isTrue();
        assertThat(o.connect()).isTrue();
        assertThat(o.httpsRemap()).isTrue();
        assertThat(o.forceHttp10()).isFalse();
        assertThat(o.mapHostRequest()).containsExactly(Map.entry("www.example.org", "backend.lan"), Map.entry("-", "-"));
        assertThat(o.mapHostResponse()).containsExactly(Map.entry("backend.lan", "www.example.org"));
        assertThat(o.mapUrlpath()).containsExactly(Map.entry("/app/", "/"), Map.entry("/x", ""));
        assertThat(o.respHostInclude()).containsExactly("cdn.lan");
        assertThat(o.respHostExclude()).containsExactly("other.lan");
        assertThat(load("").global(ProxyModule.HEADER)).isEqualTo(ProxyHeaderOptions.NONE);
    }

    @Test
    void proxyHeaderErrorsNameTheKeyAndTheFix() {
        assertThatThrownBy(() -> load("proxy.header = ( \"upgrade\" => \"enable\", \"bogus\" => \"x\" )"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("proxy.header").hasMessageContaining("unknown key \"bogus\"")
                .hasMessageContaining("use one of upgrade, connect");
        assertThatThrownBy(() -> load("proxy.header = ( \"upgrade\" => \"maybe\" )"))
                .hasMessageContaining("\"upgrade\"").hasMessageContaining("expected \"enable\" or \"disable\"");
        assertThatThrownBy(() -> load("proxy.header = ( \"map-urlpath\" => \"/a\" )"))
                .hasMessageContaining("\"map-urlpath\"").hasMessageContaining("expected an array");
        assertThatThrownBy(() -> load("proxy.header = ( \"map-urlpath-resp-host-include\" => ( \"a\" => ( 1 ) ) )"))
                .hasMessageContaining("map-urlpath-resp-host-include");
        assertThatThrownBy(() -> load("proxy.header = \"upgrade\""))
                .hasMessageContaining("proxy.header").hasMessageContaining("got string");
        assertThatThrownBy(() -> load("proxy.header = ( \"enable\" )")).hasMessageContaining("without a key");
    }

    @Test
    void forwardedParamsAndErrors() throws ConfigException {
        ForwardedParams f = load("proxy.forwarded = ( \"for\" => 1, \"proto\" => \"enable\", \"host\" => \"disable\", "
                + "\"by\" => \"enable\", \"remote_user\" => 1 )").global(ProxyModule.FORWARDED);
        assertThat(f).isEqualTo(new ForwardedParams(true, true, false, true, true));
        assertThat(load("proxy.forwarded = ( \"for\", \"proto\" )").global(ProxyModule.FORWARDED))
                .isEqualTo(new ForwardedParams(true, true, false, false, false));
        assertThatThrownBy(() -> load("proxy.forwarded = ( \"from\" => 1 )"))
                .hasMessageContaining("proxy.forwarded").hasMessageContaining("unknown parameter \"from\"");
    }

    @Test
    void scalarKeys() throws ConfigException {
        Configuration c = load("proxy.replace-http-host = \"enable\"\nproxy.backend-keep-alive = \"enable\"\n"
                + "proxy.backend-keep-alive-idle = 5\n");
        assertThat(c.global(ProxyModule.REPLACE_HTTP_HOST)).isTrue();
        assertThat(c.global(ProxyModule.BACKEND_KEEP_ALIVE)).isTrue();
        assertThat(c.global(ProxyModule.BACKEND_KEEP_ALIVE_IDLE)).isEqualTo(5);
        Configuration d = load("");
        assertThat(d.global(ProxyModule.REPLACE_HTTP_HOST)).isFalse();
        assertThat(d.global(ProxyModule.BACKEND_KEEP_ALIVE)).isFalse();
        assertThat(d.global(ProxyModule.BACKEND_KEEP_ALIVE_IDLE)).isEqualTo(30);
    }

    @Test
    void unknownProxyHeaderKeyStopsTheServerWithItsPosition() {
        assertThatThrownBy(() -> TestServer.start("server.modules = (\"mod_proxy\")\n"
                + "proxy.server = ( \"/\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 9 ) ) )\n"
                + "proxy.header = ( \"upgrade\" => \"enable\", \"upgarde\" => \"enable\" )\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("upgarde")
                .hasMessageMatching("(?s).*lighttpd\\.conf:\\d+.*");
    }

    @Test
    void authorizerModeIsRefused() {
        assertThatThrownBy(() -> load("proxy.server = ( \"/\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 9, "
                + "\"mode\" => \"authorizer\" ) ) )")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("authorizer");
    }

    @Test
    void headerMapsFollowConditionals() throws ConfigException {
        Configuration c = load("$HTTP[\"url\"] =~ \"^/a\" { proxy.header = ( \"upgrade\" => \"enable\" ) }\n");
        assertThat(c.valuesInAllBlocks(ProxyModule.HEADER)).extracting(ProxyHeaderOptions::upgrade)
                .contains(true);
        assertThat(List.of(c.global(ProxyModule.HEADER).upgrade())).containsExactly(false);
    }
}
