package io.lightgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigParser;
import io.lightgate.config.Configuration;
import io.lightgate.http.ModuleContext;
import io.lightgate.log.ErrorLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code <m>.server} parsing through the real config loader: structure, every host option, defaults, errors. */
class GatewayConfigTest {
    private final Gateway gateway = new Gateway("gwtest", Gateway.Options.URI_STAGE);
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final ErrorLog log = new ErrorLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));

    private Configuration load(String text) throws ConfigException {
        return ConfigParser.parseText("t.conf", text, Path.of("/tmp")).validate(gateway.configKeys(), w -> { });
    }

    private GatewayServers servers(String text) throws ConfigException {
        return load(text).global(gateway.serverKey());
    }

    private HostConfig onlyHost(String options) throws ConfigException {
        GatewayServers s = servers("gwtest.server = ( \"/x\" => ( ( " + options + " ) ) )");
        return s.extensions().getFirst().hosts().getFirst().config();
    }

    private ModuleContext context(boolean testOnly) {
        return new ModuleContext() {
            @Override public ErrorLog errorLog() { return log; }
            @Override public boolean testOnly() { return testOnly; }
        };
    }

    private String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void keysOfThePrefix() {
        assertThat(gateway.configKeys()).extracting(Object::toString)
                .containsExactly("gwtest.server", "gwtest.balance", "gwtest.debug", "gwtest.map-extensions");
        // the same keys for a second instance (a reload), not new ones
        assertThat(new Gateway("gwtest", Gateway.Options.URI_STAGE).serverKey()).isSameAs(gateway.serverKey());
    }

    @Test
    void structureKeysInConfigOrderWithLabelsAndSeveralHosts() throws Exception {
        GatewayServers s = servers("""
                gwtest.server = (
                  "/ws" => ( "a" => ( "host" => "127.0.0.1", "port" => 8081 ),
                             "b" => ( "host" => "127.0.0.1", "port" => 8082 ) ),
                  ".php" => ( ( "socket" => "/tmp/php.sock" ) ),
                  "" => ( ( "host" => "/tmp/any.sock" ) )
                )""");
        assertThat(s.extensions()).extracting(Extension::key).containsExactly("/ws", ".php", "");
        assertThat(s.extensions().get(0).hosts()).extracting(h -> h.config().label()).containsExactly("a", "b");
        assertThat(s.extensions().get(1).hosts().getFirst().config().label()).isNull();
        HostConfig any = s.extensions().get(2).hosts().getFirst().config();
        assertThat(any.socket()).isEqualTo("/tmp/any.sock");
        assertThat(any.host()).isNull();
        assertThat(any.isUnixSocket()).isTrue();
    }

    @Test
    void defaultsAreLighttpds() throws Exception {
        HostConfig h = onlyHost("\"host\" => \"10.1.2.3\"");
        assertThat(h.host()).isEqualTo("10.1.2.3");
        assertThat(h.port()).isEqualTo(80);
        assertThat(h.socket()).isNull();
        assertThat(h.binPath()).isEmpty();
        assertThat(h.binEnvironment()).isEmpty();
        assertThat(h.binCopyEnvironment()).isNull();
        assertThat(h.minProcs()).isEqualTo(1);
        assertThat(h.maxProcs()).isEqualTo(1);
        assertThat(h.maxLoadPerProc()).isEqualTo(1);
        assertThat(h.idleTimeout()).isEqualTo(60);
        assertThat(h.disableTime()).isEqualTo(1);
        assertThat(h.killSignal()).isEqualTo(15);
        assertThat(h.listenBacklog()).isEqualTo(1024);
        assertThat(h.checkLocal()).as("forced off for uri-stage modules").isFalse();
        assertThat(h.mode()).isEqualTo(HostConfig.Mode.RESPONDER);
        assertThat(h.docroot()).isNull();
        assertThat(h.stripRequestUri()).isNull();
        assertThat(h.brokenScriptFilename()).isFalse();
        assertThat(h.fixRootScriptname()).isFalse();
        assertThat(h.xSendfile()).isFalse();
        assertThat(h.allowXSendFile()).isFalse();
        assertThat(h.xSendfileDocroot()).isEmpty();
        assertThat(h.tcpFinPropagate()).isFalse();
        assertThat(h.connectTimeout()).isEqualTo(8);
        assertThat(h.writeTimeout()).isZero();
        assertThat(h.readTimeout()).isZero();
        assertThat(h.upgrade()).isFalse();
        assertThat(onlyHost("\"port\" => 9000").host()).isEqualTo("127.0.0.1");
    }

    @Test
    void everyOptionIsRead() throws Exception {
        HostConfig h = onlyHost("""
                "host" => "127.0.0.1", "port" => "9000", "bin-path" => "/bin/cat  -u\t-x",
                "bin-environment" => ( "A" => "1", "B" => "two" ), "bin-copy-environment" => ( "PATH", "HOME" ),
                "min-procs" => 2, "max-procs" => 3, "max-load-per-proc" => 4, "idle-timeout" => 5,
                "disable-time" => 6, "kill-signal" => 9, "listen-backlog" => 100, "check-local" => "enable",
                "mode" => "Responder", "docroot" => "/srv", "strip-request-uri" => "/app/",
                "broken-scriptfilename" => "enable", "fix-root-scriptname" => "true", "x-sendfile" => 1,
                "allow-x-send-file" => "enabled", "x-sendfile-docroot" => ( "/srv/files" ),
                "tcp-fin-propagate" => "enable", "connect-timeout" => 3, "write-timeout" => 7, "read-timeout" => 11,
                "upgrade" => "enable", "some-future-option" => "ignored"
                """);
        assertThat(h.port()).isEqualTo(9000);
        assertThat(h.binPath()).containsExactly("/bin/cat", "-u", "-x");
        assertThat(h.binEnvironment()).isEqualTo(Map.of("A", "1", "B", "two"));
        assertThat(h.binCopyEnvironment()).containsExactly("PATH", "HOME");
        assertThat(h.minProcs()).isEqualTo(2);
        assertThat(h.maxProcs()).isEqualTo(3);
        assertThat(h.maxLoadPerProc()).isEqualTo(4);
        assertThat(h.idleTimeout()).isEqualTo(5);
        assertThat(h.disableTime()).isEqualTo(6);
        assertThat(h.killSignal()).isEqualTo(9);
        assertThat(h.listenBacklog()).isEqualTo(100);
        assertThat(h.checkLocal()).as("still forced off").isFalse();
        assertThat(h.docroot()).isEqualTo("/srv");
        assertThat(h.stripRequestUri()).isEqualTo("/app");
        assertThat(h.brokenScriptFilename()).isTrue();
        assertThat(h.fixRootScriptname()).isTrue();
        assertThat(h.xSendfile()).isTrue();
        assertThat(h.allowXSendFile()).isTrue();
        assertThat(h.xSendfileDocroot()).containsExactly("/srv/files");
        assertThat(h.tcpFinPropagate()).isTrue();
        assertThat(h.connectTimeout()).isEqualTo(3);
        assertThat(h.writeTimeout()).isEqualTo(7);
        assertThat(h.readTimeout()).isEqualTo(11);
        assertThat(h.upgrade()).isTrue();
    }

    @Test
    void procsClampedAndCheckLocalKeptForSubrequestModules() throws Exception {
        Gateway fcgi = new Gateway("gwtest2", new Gateway.Options(false, false));
        HostConfig h = ConfigParser.parseText("t.conf", """
                gwtest2.server = ( ".php" => ( ( "socket" => "/tmp/p.sock", "bin-path" => "/bin/cat",
                    "min-procs" => 9, "max-procs" => 2, "mode" => "authorizer" ) ) )""", Path.of("/tmp"))
                .validate(fcgi.configKeys(), w -> { }).global(fcgi.serverKey())
                .extensions().getFirst().hosts().getFirst().config();
        assertThat(h.minProcs()).isEqualTo(2);
        assertThat(h.maxProcs()).isEqualTo(2);
        assertThat(h.checkLocal()).isTrue();
        assertThat(h.mode()).isEqualTo(HostConfig.Mode.AUTHORIZER);
    }

    private static void assertError(ThrowingLoad load, int line, int column, String detail) {
        assertThatThrownBy(load::run).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.file()).isEqualTo("t.conf");
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.column()).isEqualTo(column);
            assertThat(e.detail()).startsWith("gwtest.server: value ").endsWith(detail);
        });
    }

    @FunctionalInterface
    private interface ThrowingLoad {
        void run() throws Exception;
    }

    @Test
    void errorsNameTheKeyThePositionAndTheHost() {
        assertError(() -> load("server.tag = \"x\"\n  gwtest.server = ( \"/x\" => ( \"a\" => ( \"host\" => \"h\", \"socket\" => \"/s\" ) ) )"),
                2, 3, "is not valid: key \"/x\", host \"a\": either host/port or socket may be set, not both");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"port\" => 81, \"socket\" => \"/s\" ) ) )"),
                1, 1, "key \"/x\", host #0: either host/port or socket may be set, not both");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"host\" => \"/a\", \"socket\" => \"/s\" ) ) )"),
                1, 1, "key \"/x\", host #0: host \"/a\" is a socket path and socket is set too");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"bin_path\" => \"/bin/cat\" ) ) )"),
                1, 1, "option \"bin_path\" contains '_': use '-' not '_'");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"host\" => \"h\", \"mode\" => \"authorizer\" ) ) )"),
                1, 1, "mode \"authorizer\" is not supported in gwtest.server");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"port\" => 70000 ) ) )"),
                1, 1, "option \"port\": value 70000 out of range 0..65535");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"host\" => \"h\", \"upgrade\" => \"maybe\" ) ) )"),
                1, 1, "option \"upgrade\": expected \"enable\" or \"disable\", got \"maybe\"");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"docroot\" => \"/d\" ) ) )"),
                1, 1, "key \"/x\", host #0: host, socket or bin-path must be set");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( \"host\" => \"127.0.0.1\", \"port\" => 80 ) )"),
                1, 1, "key \"/x\", host \"host\": expected ( \"key\" => ( [ \"label\" => ] ( \"option\" => value, ... ), ... ), ... ), got string");
        assertError(() -> load("gwtest.server = ( ( ( \"host\" => \"h\" ) ) )"),
                1, 1, "got an element without a key");
        assertError(() -> load("gwtest.server = \"127.0.0.1\""), 1, 1, "got string");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( \"" + "l".repeat(129) + "\" => ( \"host\" => \"h\" ) ) )"),
                1, 1, "label longer than 128 characters: \"llllllllllllllllllll...\"");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"socket\" => \"/" + "s".repeat(110) + "\" ) ) )"),
                1, 1, "socket path is too long (111 bytes, at most 107): /" + "s".repeat(110));
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"host\" => \"h\", \"x-sendfile-docroot\" => ( \"rel\" ) ) ) )"),
                1, 1, "option \"x-sendfile-docroot\": path must start with '/': \"rel\"");
        assertError(() -> load("gwtest.server = ( \"/x\" => ( ( \"bin-path\" => \" \" ) ) )"),
                1, 1, "option \"bin-path\" is empty");
    }

    @Test
    void errorInsideAConditionalBlockHasItsPosition() {
        assertError(() -> load("$HTTP[\"host\"] == \"a\" {\n    gwtest.server = ( \"/x\" => ( ( \"max_procs\" => 1 ) ) )\n}"),
                2, 5, "use '-' not '_'");
    }

    @Test
    void unknownModeWarnsAndBalanceFallsBackWithALoggedError() throws Exception {
        Configuration c = load("""
                gwtest.server = ( "/x" => ( ( "host" => "127.0.0.1", "mode" => "filter" ) ) )
                gwtest.balance = "random"
                """);
        gateway.configure(c, context(true));
        assertThat(logText()).contains("(mod_gwtest) gwtest.server: unknown mode \"filter\" (using \"responder\")")
                .contains("(mod_gwtest) gwtest.balance: unknown value \"random\" (using \"fair\")");
        assertThat(c.global(gateway.serverKey()).extensions().getFirst().hosts().getFirst().config().mode())
                .isEqualTo(HostConfig.Mode.RESPONDER);
    }

    @Test
    void binPathMustBeAnExecutableRegularFileCheckedAtConfigure(@TempDir Path dir) throws Exception {
        Path notExec = Files.createFile(dir.resolve("script"));
        Configuration c = load("gwtest.server = ( \"/x\" => ( ( \"socket\" => \"" + dir + "/s\", \"bin-path\" => \""
                + notExec + " --flag\" ) ) )");
        assertThatThrownBy(() -> gateway.configure(c, context(true))).isInstanceOf(ConfigException.class)
                .hasMessage("gwtest.server \"/x\" host " + dir + "/s: bin-path \"" + notExec
                        + "\" is not an executable regular file");
        Configuration dirAsProgram = load("gwtest.server = ( \"/x\" => ( ( \"port\" => 9, \"bin-path\" => \"" + dir + "\" ) ) )");
        assertThatThrownBy(() -> gateway.configure(dirAsProgram, context(true))).hasMessageEndingWith("is not an executable regular file");

        Files.setPosixFilePermissions(notExec, PosixFilePermissions.fromString("rwxr-xr-x"));
        gateway.configure(c, context(true));
        BackendHost host = c.global(gateway.serverKey()).extensions().getFirst().hosts().getFirst();
        // 4 procs by default, each on <socket>-<i>
        assertThat(host.procs()).extracting(p -> p.address().toString())
                .containsExactly("unix:" + dir + "/s-0", "unix:" + dir + "/s-1", "unix:" + dir + "/s-2", "unix:" + dir + "/s-3");
    }

    @Test
    void binPathProcsOnConsecutivePortsAndTheLauncherSeam() throws Exception {
        Configuration c = load("""
                gwtest.server = ( "/x" => ( ( "port" => 9100, "bin-path" => "/bin/cat", "max-procs" => 2 ) ) )
                $HTTP["host"] == "b" {
                  gwtest.server = ( "/y" => ( ( "port" => 9100, "bin-path" => "/bin/cat", "max-procs" => 2 ) ) )
                }
                """);
        List<List<BackendAddress>> launches = new ArrayList<>();
        boolean[] stopped = {false};
        gateway.procLauncher((host, addresses, ctx) -> {
            launches.add(addresses);
            return new ProcSet() {
                @Override public boolean isUp(int index) { return index == 1; }
                @Override public void stop() { stopped[0] = true; }
            };
        });
        gateway.configure(c, context(false));
        assertThat(launches).as("one launch for the same program and addresses in two blocks").hasSize(1);
        assertThat(launches.getFirst()).extracting(Object::toString).containsExactly("127.0.0.1:9100", "127.0.0.1:9101");
        BackendHost host = c.global(gateway.serverKey()).extensions().getFirst().hosts().getFirst();
        long now = System.nanoTime();
        assertThat(host.leastLoadedProc(now).index()).as("proc 0 is not running").isEqualTo(1);
        gateway.stop();
        assertThat(stopped[0]).isTrue();
    }

    @Test
    void testOnlyDoesNotLaunch() throws Exception {
        Configuration c = load("gwtest.server = ( \"/x\" => ( ( \"port\" => 9100, \"bin-path\" => \"/bin/cat\" ) ) )");
        gateway.procLauncher((host, addresses, ctx) -> { throw new AssertionError("launched under -tt"); });
        gateway.configure(c, context(true));
    }

    @Test
    void unresolvableHostIsAStartUpError() throws Exception {
        Configuration c = load("gwtest.server = ( \"/x\" => ( ( \"host\" => \"no-such-host.invalid\" ) ) )");
        assertThatThrownBy(() -> gateway.configure(c, context(true))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot resolve host \"no-such-host.invalid\"");
    }
}
