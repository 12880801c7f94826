package io.lightgate.modules.support;

import io.lightgate.config.RequestConfig;
import io.lightgate.http.Exchange;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Request;
import io.lightgate.http.Response;
import io.lightgate.http.UpgradeHandler;
import io.lightgate.log.ErrorLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** An in-memory Exchange: records what the module answered; bodies can be read back (and are then closed). */
public final class TestExchange implements Exchange {
    private final Request request;
    private final RequestConfig config;
    private PhysicalPath physical;
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private final ErrorLog errorLog = new ErrorLog(new PrintStream(errors, true, StandardCharsets.UTF_8));
    private Response response;
    private int errorStatus;
    private int answers;

    public TestExchange(Request request, RequestConfig config, PhysicalPath physical) {
        this.request = request;
        this.config = config;
        this.physical = physical;
    }

    public static Request request(String method, String target, Request.Protocol protocol, HttpHeaders headers) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        return new Request(method, target, protocol, headers, path, query, "example.org", "http",
                new InetSocketAddress("127.0.0.1", 50123), new InetSocketAddress("127.0.0.1", 8080),
                "127.0.0.1:8080", -1);
    }

    public static Request get(String target, String... headerPairs) {
        return request("GET", target, Request.Protocol.HTTP_1_1, headers(headerPairs));
    }

    public static HttpHeaders headers(String... pairs) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            h.add(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    /** The physical path of {@code urlPath} under {@code docRoot}. */
    public static PhysicalPath physical(Path docRoot, String urlPath) {
        return new PhysicalPath(docRoot, urlPath, docRoot.resolve(urlPath.substring(1)));
    }

    @Override public Request request() { return request; }
    @Override public RequestConfig config() { return config; }
    @Override public PhysicalPath physical() { return physical; }
    @Override public void physical(PhysicalPath p) { this.physical = p; }
    @Override public ErrorLog errorLog() { return errorLog; }

    @Override
    public io.lightgate.http.RequestBody requestBody() {
        throw new UnsupportedOperationException("TestExchange has no request body");
    }
    @Override public EventLoop eventLoop() { return null; }

    @Override
    public void respond(Response r) {
        answers++;
        response = r;
    }

    @Override
    public void respondError(int status) {
        answers++;
        errorStatus = status;
    }

    @Override
    public void upgrade(Response switching, UpgradeHandler handler) {
        throw new AssertionError("static modules never upgrade");
    }

    public Response response() { return response; }
    public int errorStatus() { return errorStatus; }
    public int answers() { return answers; }
    public String errorLogText() { return errors.toString(StandardCharsets.UTF_8); }

    /** The status sent, by respond or respondError; 0 when none. */
    public int status() { return response != null ? response.status() : errorStatus; }

    /** Reads the whole body as ISO-8859-1 text, closing channels and releasing buffers. */
    public String bodyText() {
        StringBuilder b = new StringBuilder();
        java.util.Set<java.nio.channels.FileChannel> files = new java.util.HashSet<>();
        drain(response.body(), b, files);
        for (var f : files) {
            try {
                f.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return b.toString();
    }

    private static void drain(Response.Body body, StringBuilder out, java.util.Set<java.nio.channels.FileChannel> files) {
        switch (body) {
            case Response.Empty e -> { }
            case Response.Bytes bytes -> {
                ByteBuf buf = bytes.content();
                out.append(buf.toString(StandardCharsets.ISO_8859_1));
                buf.release();
            }
            case Response.Streamed s -> throw new UnsupportedOperationException("TestExchange cannot drain a streamed body");
            case Response.FileRange r -> {
                files.add(r.file());
                try {
                    var ch = r.file();
                    ByteBuffer bb = ByteBuffer.allocate((int) r.count());
                    long pos = r.offset();
                    while (bb.hasRemaining()) {
                        int n = ch.read(bb, pos);
                        if (n < 0) {
                            break;
                        }
                        pos += n;
                    }
                    out.append(new String(bb.array(), 0, bb.position(), StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case Response.Parts parts -> parts.parts().forEach(p -> drain(p, out, files));
        }
    }
}
