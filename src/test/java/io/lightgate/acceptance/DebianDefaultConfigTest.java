package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.config.ConfigParser;
import io.lightgate.log.ErrorLog;
import io.lightgate.server.Server;
import io.lightgate.testing.Lighttpd;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config a Debian user starts from: the lighttpd package's own {@code /etc/lighttpd/lighttpd.conf}, with
 * only its paths and port changed, runs under lightgate and answers as lighttpd 1.4.69 answers it (the expected
 * statuses were taken from Debian's lighttpd on the same files). It loads mod_indexfile, mod_access, mod_alias,
 * mod_redirect, mod_dirlisting and mod_staticfile, runs two include_shell scripts, includes conf-enabled/*.conf,
 * and, where the box has IPv6, listens on 0.0.0.0 and [::] on the same port.
 */
class DebianDefaultConfigTest {
    private static final Path DEBIAN_CONFIG = Path.of("/etc/lighttpd/lighttpd.conf");
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int status(SocketAddress address, String path) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) T.toMillis());
            socket.setSoTimeout((int) T.toMillis());
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    @Test
    void debiansLighttpdConfRunsWithOnlyPathsAndPortChanged() throws Exception {
        Lighttpd.assumeAvailable(); // the package brings the config and the scripts it runs
        String original = Files.readString(DEBIAN_CONFIG);
        Path docroot = Files.createDirectories(dir.resolve("html"));
        Files.writeString(docroot.resolve("index.html"), "debian\n");
        Files.writeString(docroot.resolve("x.inc"), "include\n");
        Files.writeString(docroot.resolve("page.html~"), "backup\n");
        Files.writeString(docroot.resolve("app.php"), "<?php ?>\n");
        int port = freePort();
        String text = original;
        text = SeedConfigText.replaceOnce(text, "\"/var/www/html\"", "\"" + docroot + "\"");
        text = SeedConfigText.replaceOnce(text, "\"/var/log/lighttpd/error.log\"", "\"" + dir.resolve("error.log") + "\"");
        text = SeedConfigText.replaceOnce(text, "\"/run/lighttpd.pid\"", "\"" + dir.resolve("lighttpd.pid") + "\"");
        text = SeedConfigText.replaceOnce(text, "\"/var/cache/lighttpd/uploads\"", "\"" + dir + "\"");
        text = text.replaceFirst("(?m)^server\\.port[ \\t]*=[ \\t]*80[ \\t]*$", "server.port = " + port);
        SeedConfigText.assertOnlyLinesChanged(original, text, line -> line.contains("/var/www/html")
                || line.contains("/var/log/lighttpd/error.log") || line.contains("/run/lighttpd.pid")
                || line.contains("/var/cache/lighttpd/uploads") || line.matches("server\\.port\\s*=\\s*80\\s*"), 5);
        Path conf = dir.resolve("lighttpd.conf");
        Files.writeString(conf, text);

        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Server server = Server.start(ConfigParser.parseFile(conf),
                new ErrorLog(new PrintStream(stderr, true, StandardCharsets.UTF_8)));
        try {
            List<SocketAddress> bound = server.boundAddresses();
            assertThat(bound).as("the main listener, on every IPv4 address as server.bind is unset")
                    .contains(new InetSocketAddress("0.0.0.0", port));
            Map<String, Integer> expected = new LinkedHashMap<>();
            expected.put("/", 200);              // index-file.names finds index.html
            expected.put("/x.inc", 403);         // url.access-deny ".inc"
            expected.put("/page.html~", 403);    // url.access-deny "~"
            expected.put("/app.php", 403);       // static-file.exclude-extensions, and no handler took it
            expected.put("/missing.html", 404);
            Map<String, Integer> overIpv4 = new LinkedHashMap<>();
            for (String path : expected.keySet()) {
                overIpv4.put(path, status(new InetSocketAddress("127.0.0.1", port), path));
            }
            assertThat(overIpv4).containsExactlyEntriesOf(expected);
            // use-ipv6.pl adds $SERVER["socket"] == "[::]:PORT" when the box has IPv6: both listeners then share
            // the port, which needs IPV6_V6ONLY on the IPv6 one (lighttpd's server.set-v6only)
            if (bound.stream().anyMatch(a -> ((InetSocketAddress) a).getAddress() instanceof Inet6Address)) {
                assertThat(bound).contains(new InetSocketAddress("::", port));
                assertThat(status(new InetSocketAddress("::1", port), "/x.inc")).isEqualTo(403);
                assertThat(status(new InetSocketAddress("::1", port), "/")).isEqualTo(200);
            }
        } finally {
            server.stopNow();
            server.awaitTermination();
        }
        String log = Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : "";
        assertThat(log).contains("(server) server started");
        assertThat(stderr.toString(StandardCharsets.UTF_8)).as("warnings, as lighttpd's for keys it drops")
                .contains("server.username is not supported").doesNotContain("Exception");
    }
}
