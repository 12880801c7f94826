package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lightgate.testing.BrowserPage;
import io.lightgate.testing.Chromium;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.websocket.RawWebSocket;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 5's acceptance in a browser: the seed's cgi.conf, scgi.conf and fastcgi.conf (see {@link SeedCgiFamily})
 * and headless Chromium loading the seed's ws_echo.html, typing messages into its form and seeing each echoed by
 * examples/cgi/ws-echo.pl in #output, through mod_cgi, mod_scgi + scgi-cgi and mod_fastcgi + fcgi-cgi.
 */
@ExtendWith(LeakGuard.class)
class SeedCgiFamilyTest {
    private static Chromium browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void assumeSeed() {
        SeedCgiFamily.assumeReady();
    }

    /** One browser for the class, launched by the first test that needs it. */
    private static Chromium browser() throws Exception {
        Chromium.assumeAvailable();
        if (browser == null) {
            browser = Chromium.launch();
        }
        return browser;
    }

    @AfterAll
    static void closeBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @ParameterizedTest
    @EnumSource(SeedCgiFamily.Route.class)
    void chromiumTypesIntoTheSeedsEchoPageAndSeesEachMessageEchoed(SeedCgiFamily.Route route) throws Exception {
        Chromium chromium = browser(); // before the run counts descriptors
        try (CgiFamilyRun run = CgiFamilyRun.start(dir, route)) {
            BrowserPage page = chromium.open(run.server.uri("/ws_echo.html"));
            // the page keeps its socket in the global "s"; 1 = OPEN
            page.await("typeof s === 'object' ? s.readyState : -1", v -> v instanceof Number n && n.intValue() == 1,
                    Duration.ofSeconds(30));
            List<String> sent = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String message = "hello " + route + " " + i;
                sent.add(message);
                // what a user does: type into the text box, press the form's Send button
                page.evaluate("document.getElementById('message').value = '" + message + "';"
                        + "document.querySelector('#form button[type=submit]').click(); true");
                int expected = i;
                page.await("document.getElementById('output').children.length",
                        v -> v instanceof Number n && n.intValue() >= expected, Duration.ofSeconds(20));
                assertThat(page.evaluate("document.getElementById('message').value"))
                        .as("the form cleared the box after sending").isEqualTo("");
            }
            Object echoed = page.evaluate("Array.from(document.getElementById('output').children)"
                    + ".map(p => p.tagName + ':' + p.textContent)");
            assertThat(echoed).as("#output").isEqualTo(sent.stream().map(m -> "P:" + m).toList());
            assertThat(page.problems()).isEmpty();
            // leave the page so that the socket closes before the server stops
            page.evaluate("s.close(); true");
            page.await("s.readyState", v -> v instanceof Number n && n.intValue() == 3, Duration.ofSeconds(10));
        }
    }

    /**
     * The seed's own ws/ws_echo.py (python3) behind each path. It masks its frames with the client's key (strict
     * clients refuse that) and re-encodes bytes >= 0x80, so this client unmasks what it reads and sends ASCII; it
     * also needs an Origin header. Its payload reads are unbuffered, so messages stay small.
     */
    @ParameterizedTest
    @EnumSource(SeedCgiFamily.Route.class)
    void theSeedsPythonEchoAnswersTextMessagesPingAndClose(SeedCgiFamily.Route route) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")) || System.getenv("CI") != null,
                "the seed's ws_echo.py needs python3");
        try (CgiFamilyRun run = CgiFamilyRun.start(dir, route);
             RawWebSocket ws = RawWebSocket.open(run.port(), "/ws/ws_echo.py", "Origin: http://127.0.0.1\r\n")) {
            assertThat(ws.responseHead).startsWith("HTTP/1.1 101 ").containsIgnoringCase("\r\nUpgrade: WebSocket\r\n");
            InputStream in = ws.socket.getInputStream();
            for (int size : new int[] {0, 1, 5, 125, 126, 1000}) {
                String text = ascii(size);
                ws.send(0x81, text.getBytes(StandardCharsets.US_ASCII));
                MaskTolerantFrame f = MaskTolerantFrame.read(in);
                assertThat(f.b0()).as("FIN + TEXT for %d bytes", size).isEqualTo(0x81);
                assertThat(new String(f.payload(), StandardCharsets.US_ASCII)).as("echo of %d bytes", size)
                        .isEqualTo(text);
            }
            ws.send(0x89, "ping?".getBytes(StandardCharsets.US_ASCII));
            MaskTolerantFrame pong = MaskTolerantFrame.read(in);
            assertThat(pong.b0()).as("PONG").isEqualTo(0x8A);
            assertThat(pong.payload()).asString(StandardCharsets.US_ASCII).isEqualTo("ping?");
            ws.send(0x88, RawWebSocket.closePayload(1000, ""));
            MaskTolerantFrame close = MaskTolerantFrame.read(in);
            assertThat(close.b0()).as("CLOSE").isEqualTo(0x88);
            // the seed's script sends the four ASCII characters "1000" as its close payload
            assertThat(close.payload()).asString(StandardCharsets.US_ASCII).isEqualTo("1000");
            assertThat(ws.closedByServer()).as("the script exits, the connection closes").isTrue();
        }
    }

    private static String ascii(int size) {
        StringBuilder b = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            b.append((char) ('!' + i % 94));
        }
        return b.toString();
    }

    /** A server frame, unmasked if the server masked it (as the seed's ws_echo.py does). */
    record MaskTolerantFrame(int b0, boolean masked, byte[] payload) {
        static MaskTolerantFrame read(InputStream in) throws IOException {
            byte[] head = in.readNBytes(2);
            if (head.length < 2) {
                throw new EOFException("connection closed before a frame");
            }
            long n = head[1] & 0x7F;
            int extra = n == 126 ? 2 : n == 127 ? 8 : 0;
            if (extra > 0) {
                n = 0;
                for (byte b : in.readNBytes(extra)) {
                    n = (n << 8) | (b & 0xFF);
                }
            }
            boolean masked = (head[1] & 0x80) != 0;
            byte[] key = masked ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) n);
            if (payload.length != n) {
                throw new EOFException("connection closed inside a frame");
            }
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= key[i & 3];
                }
            }
            return new MaskTolerantFrame(head[0] & 0xFF, masked, payload);
        }
    }

    /**
     * A CGI printing the environment it was started with (/proc/self/environ: order and values exactly), for one
     * request with a query, path-info and a few headers, through each path; compared with reference section 8.
     */
    @ParameterizedTest
    @EnumSource(SeedCgiFamily.Route.class)
    void theProgramsEnvironmentIsReferenceSection8InOrder(SeedCgiFamily.Route route) throws Exception {
        try (CgiFamilyRun run = CgiFamilyRun.start(dir, route)) {
            Path script = run.seed.docroot.resolve("ws").resolve("env.cgi");
            Files.writeString(script, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                    + "tr '\\000' '\\n' < /proc/$$/environ\n");
            SeedCgiFamily.executable(script);
            String target = "/ws/env.cgi/extra/path?a=1&b=two%20words";
            try (Socket socket = new Socket("127.0.0.1", run.port())) {
                socket.setSoTimeout(20_000);
                String host = "127.0.0.1:" + run.port();
                socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + host
                        + "\r\nUser-Agent: cgiaccept/1\r\nX-Trace-Id: abc-123\r\nAccept: text/plain\r\n"
                        + "Proxy: http://evil.example/\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 200 ");
                int bodyAt = answer.indexOf("\r\n\r\n") + 4;
                String body = answer.substring(0, bodyAt).toLowerCase().contains("\r\ntransfer-encoding: chunked\r\n")
                        ? RawHttp.dechunk(answer.substring(bodyAt)) : answer.substring(bodyAt);
                List<String> env = body.lines().toList();
                Path docroot = run.seed.docroot;
                List<String> expected = new ArrayList<>(List.of(
                        "CONTENT_LENGTH=0",
                        "QUERY_STRING=a=1&b=two%20words",
                        "REQUEST_URI=" + target,
                        "REDIRECT_STATUS=200",
                        "SCRIPT_NAME=/ws/env.cgi",
                        "PATH_INFO=/extra/path",
                        "PATH_TRANSLATED=" + docroot + "/extra/path",
                        "SCRIPT_FILENAME=" + docroot + "/ws/env.cgi",
                        "DOCUMENT_ROOT=" + docroot,
                        "REQUEST_METHOD=GET",
                        "SERVER_PROTOCOL=HTTP/1.1",
                        "SERVER_SOFTWARE=" + io.lightgate.Version.tag(),
                        "GATEWAY_INTERFACE=CGI/1.1",
                        "REQUEST_SCHEME=http",
                        "SERVER_PORT=" + run.port(),
                        "SERVER_ADDR=127.0.0.1",
                        "SERVER_NAME=127.0.0.1",
                        "REMOTE_ADDR=127.0.0.1",
                        "REMOTE_PORT=" + socket.getLocalPort(),
                        "HTTP_HOST=" + host,
                        "HTTP_USER_AGENT=cgiaccept/1",
                        "HTTP_X_TRACE_ID=abc-123",
                        "HTTP_ACCEPT=text/plain",
                        "HTTP_CONNECTION=close"));
                if (route == SeedCgiFamily.Route.SCGI) {
                    expected.add("SCGI=1"); // mod_scgi appends the SCGI spec's marker after section 8's list
                }
                assertThat(env).as("%s environment", route).isEqualTo(expected);
            }
        }
    }
}
