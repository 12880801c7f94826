package io.lightgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestModule;
import io.lightgate.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code server.event-loops} (a lightgate key): the number of worker event loops connections are spread over.
 * mod_test's {@code /thread} answers with the name of the thread that ran the request, i.e. the connection's loop.
 */
@ExtendWith(LeakGuard.class)
class EventLoopsKeyTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static final int CONNECTIONS = 9;

    @Test
    void oneEventLoopRunsEveryConnection() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\nserver.event-loops = 1\n",
                TestModule.registry())) {
            Set<String> threads = threadsOfConcurrentConnections(s);
            assertThat(threads).hasSize(1);
        }
    }

    @Test
    void twoEventLoopsShareTheConnections() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\nserver.event-loops = 2\n",
                TestModule.registry())) {
            Set<String> threads = threadsOfConcurrentConnections(s);
            assertThat(threads).hasSize(2);
        }
    }

    @Test
    void threeEventLoopsAreThreeThreads() throws Exception {
        // the default is one loop per core; 3 differs from that on the usual 1, 2, 4, 8-core machines
        assumeTrue(Runtime.getRuntime().availableProcessors() != 3, "3 loops is also the default here");
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\nserver.event-loops = 3\n",
                TestModule.registry())) {
            Set<String> threads = threadsOfConcurrentConnections(s);
            assertThat(threads).hasSize(3);
        }
    }

    /**
     * Opens {@link #CONNECTIONS} connections at once (so none can be closed and its loop reused before the
     * next is accepted), asks each twice for its thread, and returns the distinct names. A connection must
     * stay on one loop for its whole life.
     */
    private static Set<String> threadsOfConcurrentConnections(TestServer s) throws Exception {
        List<RawHttp> open = new ArrayList<>();
        Set<String> threads = new LinkedHashSet<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                open.add(RawHttp.connect(s.port(), T));
            }
            for (RawHttp c : open) {
                String first = askThread(c);
                String second = askThread(c);
                assertThat(second).as("a connection stays on its event loop").isEqualTo(first);
                // the hook ran on a server thread, not on this test's thread
                assertThat(first).isNotBlank().isNotEqualTo(Thread.currentThread().getName());
                threads.add(first);
            }
        } finally {
            for (RawHttp c : open) {
                c.close();
            }
        }
        return threads;
    }

    private static String askThread(RawHttp c) throws Exception {
        c.send("GET /thread HTTP/1.1\r\nHost: a\r\n\r\n");
        RawHttp.Response r = c.readResponse(false);
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }
}
