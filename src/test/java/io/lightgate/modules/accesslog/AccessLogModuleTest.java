package io.lightgate.modules.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.http.Response;
import io.lightgate.modules.support.MapConfig;
import io.lightgate.modules.support.TestExchange;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogModuleTest {
    @TempDir Path dir;
    private final AccessLogModule module = new AccessLogModule();

    @AfterEach
    void stop() {
        module.stop();
    }

    private void request(MapConfig config, String target, int status, String body) {
        TestExchange ex = new TestExchange(TestExchange.get(target, "User-Agent", "t/1"), config,
                TestExchange.physical(dir, "/x"));
        Response r = new Response(status).body(new Response.Bytes(
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII)));
        module.requestDone(ex, r, 70, 120 + body.length());
        ((Response.Bytes) r.body()).content().release();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void writesLinesToAFileWithinASecond() throws Exception {
        Path log = dir.resolve("access.log");
        MapConfig config = new MapConfig().set(AccessLogModule.FILENAME, log.toString())
                .set(AccessLogModule.FORMAT, LogFormat.parse("%r %>s %b %{User-Agent}i"));
        request(config, "/one", 200, "hello");
        request(config, "/two?q", 404, "");
        await(() -> lines(log).size() == 2);
        assertThat(lines(log)).containsExactly("GET /one HTTP/1.1 200 5 t/1", "GET /two?q HTTP/1.1 404 0 t/1");
    }

    @Test
    void eachConditionalTargetGetsItsOwnFile() throws Exception {
        Path a = dir.resolve("a.log");
        Path b = dir.resolve("b.log");
        request(new MapConfig().set(AccessLogModule.FILENAME, a.toString()), "/a", 200, "");
        request(new MapConfig().set(AccessLogModule.FILENAME, b.toString()), "/b", 200, "");
        request(new MapConfig(), "/nowhere", 200, ""); // no accesslog.filename: no line anywhere
        await(() -> lines(a).size() == 1 && lines(b).size() == 1);
        assertThat(lines(a).getFirst()).contains("\"GET /a HTTP/1.1\"");
        assertThat(lines(b).getFirst()).contains("\"GET /b HTTP/1.1\"");
    }

    @Test
    void reopenAfterRotationStartsTheNewFile() throws Exception {
        Path log = dir.resolve("access.log");
        MapConfig config = new MapConfig().set(AccessLogModule.FILENAME, log.toString())
                .set(AccessLogModule.FORMAT, LogFormat.parse("%U"));
        request(config, "/before", 200, "");
        await(() -> lines(log).size() == 1);
        Path rotated = dir.resolve("access.log.1");
        Files.move(log, rotated);
        module.reopenLogs();
        // the reopen happens on the writer thread before its next write
        Thread.sleep(1200);
        request(config, "/after", 200, "");
        await(() -> lines(log).size() == 1);
        assertThat(lines(log)).containsExactly("/after");
        assertThat(lines(rotated)).containsExactly("/before");
    }

    @Test
    void pipeTargetFeedsACommandThatIsStoppedAndReaped() throws Exception {
        Path out = dir.resolve("piped.log");
        Path pidFile = dir.resolve("pid");
        String command = "|echo $$ > '" + pidFile + "'; exec cat >> '" + out + "'";
        MapConfig config = new MapConfig().set(AccessLogModule.FILENAME, command)
                .set(AccessLogModule.FORMAT, LogFormat.parse("%m %U %s"))
                .set(AccessLogModule.ESCAPING, "json");
        request(config, "/p1", 200, "x");
        request(config, "/p2", 301, "");
        await(() -> lines(out).size() == 2);
        assertThat(lines(out)).containsExactly("GET /p1 200", "GET /p2 301");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        Optional<ProcessHandle> child = ProcessHandle.of(pid);
        assertThat(child).isPresent();
        assertThat(child.get().isAlive()).isTrue();
        module.stop();
        // stop() closes the pipe, the command sees EOF and exits, and it is reaped (not left a zombie)
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Files.exists(Path.of("/proc/" + pid))).isFalse();
    }
}
