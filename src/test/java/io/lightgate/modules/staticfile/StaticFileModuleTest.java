package io.lightgate.modules.staticfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.http.Module.Hook;
import io.lightgate.http.Request;
import io.lightgate.http.Response;
import io.lightgate.modules.support.MapConfig;
import io.lightgate.modules.support.TestExchange;
import io.lightgate.server.ServerKeys;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticFileModuleTest {
    private static final String CONTENT = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(10); // 360 bytes
    private static final long MTIME = 1795290662L;
    private static final String LM = "Sat, 21 Nov 2026 19:51:02 GMT";

    @TempDir Path root;
    private final StaticFileModule module = new StaticFileModule();
    private MapConfig config;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(root.resolve("data.txt"), CONTENT);
        Files.setLastModifiedTime(root.resolve("data.txt"), FileTime.fromMillis(MTIME * 1000));
        Files.writeString(root.resolve("page.html"), "<p>hi</p>");
        Files.writeString(root.resolve("x.php"), "<?php");
        Files.writeString(root.resolve("file.xyz"), "raw");
        Files.createFile(root.resolve("empty.txt"));
        Files.createDirectory(root.resolve("dir"));
        config = new MapConfig();
    }

    private TestExchange run(Request request, String urlPath) {
        TestExchange ex = new TestExchange(request, config, TestExchange.physical(root, urlPath));
        Hook hook = module.subrequestStart(ex);
        assertThat(hook == Hook.HANDLED).isEqualTo(ex.answers() == 1);
        return ex;
    }

    private TestExchange get(String urlPath, String... headers) {
        return run(TestExchange.get(urlPath, headers), urlPath);
    }

    private String etag() {
        TestExchange ex = get("/data.txt");
        String e = ex.response().headers().get("ETag");
        ex.bodyText();
        return e;
    }

    /** The status, after reading (and so closing) any body. */
    private static int drained(TestExchange ex) {
        if (ex.response() != null) {
            ex.bodyText();
        }
        return ex.status();
    }

    @Test
    void servesAFileWithValidatorsAndAcceptRanges() {
        config.set(ServerKeys.STAT_CACHE_ENGINE, "disable"); // the zero-copy path for files on disk
        TestExchange ex = get("/data.txt");
        Response r = ex.response();
        assertThat(r.status()).isEqualTo(200);
        HttpHeaders h = r.headers();
        assertThat(h.get("Content-Type")).isEqualTo("text/plain;charset=utf-8");
        assertThat(h.get("ETag")).matches("\"\\d+\"");
        assertThat(h.get("Last-Modified")).isEqualTo(LM);
        assertThat(h.get("Accept-Ranges")).isEqualTo("bytes");
        assertThat(r.body()).isInstanceOf(Response.FileRange.class);
        assertThat(r.body().length()).isEqualTo(360);
        assertThat(ex.bodyText()).isEqualTo(CONTENT);
        TestExchange html = get("/page.html");
        assertThat(html.response().headers().get("Content-Type")).isEqualTo("text/html");
        assertThat(html.bodyText()).isEqualTo("<p>hi</p>");
    }

    @Test
    void headGetsTheSameHeadersAndIgnoresRange() {
        TestExchange ex = run(TestExchange.request("HEAD", "/data.txt", Request.Protocol.HTTP_1_1,
                TestExchange.headers("Range", "bytes=0-9")), "/data.txt");
        assertThat(ex.response().status()).isEqualTo(200);
        assertThat(ex.response().body().length()).isEqualTo(360);
        assertThat(ex.response().headers().get("Accept-Ranges")).isEqualTo("bytes");
        ex.bodyText();
    }

    @Test
    void emptyFileHasEmptyBody() {
        TestExchange ex = get("/empty.txt", "Range", "bytes=0-1");
        assertThat(ex.response().status()).isEqualTo(200);
        assertThat(ex.response().body()).isEqualTo(Response.Body.EMPTY);
        assertThat(ex.response().headers().get("Accept-Ranges")).isEqualTo("bytes");
    }

    @Test
    void unknownTypeIsOctetStreamWithoutValidators() {
        config.set(io.lightgate.modules.mimetype.MimeTypes.ASSIGN,
                io.lightgate.modules.mimetype.MimeTable.of(java.util.Map.of(".txt", "text/plain")));
        TestExchange ex = get("/file.xyz");
        HttpHeaders h = ex.response().headers();
        assertThat(h.get("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(h.contains("ETag")).isFalse();
        assertThat(h.contains("Last-Modified")).isFalse();
        assertThat(ex.bodyText()).isEqualTo("raw");
    }

    @Test
    void ifNoneMatchGives304WithValidatorsAndNoBody() {
        String etag = etag();
        TestExchange ex = get("/data.txt", "If-None-Match", "\"other\", " + etag);
        assertThat(ex.response().status()).isEqualTo(304);
        assertThat(ex.response().body()).isEqualTo(Response.Body.EMPTY);
        assertThat(ex.response().headers().get("ETag")).isEqualTo(etag);
        assertThat(ex.response().headers().get("Last-Modified")).isEqualTo(LM);
        assertThat(ex.response().headers().contains("Accept-Ranges")).isFalse();
        assertThat(get("/data.txt", "If-None-Match", "*").status()).isEqualTo(304);
        TestExchange miss = get("/data.txt", "If-None-Match", "\"nope\"", "If-Modified-Since", LM);
        assertThat(miss.status()).isEqualTo(200);
        miss.bodyText();
    }

    @Test
    void ifModifiedSinceGives304() {
        assertThat(get("/data.txt", "If-Modified-Since", LM).status()).isEqualTo(304);
        TestExchange older = get("/data.txt", "If-Modified-Since", "Sat, 21 Nov 2026 19:51:01 GMT");
        assertThat(older.status()).isEqualTo(200);
        older.bodyText();
    }

    @Test
    void postWithMatchingIfNoneMatchIs412() {
        TestExchange ex = run(TestExchange.request("POST", "/data.txt", Request.Protocol.HTTP_1_1,
                TestExchange.headers("If-None-Match", "*")), "/data.txt");
        assertThat(ex.response()).isNull();
        assertThat(ex.errorStatus()).isEqualTo(412);
        TestExchange plain = run(TestExchange.request("POST", "/data.txt", Request.Protocol.HTTP_1_1,
                TestExchange.headers("Range", "bytes=0-1")), "/data.txt");
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.response().headers().contains("Accept-Ranges")).isFalse();
        assertThat(plain.bodyText()).isEqualTo(CONTENT);
    }

    @Test
    void singleRangeIs206() {
        TestExchange ex = get("/data.txt", "Range", "bytes=10-19");
        assertThat(ex.response().status()).isEqualTo(206);
        assertThat(ex.response().headers().get("Content-Range")).isEqualTo("bytes 10-19/360");
        assertThat(ex.response().body().length()).isEqualTo(10);
        assertThat(ex.bodyText()).isEqualTo("abcdefghij");
    }

    @Test
    void severalRangesAreMultipart() {
        config.set(ServerKeys.STAT_CACHE_ENGINE, "disable");
        TestExchange ex = get("/data.txt", "Range", "bytes=0-1,200-202,-3");
        Response r = ex.response();
        assertThat(r.status()).isEqualTo(206);
        String type = r.headers().get("Content-Type");
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String b = type.substring(type.indexOf('=') + 1);
        long declared = r.body().length();
        String body = ex.bodyText();
        assertThat(body).hasSize((int) declared).isEqualTo(
                "--" + b + "\r\nContent-Type: text/plain;charset=utf-8\r\nContent-Range: bytes 0-1/360\r\n\r\n01"
                + "\r\n--" + b + "\r\nContent-Type: text/plain;charset=utf-8\r\nContent-Range: bytes 200-202/360\r\n\r\n"
                + CONTENT.substring(200, 203)
                + "\r\n--" + b + "\r\nContent-Type: text/plain;charset=utf-8\r\nContent-Range: bytes 357-359/360\r\n\r\n"
                + CONTENT.substring(357)
                + "\r\n--" + b + "--\r\n");
        // the parts share one open channel (the core closes a response's files once, at its end)
        List<Response.Body> parts = ((Response.Parts) r.body()).parts();
        assertThat(parts.stream().filter(p -> p instanceof Response.FileRange)
                .map(p -> ((Response.FileRange) p).file()).distinct()).hasSize(1);
    }

    @Test
    void unsatisfiableRangeIs416WithContentRange() {
        TestExchange ex = get("/data.txt", "Range", "bytes=5000-");
        assertThat(ex.response().status()).isEqualTo(416);
        assertThat(ex.response().headers().get("Content-Range")).isEqualTo("bytes */360");
    }

    @Test
    void ifRangeDecidesBetweenPartAndWhole() {
        String etag = etag();
        assertThat(drained(get("/data.txt", "Range", "bytes=0-1", "If-Range", etag))).isEqualTo(206);
        assertThat(drained(get("/data.txt", "Range", "bytes=0-1", "If-Range", LM))).isEqualTo(206);
        TestExchange stale = get("/data.txt", "Range", "bytes=0-1", "If-Range", "\"stale\"");
        assertThat(stale.status()).isEqualTo(200);
        assertThat(stale.bodyText()).isEqualTo(CONTENT);
        // a weak If-None-Match never matches a ranged request
        TestExchange weak = get("/data.txt", "Range", "bytes=0-1", "If-None-Match", "W/" + etag);
        assertThat(weak.status()).isEqualTo(206);
        weak.bodyText();
    }

    @Test
    void rangesOffForHttp10AndWhenDisabled() {
        TestExchange old = run(TestExchange.request("GET", "/data.txt", Request.Protocol.HTTP_1_0,
                TestExchange.headers("Range", "bytes=0-1")), "/data.txt");
        assertThat(old.status()).isEqualTo(200);
        assertThat(old.response().headers().contains("Accept-Ranges")).isFalse();
        old.bodyText();
        config.set(ServerKeys.RANGE_REQUESTS, false);
        TestExchange off = get("/data.txt", "Range", "bytes=0-1");
        assertThat(off.status()).isEqualTo(200);
        assertThat(off.response().headers().contains("Accept-Ranges")).isFalse();
        off.bodyText();
    }

    @Test
    void etagSettings() {
        config.set(StaticFileModule.ETAGS, false);
        TestExchange off = get("/data.txt");
        assertThat(off.response().headers().contains("ETag")).isFalse();
        assertThat(off.response().headers().get("Last-Modified")).isEqualTo(LM);
        off.bodyText();
        config.set(StaticFileModule.ETAGS, true).set(StaticFileModule.ETAG_USE_INODE, false)
                .set(StaticFileModule.ETAG_USE_MTIME, false).set(StaticFileModule.ETAG_USE_SIZE, false);
        TestExchange none = get("/data.txt");
        assertThat(none.response().headers().contains("ETag")).isFalse();
        none.bodyText();
    }

    @Test
    void excludedExtensionIs403() {
        config.set(StaticFileModule.EXCLUDE_EXTENSIONS, List.of(".php", "~"));
        assertThat(get("/x.php").errorStatus()).isEqualTo(403);
        TestExchange ok = get("/data.txt");
        assertThat(ok.status()).isEqualTo(200);
        ok.bodyText();
    }

    @Test
    void leavesOtherMethodsDirectoriesAndPathinfoToTheCore() {
        TestExchange put = run(TestExchange.request("PUT", "/data.txt", Request.Protocol.HTTP_1_1,
                TestExchange.headers()), "/data.txt");
        assertThat(put.answers()).isZero();
        assertThat(get("/dir").answers()).isZero();
        config.set(StaticFileModule.DISABLE_PATHINFO, true);
        TestExchange withInfo = new TestExchange(TestExchange.get("/data.txt/extra"), config,
                TestExchange.physical(root, "/data.txt"));
        assertThat(module.subrequestStart(withInfo)).isEqualTo(Hook.GO_ON);
        assertThat(withInfo.answers()).isZero();
    }

    @Test
    void missingFileIs404() {
        assertThat(get("/gone.txt").errorStatus()).isEqualTo(404);
    }

    @Test
    void smallFilesAreSentFromTheStatCacheAndLargeOnesFromDisk() throws Exception {
        TestExchange small = get("/data.txt");
        assertThat(small.response().body()).isInstanceOf(Response.Bytes.class);
        assertThat(small.bodyText()).isEqualTo(CONTENT);
        TestExchange range = get("/data.txt", "Range", "bytes=10-12");
        assertThat(range.response().status()).isEqualTo(206);
        assertThat(range.bodyText()).isEqualTo("abc");

        String big = "x".repeat(io.lightgate.http.StatCache.SMALL_FILE_LIMIT + 1);
        Files.writeString(root.resolve("big.txt"), big);
        TestExchange large = get("/big.txt");
        assertThat(large.response().body()).isInstanceOf(Response.FileRange.class);
        assertThat(large.bodyText()).isEqualTo(big);
    }

    @Test
    void aChangedFileIsNotServedFromAStaleCacheEntryOfAnotherSize() throws Exception {
        assertThat(get("/page.html").bodyText()).isEqualTo("<p>hi</p>");
        // Within the same second the cached stat may still be used (as lighttpd's stat cache does), but
        // content is never served for a size the cache did not read.
        Files.writeString(root.resolve("page.html"), "<p>changed</p>");
        String text = get("/page.html").bodyText();
        assertThat(text).isIn("<p>hi</p>", "<p>changed</p>");
        Thread.sleep(1100);
        assertThat(get("/page.html").bodyText()).isEqualTo("<p>changed</p>");
    }

    /** The headers of a response derived with the stat cache off: computed afresh, no memo involved. */
    private HttpHeaders uncachedHeaders(String urlPath) {
        String engine = config.get(ServerKeys.STAT_CACHE_ENGINE);
        config.set(ServerKeys.STAT_CACHE_ENGINE, "disable");
        try {
            TestExchange ex = get(urlPath);
            ex.bodyText();
            return ex.response().headers();
        } finally {
            config.set(ServerKeys.STAT_CACHE_ENGINE, engine);
        }
    }

    @Test
    void headersRememberedPerThreadStayWithTheirFileTableAndEtagFields() {
        HttpHeaders dataAlone = uncachedHeaders("/data.txt");
        HttpHeaders pageAlone = uncachedHeaders("/page.html");
        assertThat(dataAlone.get("ETag")).isNotEqualTo(pageAlone.get("ETag"));
        // alternating files within one second: each keeps its own type, ETag and Last-Modified
        for (int i = 0; i < 4; i++) {
            for (var file : List.of("/data.txt", "/page.html")) {
                TestExchange ex = get(file);
                HttpHeaders expected = file.equals("/data.txt") ? dataAlone : pageAlone;
                for (String name : List.of("Content-Type", "ETag", "Last-Modified")) {
                    assertThat(ex.response().headers().get(name)).as(file + " " + name).isEqualTo(expected.get(name));
                }
                ex.bodyText();
            }
        }
        // the same file under another mimetype.assign (as a conditional would give): that table's type
        config.set(io.lightgate.modules.mimetype.MimeTypes.ASSIGN,
                io.lightgate.modules.mimetype.MimeTable.of(java.util.Map.of(".txt", "text/x-one")));
        TestExchange one = get("/data.txt");
        assertThat(one.response().headers().get("Content-Type")).isEqualTo("text/x-one");
        one.bodyText();
        config.set(io.lightgate.modules.mimetype.MimeTypes.ASSIGN,
                io.lightgate.modules.mimetype.MimeTable.of(java.util.Map.of(".txt", "text/x-two")));
        TestExchange two = get("/data.txt");
        assertThat(two.response().headers().get("Content-Type")).isEqualTo("text/x-two");
        two.bodyText();
        // and under other etag.use-* settings: the ETag of those fields, not the remembered one
        config.set(StaticFileModule.ETAG_USE_INODE, false).set(StaticFileModule.ETAG_USE_MTIME, false);
        String sizeOnly = uncachedHeaders("/data.txt").get("ETag");
        TestExchange sized = get("/data.txt");
        assertThat(sized.response().headers().get("ETag")).isEqualTo(sizeOnly).isNotEqualTo(dataAlone.get("ETag"));
        sized.bodyText();
        config.set(StaticFileModule.ETAG_USE_INODE, true).set(StaticFileModule.ETAG_USE_MTIME, true);
        TestExchange all = get("/data.txt");
        assertThat(all.response().headers().get("ETag")).isEqualTo(dataAlone.get("ETag"));
        all.bodyText();
    }

    @Test
    void aNewModificationTimeShowsInTheValidatorsOnceTheCachedStatExpires() throws Exception {
        TestExchange before = get("/data.txt");
        String etagBefore = before.response().headers().get("ETag");
        assertThat(before.response().headers().get("Last-Modified")).isEqualTo(LM);
        before.bodyText();
        Files.setLastModifiedTime(root.resolve("data.txt"), FileTime.fromMillis((MTIME + 60) * 1000));
        Thread.sleep(1100);
        TestExchange after = get("/data.txt");
        assertThat(after.response().headers().get("Last-Modified")).isEqualTo("Sat, 21 Nov 2026 19:52:02 GMT");
        assertThat(after.response().headers().get("ETag")).isNotEqualTo(etagBefore);
        after.bodyText();
    }
}
