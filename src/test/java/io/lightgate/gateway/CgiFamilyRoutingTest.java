package io.lightgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.config.ConfigParser;
import io.lightgate.config.Configuration;
import io.lightgate.http.ModuleContext;
import io.lightgate.log.ErrorLog;
import io.lightgate.modules.support.MapConfig;
import io.lightgate.modules.support.TestExchange;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Key matching for modules with check-local (mod_scgi, mod_fastcgi): prefix keys on the URL path, suffix keys on
 * the physical path once it is known, authorizer and responder hosts in separate lists (gw_check_extension).
 */
class CgiFamilyRoutingTest {
    private final Gateway gateway = new Gateway("cgitest", Gateway.Options.CGI_FAMILY);

    private MapConfig config(String text) throws Exception {
        Configuration c = ConfigParser.parseText("t.conf", text, Path.of("/tmp")).validate(gateway.configKeys(), w -> { });
        gateway.configure(c, new ModuleContext() {
            @Override public ErrorLog errorLog() { return ErrorLog.toStderr(); }
            @Override public boolean testOnly() { return true; }
        });
        return new MapConfig().set(gateway.serverKey(), c.global(gateway.serverKey()));
    }

    private String key(MapConfig config, String url, String physicalUrl, HostConfig.Mode mode) {
        TestExchange ex = new TestExchange(TestExchange.get(url), config,
                physicalUrl == null ? null : TestExchange.physical(Path.of("/srv/www"), physicalUrl));
        Route r = gateway.route(ex, mode);
        return r == null ? null : r.extensionKey() + (r.checkLocal() ? " local" : "");
    }

    @Test
    void prefixKeysMatchTheUrlEvenWhenThePhysicalPathIsKnown() throws Exception {
        MapConfig c = config("cgitest.server = ( \"/ws/\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 1 ) ),"
                + " \".php\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 2, \"check-local\" => \"disable\" ) ) )");
        assertThat(key(c, "/ws/a.py", null, HostConfig.Mode.RESPONDER)).isEqualTo("/ws/ local");
        assertThat(key(c, "/ws/a.py", "/ws/a.py", HostConfig.Mode.RESPONDER)).isEqualTo("/ws/ local");
        assertThat(key(c, "/x.php", null, HostConfig.Mode.RESPONDER)).isEqualTo(".php");
        // an index file found by mod_indexfile: the URL ends in '/', the physical path in .php
        assertThat(key(c, "/dir/", "/dir/index.php", HostConfig.Mode.RESPONDER)).isEqualTo(".php");
        assertThat(key(c, "/dir/", null, HostConfig.Mode.RESPONDER)).isNull();
    }

    @Test
    void authorizerAndResponderHostsAreSeparateLists() throws Exception {
        MapConfig c = config("cgitest.server = ( \"/\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 1, "
                + "\"mode\" => \"authorizer\" ), ( \"host\" => \"127.0.0.1\", \"port\" => 2 ) ),"
                + " \".php\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 3 ) ) )");
        assertThat(key(c, "/a.php", null, HostConfig.Mode.AUTHORIZER)).isEqualTo("/ local");
        assertThat(key(c, "/a.php", null, HostConfig.Mode.RESPONDER)).isEqualTo("/ local");
        TestExchange ex = new TestExchange(TestExchange.get("/a.php"), c, null);
        GatewayRoute auth = (GatewayRoute) gateway.route(ex, HostConfig.Mode.AUTHORIZER);
        GatewayRoute resp = (GatewayRoute) gateway.route(ex, HostConfig.Mode.RESPONDER);
        assertThat(auth.extension().hosts()).singleElement().satisfies(h -> assertThat(h.config().port()).isEqualTo(1));
        assertThat(resp.extension().hosts()).singleElement().satisfies(h -> assertThat(h.config().port()).isEqualTo(2));
        MapConfig onlyResponders = config("cgitest.server = ( \".php\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 3 ) ) )");
        assertThat(key(onlyResponders, "/a.php", null, HostConfig.Mode.AUTHORIZER)).isNull();
    }
}
