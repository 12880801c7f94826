package io.lightgate.modules.staticfile;

import io.lightgate.config.ConfigKey;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.http.Exchange;
import io.lightgate.http.StatCache;
import io.lightgate.http.Module;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Request;
import io.lightgate.http.Response;
import io.lightgate.modules.mimetype.MimeTable;
import io.lightgate.modules.mimetype.MimeTypes;
import io.lightgate.server.ServerKeys;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * mod_staticfile: answers GET, HEAD and POST for a regular file with its content, sent zero-copy from
 * an open file channel (small files from the stat cache); handles ETag/Last-Modified validators, 304/412, and byte ranges
 * (206, multipart/byteranges, 416). Other methods and non-files are left to the core.
 */
public final class StaticFileModule implements Module {

    public static final ConfigKey<List<String>> EXCLUDE_EXTENSIONS =
            ConfigKey.of("static-file.exclude-extensions", Scope.CONNECTION, ValueType.STRING_LIST, List.of());
    public static final ConfigKey<Boolean> ETAGS =
            ConfigKey.of("static-file.etags", Scope.CONNECTION, ValueType.BOOL, true);
    public static final ConfigKey<Boolean> DISABLE_PATHINFO =
            ConfigKey.of("static-file.disable-pathinfo", Scope.CONNECTION, ValueType.BOOL, false);
    // lighttpd keeps the etag.* keys in its core; mod_staticfile is always loaded, so they live here
    public static final ConfigKey<Boolean> ETAG_USE_INODE =
            ConfigKey.of("etag.use-inode", Scope.CONNECTION, ValueType.BOOL, true);
    public static final ConfigKey<Boolean> ETAG_USE_MTIME =
            ConfigKey.of("etag.use-mtime", Scope.CONNECTION, ValueType.BOOL, true);
    public static final ConfigKey<Boolean> ETAG_USE_SIZE =
            ConfigKey.of("etag.use-size", Scope.CONNECTION, ValueType.BOOL, true);

    public StaticFileModule() { }

