package io.lightgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.config.ConfigParser;
import io.lightgate.config.Configuration;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Request;
import io.lightgate.log.ErrorLog;
import io.lightgate.modules.support.MapConfig;
import io.lightgate.modules.support.TestExchange;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Key matching (prefix, suffix, "", map-extensions, config order) and the balancing rules, without sockets. */
class RoutingTest {
    private final Gateway gateway = new Gateway("rtest", Gateway.Options.URI_STAGE);

    private GatewayServers prepared(String text) throws Exception {
        Configuration c = ConfigParser.parseText("t.conf", text, Path.of("/tmp")).validate(gateway.configKeys(), w -> { });
        gateway.configure(c, new ModuleContext() {
            @Override public ErrorLog errorLog() { return ErrorLog.toStderr(); }
            @Override public boolean testOnly() { return true; }
        });
        return c.global(gateway.serverKey());
    }

    private String routeKey(MapConfig config, String path) {
        Route r = gateway.route(new TestExchange(TestExchange.get(path), config, null));
        return r == null ? null : r.extensionKey();
    }

    private static final String FOUR_HOSTS = """
            rtest.server = ( "/ws" => (
              "a" => ( "host" => "127.0.0.1", "port" => 1001 ),
              "b" => ( "host" => "127.0.0.1", "port" => 1002 ),
              "c" => ( "host" => "127.0.0.1", "port" => 1003 ),
              "d" => ( "host" => "127.0.0.1", "port" => 1004 ) ) )
            """;

    @Test
    void firstMatchingKeyInConfigOrder() throws Exception {
        GatewayServers s = prepared("""
                rtest.server = (
                  "/app/ws" => ( ( "host" => "127.0.0.1", "port" => 1 ) ),
                  "/app" => ( ( "host" => "127.0.0.1", "port" => 2 ) ),
                  ".ws" => ( ( "host" => "127.0.0.1", "port" => 3 ) ),
                  ".php" => ( ( "host" => "127.0.0.1", "port" => 4 ) ) )
                """);
        MapConfig config = new MapConfig().set(gateway.serverKey(), s);
        assertThat(routeKey(config, "/app/ws/x")).isEqualTo("/app/ws");
        assertThat(routeKey(config, "/app/x.ws")).as("the prefix key comes first in the config").isEqualTo("/app");
        assertThat(routeKey(config, "/other/x.ws")).isEqualTo(".ws");
        assertThat(routeKey(config, "/x.ws/y")).as("a suffix key matches the path's end only").isNull();
        assertThat(routeKey(config, "/application")).as("a plain prefix, as lighttpd").isEqualTo("/app");
        assertThat(routeKey(new MapConfig(), "/app")).as("no server in this config").isNull();

        // map-extensions: .x is served by the ".php" key; mapping to an unknown key does nothing
        config.set(gateway.mapExtensionsKey(), Map.of(".x", ".php", ".y", ".nothing"));
        assertThat(routeKey(config, "/a/b.x")).isEqualTo(".php");
        assertThat(routeKey(config, "/a/b.y")).isNull();
    }

    @Test
    void emptyKeyMatchesEverything() throws Exception {
        GatewayServers s = prepared("rtest.server = ( \"\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 1 ) ) )");
        MapConfig config = new MapConfig().set(gateway.serverKey(), s);
        assertThat(routeKey(config, "/")).isEqualTo("");
        assertThat(routeKey(config, "/anything/at.all")).isEqualTo("");
    }

    private static Request from(String ip, String path) {
        return new Request("GET", path, Request.Protocol.HTTP_1_1, TestExchange.headers(), path, "", "example.org",
                "http", new InetSocketAddress(ip, 40000), new InetSocketAddress("127.0.0.1", 80), "", -1);
    }

    private static String label(BackendHost h) {
        return h == null ? null : h.config().label();
    }

