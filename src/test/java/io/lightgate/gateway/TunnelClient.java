package io.lightgate.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw HTTP/1.1 client that asks for an upgrade and then speaks bytes over the same socket. */
final class TunnelClient implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    /** The response head as received ("HTTP/1.1 101 ..." and headers). */
    final String head;

    private TunnelClient(Socket socket, String head) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.head = head;
    }

    static TunnelClient open(int port, String path) throws IOException {
        return open(port, path, null);
    }

    /** Connects from {@code localIp} (any 127.x address works on Linux loopback), null for the default. */
    static TunnelClient open(int port, String path, String localIp) throws IOException {
        Socket s = new Socket();
        if (localIp != null) {
            s.bind(new InetSocketAddress(localIp, 0));
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: example.org\r\nUpgrade: testproto\r\n"
                + "Connection: upgrade\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        // read the head byte by byte so that no tunnelled byte is consumed with it
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            String h = head.toString(StandardCharsets.ISO_8859_1);
            if (h.endsWith("\r\n\r\n")) {
                break;
            }
        }
        return new TunnelClient(s, head.toString(StandardCharsets.ISO_8859_1));
    }

    int status() {
        return head.length() >= 12 ? Integer.parseInt(head.substring(9, 12)) : -1;
    }

    String header(String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads exactly {@code n} bytes (fails on EOF or timeout). */
    String read(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException("EOF after " + b.length + " of " + n + " bytes: " + new String(b, StandardCharsets.UTF_8));
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** True when the next read sees EOF (or a reset) within the socket timeout. */
    boolean atEof() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