    @Override public String name() { return "mod_staticfile"; }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return List.of(EXCLUDE_EXTENSIONS, ETAGS, DISABLE_PATHINFO, ETAG_USE_INODE, ETAG_USE_MTIME, ETAG_USE_SIZE);
    }

    @Override
    public Hook subrequestStart(Exchange exchange) {
        PhysicalPath physical = exchange.physical();
        if (physical == null) {
            return Hook.GO_ON;
        }
        Request request = exchange.request();
        String method = request.method();
        boolean getOrHead = method.equals("GET") || method.equals("HEAD");
        if (!getOrHead && !method.equals("POST")) {
            return Hook.GO_ON;
        }
        RequestConfig config = exchange.config();
        if (config.get(DISABLE_PATHINFO) && hasPathInfo(request, physical)) {
            return Hook.GO_ON;
        }
        // The core checked the URL's path; an index file (or another module's rewrite) may have changed it.
        if (!config.get(ServerKeys.FOLLOW_SYMLINK) && physical.relPath() != null && physical.hasSymlinkBelowRoot()) {
            exchange.respondError(403);
            return Hook.HANDLED;
        }
        boolean cached = ServerKeys.statCacheEnabled(config);
        StatCache.FileStat stat;
        try {
            stat = StatCache.stat(physical, cached);
        } catch (NoSuchFileException e) {
            exchange.respondError(404);
            return Hook.HANDLED;
        } catch (IOException e) {
            exchange.respondError(403);
            return Hook.HANDLED;
        }
        if (!stat.regularFile()) {
            return Hook.GO_ON;
        }
        FileHeaders derived = FileHeaders.of(stat, physical);
        if (isExcluded(config.get(EXCLUDE_EXTENSIONS), derived.pathText)) {
            exchange.respondError(403);
            return Hook.HANDLED;
        }
        serve(exchange, request, config, physical, derived, stat, getOrHead, cached);
        return Hook.HANDLED;
    }

    private void serve(Exchange exchange, Request request, RequestConfig config, PhysicalPath physical,
                       FileHeaders derived,
                       StatCache.FileStat stat, boolean getOrHead, boolean cached) {
        String pathText = derived.pathText;
        HttpHeaders in = request.headers();
        Response response = new Response(200);
        HttpHeaders out = response.headers(); // empty: add() rather than set(), which first searches to remove

        String type = derived.type(config.get(MimeTypes.ASSIGN));
        // lighttpd: no configured type means the type may change later, so no validators are sent
        boolean cacheable = type != null;
        out.add(HttpHeaderNames.CONTENT_TYPE, cacheable ? type : MimeTypes.FALLBACK);

        String etag = null;
        String lastModified = null;
        if (cacheable) {
            if (config.get(ETAGS)) {
                etag = derived.etag(config.get(ETAG_USE_INODE), config.get(ETAG_USE_SIZE), config.get(ETAG_USE_MTIME));
                if (etag != null) {
                    out.add(HttpHeaderNames.ETAG, etag);
                }
            }
            lastModified = derived.lastModified();
            out.add(HttpHeaderNames.LAST_MODIFIED, lastModified);
            switch (Preconditions.evaluate(getOrHead, in.contains(HttpHeaderNames.RANGE),
                    in.get(HttpHeaderNames.IF_NONE_MATCH), in.get(HttpHeaderNames.IF_MODIFIED_SINCE),
                    etag, lastModified, stat.mtimeSeconds())) {
                case NOT_MODIFIED -> {
                    exchange.respond(response.status(304));
                    return;
                }
                case PRECONDITION_FAILED -> {
                    exchange.respondError(412);
                    return;
                }
                case PROCEED -> { }
            }
        }

        boolean rangesAllowed = getOrHead && config.get(ServerKeys.RANGE_REQUESTS)
                && request.protocol() != Request.Protocol.HTTP_1_0;
        if (rangesAllowed) {
            out.add(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        }

        FileContent file;
        long length;
        try {
            file = FileContent.open(physical, stat, cached);
            length = file.length();
        } catch (NoSuchFileException e) {
            exchange.respondError(404);
            return;
        } catch (AccessDeniedException e) {
            exchange.respondError(403);
            return;
        } catch (IOException e) {
            exchange.errorLog().write("mod_staticfile", "opening " + pathText + " failed: " + e.getMessage());
            exchange.respondError(403);
            return;
        }

        String rangeHeader = in.get(HttpHeaderNames.RANGE);
        // RFC 9110 §14.2: only GET has its Range honoured; HEAD gets the 200 headers
        if (rangesAllowed && rangeHeader != null && request.method().equals("GET")
                && Preconditions.ifRangeHolds(in.get(HttpHeaderNames.IF_RANGE), etag, lastModified)) {
            switch (ByteRanges.evaluate(rangeHeader, length)) {
                case ByteRanges.Ignore ignore -> { }
                case ByteRanges.Unsatisfiable u -> {
                    file.discard();
                    exchange.respond(unsatisfiable(length));
                    return;
                }
                case ByteRanges.Satisfiable s -> {
                    respondPartial(exchange, response, file, length, s.ranges());
                    return;
                }
            }
        }
        exchange.respond(response.body(file.whole()));
    }

    /**
     * 416. lighttpd 1.4.69 sends its HTML error page and drops the Content-Range it computed; RFC 9110
     * §15.5.17 asks for {@code Content-Range: bytes *}{@code /length}, so we send that and no body.
     */
    private static Response unsatisfiable(long length) {
        Response r = new Response(416);
        r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + length);
        return r;
    }

    /**
     * 206. One range is one FileRange; several are a Parts body of delimiters and FileRanges that all
     * share the one open channel: the core closes a response's files once, after its last byte
     * (Http1ResponseWriter), so every part reads the same open file, as lighttpd's do.
     */
    private static void respondPartial(Exchange exchange, Response response, FileContent file, long length,
                                       List<ByteRanges.Range> ranges) {
        HttpHeaders out = response.headers();
        if (ranges.size() == 1) {
            ByteRanges.Range r = ranges.getFirst();
            out.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + r.first() + "-" + r.last() + "/" + length);
            exchange.respond(response.status(206).body(file.range(r.first(), r.length())));
            return;
        }
        // a random boundary cannot collide with the file's bytes the way a fixed one can (RFC 2046 §5.1.1)
        String boundary = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        MultipartByteRanges layout = MultipartByteRanges.layout(boundary, ranges,
                out.get(HttpHeaderNames.CONTENT_TYPE), length);
        List<Response.Body> parts = new ArrayList<>(ranges.size() * 2 + 1);
        for (int i = 0; i < ranges.size(); i++) {
            ByteRanges.Range r = ranges.get(i);
            parts.add(new Response.Bytes(Unpooled.wrappedBuffer(layout.partHeaders().get(i))));
            parts.add(file.range(r.first(), r.length()));
        }
        parts.add(new Response.Bytes(Unpooled.wrappedBuffer(layout.closing())));
        out.set(HttpHeaderNames.CONTENT_TYPE, layout.contentType());
        exchange.respond(response.status(206).body(new Response.Parts(parts)));
    }

    /**
     * What a 200 for a file derives from its stat and the config (path text, type, ETag, Last-Modified),
     * kept per event-loop thread for the last stat seen. The stat cache hands out one FileStat object per
     * path and second, so the same object means the same path and the same file: a hot file derives its
     * headers about once a second instead of on every request (measured: these derivations and the
     * Path-to-String were ~8 % of the loop for a 1 KiB file). With the stat cache off every stat is a new
     * object and everything is derived afresh.
     */
    static final class FileHeaders {
        private static final FastThreadLocal<FileHeaders> LAST = new FastThreadLocal<>() {
            @Override
            protected FileHeaders initialValue() {
                return new FileHeaders();
            }
        };

        private StatCache.FileStat stat;
        String pathText;
        private MimeTable table;
        private String type;
        private int etagFields = -1;
        private String etag;
        private String lastModified;

        static FileHeaders of(StatCache.FileStat stat, PhysicalPath physical) {
            FileHeaders h = LAST.get();
            if (h.stat != stat) {
                h.stat = stat;
                h.pathText = physical.text(); // a regular file's text: its normalised path, as Path.toString() gives
                h.table = null;
                h.type = null;
                h.etagFields = -1;
                h.etag = null;
                h.lastModified = null;
            }
            return h;
        }

        /** The configured type, or null when no entry matches. */
        String type(MimeTable assign) {
            if (assign != table) {
                type = assign.lookup(pathText);
                table = assign;
            }
            return type;
        }

        String etag(boolean inode, boolean size, boolean mtime) {
            int fields = (inode ? 1 : 0) | (size ? 2 : 0) | (mtime ? 4 : 0);
            if (fields != etagFields) {
                etag = ETags.of(FileFacts.of(stat), new ETags.Flags(inode, size, mtime));
                etagFields = fields;
            }
            return etag;
        }

        String lastModified() {
            if (lastModified == null) {
                lastModified = HttpDates.format(stat.mtimeSeconds());
            }
            return lastModified;
        }
    }

    /** lighttpd's array_match_value_suffix: any listed suffix, case-sensitive. */
    static boolean isExcluded(List<String> suffixes, String path) {
        for (String suffix : suffixes) {
            if (path.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the URL continues past the file it maps to ("/a.php/extra"): lighttpd's pathinfo. */
    static boolean hasPathInfo(Request request, PhysicalPath physical) {
        String url = request.path();
        String file = physical.urlPath();
        return file != null && url.length() > file.length() && url.startsWith(file) && url.charAt(file.length()) == '/';
    }
}