    @Test
    void roundRobinCyclesAndSkipsDisabledHosts() throws Exception {
        Extension ext = prepared(FOUR_HOSTS).extensions().getFirst();
        long now = System.nanoTime();
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            order.append(label(Balance.ROUND_ROBIN.pick(ext, from("127.0.0.1", "/ws"), now)));
        }
        assertThat(order).hasToString("abcdabcd");
        ext.hosts().get(1).procs().getFirst().disable(now);
        order.setLength(0);
        for (int i = 0; i < 6; i++) {
            order.append(label(Balance.ROUND_ROBIN.pick(ext, from("127.0.0.1", "/ws"), now)));
        }
        assertThat(order).hasToString("acdacd");
    }

    @Test
    void leastConnectionPicksTheLowestLoadFirstOnTies() throws Exception {
        Extension ext = prepared(FOUR_HOSTS).extensions().getFirst();
        long now = System.nanoTime();
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            BackendHost h = Balance.LEAST_CONNECTION.pick(ext, from("127.0.0.1", "/ws"), now);
            order.append(label(h));
            h.leastLoadedProc(now).acquire(); // the connection stays open
        }
        assertThat(order).hasToString("abcda");
        ext.hosts().get(2).procs().getFirst().release();
        assertThat(label(Balance.LEAST_CONNECTION.pick(ext, from("127.0.0.1", "/ws"), now))).isEqualTo("c");
        assertThat(ext.hosts()).extracting(BackendHost::load).containsExactly(2, 1, 0, 1);
    }

    @Test
    void hashIsStablePerUrlAndSpreadsUrls() throws Exception {
        Extension ext = prepared(FOUR_HOSTS).extensions().getFirst();
        long now = System.nanoTime();
        Map<String, String> chosen = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            String path = "/ws/room" + i;
            String first = label(Balance.HASH.pick(ext, from("127.0.0.1", path), now));
            for (int again = 0; again < 3; again++) {
                // another client, same URL: same host
                assertThat(label(Balance.HASH.pick(ext, from("127.0.0." + (2 + again), path), now))).isEqualTo(first);
            }
            chosen.put(path, first);
        }
        assertThat(new HashSet<>(chosen.values())).containsExactlyInAnyOrder("a", "b", "c", "d");
        // rendezvous: disabling one host moves only the URLs that were on it
        ext.hosts().getFirst().procs().getFirst().disable(now);
        for (Map.Entry<String, String> e : chosen.entrySet()) {
            String now2 = label(Balance.HASH.pick(ext, from("127.0.0.1", e.getKey()), now));
            if (e.getValue().equals("a")) {
                assertThat(now2).isNotEqualTo("a");
            } else {
                assertThat(now2).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void stickyFollowsTheClientAddress() throws Exception {
        Extension ext = prepared(FOUR_HOSTS).extensions().getFirst();
        long now = System.nanoTime();
        Set<String> used = new HashSet<>();
        for (int i = 2; i < 42; i++) {
            String ip = "127.0.0." + i;
            String first = label(Balance.STICKY.pick(ext, from(ip, "/ws/a"), now));
            assertThat(label(Balance.STICKY.pick(ext, from(ip, "/ws/other?x"), now))).isEqualTo(first);
            assertThat(label(Balance.STICKY.pick(ext, from(ip, "/ws/third"), now))).isEqualTo(first);
            used.add(first);
        }
        assertThat(used).hasSize(4);
    }

    @Test
    void noLiveHostMeansNoPickAndDisableTimeEnds() throws Exception {
        GatewayServers s = prepared("""
                rtest.server = ( "/ws" => ( ( "host" => "127.0.0.1", "port" => 1001, "disable-time" => 2 ) ) )""");
        Extension ext = s.extensions().getFirst();
        long now = System.nanoTime();
        BackendProc proc = ext.hosts().getFirst().procs().getFirst();
        assertThat(proc.disable(now)).as("first disable is reported").isTrue();
        assertThat(proc.disable(now)).as("already disabled: not reported again").isFalse();
        for (Balance b : Balance.values()) {
            assertThat(b.pick(ext, from("127.0.0.1", "/ws"), now)).isNull();
        }
        assertThat(ext.anyHostUp(now)).isFalse();
        assertThat(ext.anyHostUp(now + 1_900_000_000L)).isFalse();
        assertThat(ext.anyHostUp(now + 2_000_000_000L)).isTrue();
        assertThat(Balance.LEAST_CONNECTION.pick(ext, from("127.0.0.1", "/ws"), now + 2_000_000_000L)).isNotNull();
    }

    @Test
    void balanceNames() {
        assertThat(List.of("fair", "least-connection", "round-robin", "hash", "sticky").stream().map(Balance::byName))
                .containsExactly(Balance.LEAST_CONNECTION, Balance.LEAST_CONNECTION, Balance.ROUND_ROBIN, Balance.HASH,
                        Balance.STICKY);
        assertThat(Balance.byName("Fair")).isNull();
    }
}
