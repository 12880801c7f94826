package io.lightgate.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * {@code lightgate echo-backend}: the project's own echo program for mod_wstunnel (and any byte tunnel), started
 * by lightgate through {@code bin-path} the way lighttpd starts backends: its listening socket (unix or TCP) is
 * fd 0. It accepts connections and writes back every byte as it arrives, one virtual thread per connection.
 * Unlike the seed's line-buffered {@code echo.pl} it never holds bytes back waiting for a newline, and it passes
 * any byte unchanged (UTF-8 included).
 */
public final class EchoBackend {
    private EchoBackend() { }

    /** Exit status 2 when fd 0 is not a listening socket (started by hand instead of by a bin-path host). */
    public static int run(PrintStream err) {
        Channel inherited;
        try {
            inherited = System.inheritedChannel();
        } catch (IOException e) {
            inherited = null;
        }
        if (!(inherited instanceof ServerSocketChannel listener)) {
            err.println("lightgate echo-backend: fd 0 must be a listening socket; start it through a bin-path "
                    + "host (e.g. wstunnel.server = ( \"/ws/\" => (( \"socket\" => \"/tmp/echo.sock\", "
                    + "\"bin-path\" => \"... echo-backend\" ))))");
            return 2;
        }
        try (listener) {
            while (true) {
                SocketChannel connection = listener.accept();
                Thread.ofVirtual().name("echo").start(() -> echo(connection));
            }
        } catch (IOException e) {
            err.println("lightgate echo-backend: accept failed: " + e.getMessage());
            return 1;
        }
    }

    private static void echo(SocketChannel connection) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        try (connection) {
            while (connection.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    connection.write(buffer);
                }
                buffer.clear();
            }
            // the peer half-closed: so do we, after everything was echoed
            connection.shutdownOutput();
        } catch (IOException e) {
            // the peer went away; nothing to report per connection
        }
    }
}
