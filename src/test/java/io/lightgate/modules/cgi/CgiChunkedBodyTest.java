package io.lightgate.modules.cgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.ChunkedUpload;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.OpenFds;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * mod_cgi with chunked request bodies in a real lightgate: the body is read whole first (memory, then an unlinked
 * temp file in server.upload-dirs) and the program gets CONTENT_LENGTH and the exact bytes; server.max-request-size
 * still answers 413 before any program runs; a client that leaves mid-body and an unusable upload dir leave no
 * file and no fd behind.
 */
@ExtendWith(LeakGuard.class)
class CgiChunkedBodyTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String BASE = "server.modules = ( \"mod_cgi\" )\n"
            + "cgi.assign = ( \".pl\" => \"/usr/bin/perl\" )\n"
            + "static-file.exclude-extensions = ( \".pl\" )\n";
    /** Marks that it ran, then answers CONTENT_LENGTH and the size and MD5 of what it read on stdin. */
    private static final String MD5_PL = "use Digest::MD5;\nbinmode STDIN;\n"
            + "open(my $m, '>', 'started') or die; close $m;\n"
            + "my $d = Digest::MD5->new;\nmy $n = 0;\n"
            + "while (my $r = sysread(STDIN, my $b, 65536)) { $n += $r; $d->add($b); }\n"
            + "my $t = \"CONTENT_LENGTH=$ENV{CONTENT_LENGTH} $n \" . $d->hexdigest;\n"
            + "print \"Content-Type: text/plain\\nContent-Length: \", length($t), \"\\n\\n$t\";\n";

    @TempDir
    Path uploads;
    private TestServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.errorLines().forEach(l -> System.out.println("ERRORLOG " + l));
            server.close();
        }
    }

    private void start(String more) throws Exception {
        server = TestServer.start(BASE + more);
        Files.writeString(server.docroot().resolve("md5.pl"), MD5_PL);
    }

    private String uploadDirs(Path dir) {
        return "server.upload-dirs = ( \"" + dir + "\" )\n";
    }

    private boolean programRan() {
        return Files.exists(server.docroot().resolve("started"));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static BooleanSupplier noOpenFilesIn(Path dir) {
        return () -> {
            try {
                return ChunkedUpload.openFilesIn(dir) == 0;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** Open fds that were not open in {@code before} (the listing's own directory fd aside). */
    private static java.util.Set<String> openedSince(java.util.Set<String> before) throws IOException {
        java.util.Set<String> now = OpenFds.snapshot();
        now.removeAll(before);
        now.removeIf(fd -> fd.endsWith("/fd"));
        return now;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static final String CHUNKED_POST =
            "POST /md5.pl HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

    @Test
    void aSmallChunkedBodyInThreeChunksReachesTheProgramWithItsLength() throws Exception {
        start(""); // the default upload dir: a small body never touches it
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send(CHUNKED_POST + "5\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("CONTENT_LENGTH=12 "
                    + ChunkedUpload.sizeAndMd5("hello, world".getBytes(StandardCharsets.US_ASCII)));
            // the connection goes on with the next request
            c.send("POST /md5.pl HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(c.readResponse(false).body()).isEqualTo("CONTENT_LENGTH=3 "
                    + ChunkedUpload.sizeAndMd5("abc".getBytes(StandardCharsets.US_ASCII)));
        }
        assertThat(server.errorLines("mod_cgi")).isEmpty();
    }

    @Test
    void anEightMebibyteChunkedBodyGoesThroughAnUnlinkedTempFileIntact() throws Exception {
        start(uploadDirs(uploads));
        byte[] body = random(8 << 20);
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send(CHUNKED_POST);
            OutputStream out = c.outputStream();
            ChunkedUpload.writeChunks(out, body, 0, 1 << 20, ChunkedUpload.ODD_SIZES);
            await("the spool's temp file open in the upload dir",
                    () -> !noOpenFilesIn(uploads).getAsBoolean());
            assertThat(ChunkedUpload.entries(uploads)).as("unlinked as soon as it is open").isZero();
            assertThat(programRan()).as("no program before the body's end").isFalse();
            ChunkedUpload.writeChunks(out, body, 1 << 20, body.length, ChunkedUpload.ODD_SIZES);
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("CONTENT_LENGTH=" + body.length + " " + ChunkedUpload.sizeAndMd5(body));
        }
        await("the temp file closed", noOpenFilesIn(uploads));
        assertThat(ChunkedUpload.entries(uploads)).isZero();
    }

    @Test
    void aChunkedBodyOverMaxRequestSizeIs413AndNoProgramRuns() throws Exception {
        start(uploadDirs(uploads) + "server.max-request-size = 200\n"); // KiB: past the memory limit
        byte[] body = random(1 << 20);
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send(CHUNKED_POST);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    ChunkedUpload.write(c.outputStream(), body, ChunkedUpload.ODD_SIZES);
                } catch (IOException refused) {
                    // the server stops reading after its 413
                }
            });
            assertThat(c.readResponse(false).status()).isEqualTo(413);
            writer.join(TIMEOUT.toMillis());
        }
        await("the temp file closed", noOpenFilesIn(uploads));
        assertThat(ChunkedUpload.entries(uploads)).isZero();
        assertThat(programRan()).isFalse();
        assertThat(server.errorLines()).anySatisfy(l -> assertThat(l).contains("max-request-size").contains("413"));
    }

    @Test
    void aClientVanishingMidBodyLeavesNoFileAndNoFd() throws Exception {
        start(uploadDirs(uploads));
        try (RawHttp warm = RawHttp.connect(server.port(), TIMEOUT)) {
            // opens what later requests reuse; the server closes first, so its socket is gone when we count
            warm.send("POST /md5.pl HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "1\r\nx\r\n0\r\n\r\n");
            assertThat(RawHttp.parse(warm.readUntilClosed()).status()).isEqualTo(200);
        }
        Files.delete(server.docroot().resolve("started"));
        java.util.Set<String> fdsBefore = OpenFds.snapshot();
        byte[] body = random(300_000);
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send(CHUNKED_POST);
            ChunkedUpload.writeChunks(c.outputStream(), body, 0, body.length, ChunkedUpload.ODD_SIZES);
            await("the spool's temp file open", () -> !noOpenFilesIn(uploads).getAsBoolean());
        }
        await("the temp file closed", noOpenFilesIn(uploads));
        // what this request opened (connection, temp file) is closed again; fds of earlier tests may close meanwhile
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!openedSince(fdsBefore).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(openedSince(fdsBefore)).as("fds opened and left open").isEmpty();
        assertThat(ChunkedUpload.entries(uploads)).isZero();
        assertThat(programRan()).isFalse();
        assertThat(server.errorLines("mod_cgi")).isEmpty();
    }

    @Test
    void anUnusableUploadDirIs500WithOneLineNamingIt() throws Exception {
        // under a regular file: unusable even for root, who may write into read-only directories
        Path unusable = Files.writeString(uploads.resolve("file"), "x").resolve("uploads");
        start(uploadDirs(unusable));
        byte[] body = random(200_000);
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send(CHUNKED_POST);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    ChunkedUpload.write(c.outputStream(), body, ChunkedUpload.ODD_SIZES);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(c.readResponse(false).status()).isEqualTo(500);
            writer.join(TIMEOUT.toMillis());
            // the rest of the body was read and dropped: the connection serves the next request
            c.send("POST /md5.pl HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            RawHttp.Response next = c.readResponse(false);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("CONTENT_LENGTH=0 " + ChunkedUpload.sizeAndMd5(new byte[0]));
        }
        List<String> log = server.errorLines("mod_cgi");
        assertThat(log).singleElement().asString().contains(unusable.toString()).contains("500");
        assertThat(ChunkedUpload.openFilesIn(uploads)).isZero();
    }
}
