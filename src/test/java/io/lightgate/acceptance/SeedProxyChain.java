package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
        // the three substituted lines differ, every other line is the seed's unchanged
        SeedConfigText.assertOnlyLinesChanged(original, text, b -> b.startsWith("server.document-root = ")
                || b.startsWith("server.port = ") || b.contains("\"port\" => \"8081\""), 3);
        assertThat(text).contains("server.bind = \"127.0.0.1\"", "server.modules += (\"mod_proxy\")",
                "proxy.header = ( \"upgrade\" => \"enable\" )");
        return new SeedProxyChain(docroot, text);
    }

    static String substitute(String original, Path docroot, int backendPort) {
        String t = SeedConfigText.replaceOnce(original, "server.document-root = \"/tmp\"", "server.document-root = \"" + docroot + "\"");
        t = SeedConfigText.replaceOnce(t, "server.port = 8080", "server.port = 0");
        return SeedConfigText.replaceOnce(t, "\"port\" => \"8081\"", "\"port\" => \"" + backendPort + "\"");
    }

    TestServer start() throws Exception {
        return TestServer.start(configText);
    }
}
