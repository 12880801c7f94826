package io.lightgate.websocket;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a raw java.net.Socket that sends whatever frame bytes a test asks for (masked or not,
 * any header bits) and reads the server's frames exactly as they are on the wire.
 */
public final class RawWebSocket implements AutoCloseable {
    /** One frame from the server. */
    public record Frame(int b0, int b1, byte[] payload) {
        public int opcode() { return b0 & 0x0F; }
        public boolean fin() { return (b0 & 0x80) != 0; }
        public boolean masked() { return (b1 & 0x80) != 0; }
        public String text() { return new String(payload, StandardCharsets.UTF_8); }
        /** The code of a CLOSE frame, or -1 for an empty one. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    public final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** The response head of the handshake. */
    public final String responseHead;

    private RawWebSocket(Socket socket, String responseHead) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.responseHead = responseHead;
    }

    /** Connects and performs the handshake for {@code target}; the response must be 101. */
    public static RawWebSocket open(int port, String target) throws IOException {
        return open(port, target, "");
    }

    /** The same with extra request header lines ({@code "Origin: x\r\n"}). */
    public static RawWebSocket open(int port, String target, String extraHeaders) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        String key = Base64.getEncoder().encodeToString(new byte[16]);
        String request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + extraHeaders + "\r\n";
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                s.close();
                throw new EOFException("closed during the handshake: " + head);
            }
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 101 ")) {
            s.close();
            throw new IOException("no 101: " + text);
        }
        if (!text.contains("Sec-WebSocket-Accept: " + Handshake.acceptValue(key) + "\r\n")) {
            s.close();
            throw new IOException("wrong accept value: " + text);
        }
        return new RawWebSocket(s, text);
    }

    /** A client frame: masked with a random key unless {@code masked} is false. */
    public static byte[] frame(int b0, byte[] payload, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(b0);
        int m = masked ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            f.write(m | n);
        } else if (n <= 0xFFFF) {
            f.write(m | 126);
            f.write(n >> 8);
            f.write(n);
        } else {
            f.write(m | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) n >>> (8 * i)));
            }
        }
        byte[] key = new byte[4];
        ThreadLocalRandom.current().nextBytes(key);
        if (masked) {
            f.writeBytes(key);
        }
        for (int i = 0; i < n; i++) {
            f.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return f.toByteArray();
    }

    public static byte[] closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }

    public RawWebSocket send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends one masked frame. */
    public RawWebSocket send(int b0, byte[] payload) throws IOException {
        return send(frame(b0, payload, true));
    }

    public RawWebSocket sendText(String text) throws IOException {
        return send(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next frame from the server. */
    public Frame read() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException("connection closed");
        }
        int b1 = readByte();
        long n = b1 & 0x7F;
        if (n == 126) {
            n = (readByte() << 8) | readByte();
        } else if (n == 127) {
            n = 0;
            for (int i = 0; i < 8; i++) {
                n = (n << 8) | readByte();
            }
        }
        if ((b1 & 0x80) != 0) {
            throw new IOException("the server masked a frame");
        }
        return new Frame(b0, b1, in.readNBytes((int) n));
    }

    /** The next frame, which must be a CLOSE; returns its code (-1 when empty). */
    public int readClose() throws IOException {
        Frame f = read();
        if (f.opcode() != Opcode.CLOSE) {
            throw new IOException("expected CLOSE, got opcode " + f.opcode() + " " + f.text());
        }
        return f.closeCode();
    }

    /** True when the server closed the connection (EOF or reset) within the read timeout. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed inside a frame");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
