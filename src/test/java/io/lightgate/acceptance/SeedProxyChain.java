package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The seed's two-server example: {@code lighttpd-proxy.conf} in front of {@code lighttpd-wstunnel.conf} (see
 * {@link SeedWstunnel}). In the proxy's config only the document root (a temp dir holding a copy of the seed's
 * count.html, as its comment asks), its own port (0) and the backend port (the wstunnel server's real one) are
 * substituted; every other line is checked to be the seed's unchanged.
 */
final class SeedProxyChain {
    static final Path CONF = SeedWstunnel.SEED.resolve("conf").resolve("lighttpd-proxy.conf");

    final Path docroot;
    final String configText;

    private SeedProxyChain(Path docroot, String configText) {
        this.docroot = docroot;
        this.configText = configText;
    }

    /** Prepares the proxy's files in {@code dir} for a backend (the wstunnel server) on {@code backendPort}. */
    static SeedProxyChain prepare(Path dir, int backendPort) throws IOException {
        SeedWstunnel.assumeSeedPresent();
        Path docroot = Files.createDirectories(dir.resolve("proxy-docroot"));
        Files.copy(SeedWstunnel.SEED.resolve("docroot").resolve("count.html"), docroot.resolve("count.html"));
        String original = Files.readString(CONF, StandardCharsets.UTF_8);
        String text = substitute(original, docroot, backendPort);
        assertOnlyPathAndPortsChanged(original, text);
        return new SeedProxyChain(docroot, text);
    }

    static String substitute(String original, Path docroot, int backendPort) {
        String t = replaceOnce(original, "server.document-root = \"/tmp\"", "server.document-root = \"" + docroot + "\"");
        t = replaceOnce(t, "server.port = 8080", "server.port = 0");
        return replaceOnce(t, "\"port\" => \"8081\"", "\"port\" => \"" + backendPort + "\"");
    }

    private static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        assertThat(at).as("the seed proxy config contains %s", from).isNotNegative();
        assertThat(text.indexOf(from, at + 1)).as("the seed proxy config contains %s only once", from).isNegative();
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    /** Line by line: the three substituted lines differ, every other line is the seed's unchanged. */
    private static void assertOnlyPathAndPortsChanged(String original, String substituted) {
        List<String> before = original.lines().toList();
        List<String> after = substituted.lines().toList();
        assertThat(after).hasSameSizeAs(before);
        int changed = 0;
        for (int i = 0; i < before.size(); i++) {
            String b = before.get(i);
            boolean substitutedLine = b.startsWith("server.document-root = ") || b.startsWith("server.port = ")
                    || b.contains("\"port\" => \"8081\"");
            if (substitutedLine) {
                assertThat(after.get(i)).as("line %d was substituted", i + 1).isNotEqualTo(b);
                changed++;
            } else {
                assertThat(after.get(i)).as("line %d unchanged", i + 1).isEqualTo(b);
            }
        }
        assertThat(changed).isEqualTo(3);
        assertThat(substituted).contains("server.bind = \"127.0.0.1\"", "server.modules += (\"mod_proxy\")",
                "proxy.header = ( \"upgrade\" => \"enable\" )");
    }

    TestServer start() throws Exception {
        return TestServer.start(configText);
    }
}
