package io.lightgate.testing;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The accept loop of the tests' scripted backends: each connection counted and served on a virtual thread. */
public final class Acceptor {
    private Acceptor() { }

    /** Accepts until {@code server} is closed; returns the accepting thread. */
    public static Thread serveEach(ServerSocketChannel server, AtomicInteger connections, Consumer<SocketChannel> serve) {
        return Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve.accept(c));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }
}
