package io.lightgate.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a leaked buffer. Netty logs leaks through
 * java.util.logging here (no SLF4J on the class path); this extension listens on that logger, and after
 * each test forces a GC and a few tracked allocations so that leaks of that test get reported.
 * Use with {@code @ExtendWith(LeakGuard.class)}; tests run with {@code -Dio.netty.leakDetection.level=PARANOID}.
 */
public final class LeakGuard implements BeforeEachCallback, AfterEachCallback {
    private static final Logger LEAK_LOGGER = Logger.getLogger("io.netty.util.ResourceLeakDetector");
    private static final List<String> REPORTS = new ArrayList<>();
    private static final Handler HANDLER = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String msg = r.getMessage();
            if (msg != null && msg.contains("LEAK")) {
                synchronized (REPORTS) {
                    REPORTS.add(msg);
                }
            }
        }

        @Override public void flush() { }
        @Override public void close() { }
    };

    static {
        LEAK_LOGGER.addHandler(HANDLER);
        LEAK_LOGGER.setLevel(Level.ALL);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        collect();
        synchronized (REPORTS) {
            REPORTS.clear();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        collect();
        List<String> leaks;
        synchronized (REPORTS) {
            leaks = List.copyOf(REPORTS);
            REPORTS.clear();
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s):\n" + leaks.getFirst());
        }
    }

    /** GC, then allocate tracked buffers: the detector reports collected-but-unreleased buffers on allocation. */
    private static void collect() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < 50; i++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(16);
                a.release();
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(16);
                b.release();
                ByteBuf c = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                c.release();
            }
        }
    }
}
