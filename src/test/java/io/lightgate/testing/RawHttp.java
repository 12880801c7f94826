package io.lightgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Raw HTTP over java.net.Socket, for malformed input and exact wire checks. */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static RawHttp connect(int port, Duration readTimeout) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout((int) readTimeout.toMillis());
        return new RawHttp(s);
    }

    /** Sends {@code request} (ISO-8859-1) on a new connection and reads until the server closes or the timeout. */
    public static String exchange(int port, String request, Duration timeout) throws IOException {
        try (RawHttp c = connect(port, timeout)) {
            c.send(request);
            return c.readUntilClosed();
        }
    }

    public RawHttp send(String data) throws IOException {
        out.write(data.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** The raw output, for large or binary request bodies. */
    public OutputStream outputStream() {
        return out;
    }

    /** The client side's port (what the server sees as REMOTE_PORT). */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Changes how long a read waits before SocketTimeoutException (the socket stays usable after one). */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Everything until EOF; a timeout ends the read too, marked with "<<timeout>>". */
    public String readUntilClosed() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) > 0) {
                buf.write(b, 0, n);
            }
        } catch (SocketTimeoutException e) {
            buf.writeBytes("<<timeout>>".getBytes(StandardCharsets.ISO_8859_1));
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Exactly {@code n} bytes (fewer only at EOF). */
    public byte[] readBytes(int n) throws IOException {
        return in.readNBytes(n);
    }

    /** True when the server has closed the connection (EOF) within the read timeout. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Exactly {@code n} bytes (ISO-8859-1); fails when the connection ends first. */
    public String readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException("connection closed after " + b.length + " of " + n + " bytes");
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** One CRLF-terminated line, CRLF excluded; fails on a bare LF or the end of the connection. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed in a line: " + line);
            }
            line.write(c);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        if (!text.endsWith("\r")) {
            throw new IOException("line without CR: " + text);
        }
        return text.substring(0, text.length() - 1);
    }

    /** Reads one response (head, then a Content-Length body unless {@code head}). */
    public Response readResponse(boolean headRequest) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes: " + head);
            }
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        int status = Integer.parseInt(statusLine[1]);
        String body = "";
        String length = headers.get("content-length");
        if (!headRequest && length != null) {
            body = new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.ISO_8859_1);
        }
        return new Response(statusLine[0], status, headers, body, text);
    }

    /**
     * POSTs {@code body} over HTTP/1.0 from one thread while reading the close-delimited answer slowly on this one
     * (a client that reads while it sends, which the JDK client does not): the answer's body.
     */
    public static byte[] postReadingSlowly(int port, String path, byte[] body) throws Exception {
        try (RawHttp c = RawHttp.connect(port, Duration.ofSeconds(20))) {
            c.send("POST " + path + " HTTP/1.0\r\nContent-Length: " + body.length + "\r\n\r\n");
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = c.outputStream();
                    for (int at = 0; at < body.length; at += 64 * 1024) {
                        out.write(body, at, Math.min(64 * 1024, body.length - at));
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Response head = c.readResponse(true);
            if (head.status() != 200) {
                throw new AssertionError("status " + head.status());
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream(body.length);
            byte[] b;
            int reads = 0;
            while ((b = c.readBytes(32 * 1024)).length > 0) {
                got.write(b);
                if (++reads % 16 == 0) {
                    Thread.sleep(2); // a slow client: the program's output must wait, not pile up
                }
                if (b.length < 32 * 1024) {
                    break;
                }
            }
            writer.join();
            return got.toByteArray();
        }
    }

    /** One parsed response; header names lower-cased. */
    public record Response(String version, int status, Map<String, String> headers, String body, String head) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** The data of a chunked body that starts at its first chunk-size line (no trailers expected). */
    public static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    /** Parses the first response of a captured byte string. */
    public static Response parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalArgumentException("no response head in: " + raw);
        }
        String head = raw.substring(0, end + 4);
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        return new Response(statusLine[0], Integer.parseInt(statusLine[1]), headers, raw.substring(end + 4), head);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
