package io.lightgate.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The guard must actually catch a leak, or every test using it proves nothing. */
class LeakGuardTest {
    @Test
    void reportsALeakedBuffer() {
        LeakGuard guard = new LeakGuard();
        guard.beforeEach(null);
        leak();
        assertThatThrownBy(() -> guard.afterEach(null)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("LEAK");
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeInt(1);
        // dropped without release(): unreachable after this frame
    }
}
