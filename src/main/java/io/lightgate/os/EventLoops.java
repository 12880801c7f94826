package io.lightgate.os;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * The I/O handler factories every event loop group of lightgate is built with, and the test for an epoll loop.
 *
 * <p>Why not Netty's factories as they are: Netty 4.2's loop closes what is still registered on it (channels,
 * pipe ends, child watches: {@link IoHandler#prepareToDestroy}) only in a loop iteration that begins after the
 * shutdown was requested. A shutdown requested while the loop is running tasks, with a quiet period of 0 (how
 * lightgate stops), ends the loop in the same iteration, and the handles stay registered on a loop that is gone:
 * a CGI child nobody reaps (a zombie), pipe and socket descriptors nobody closes. Seen in CI, and reproduced
 * under CPU load. The handlers made here close whatever is still registered when the loop is destroyed, so the
 * outcome no longer depends on that timing.
 */
public final class EventLoops {
    private EventLoops() { }

    /** Netty's epoll handler, closing its remaining registrations when destroyed. */
    public static IoHandlerFactory epoll() {
        return closingAtDestroy(EpollIoHandler.newFactory());
    }

    /** {@code factory}'s handlers, each closing its remaining registrations when destroyed. */
    public static IoHandlerFactory closingAtDestroy(IoHandlerFactory factory) {
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new ClosingAtDestroy(factory.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return factory.isChangingThreadSupported();
            }
        };
    }

    /**
     * Whether {@code loop} runs on epoll, so that pipes, pidfds and epoll channels can be registered on it.
     * (Not {@code isIoType(EpollIoHandler.class)}: that compares the handler's class, which here is the wrapper.)
     */
    public static boolean isEpoll(EventLoop loop) {
        return loop instanceof IoEventLoop io && io.isCompatible(EpollIoHandle.class);
    }

    private record ClosingAtDestroy(IoHandler delegate) implements IoHandler {
        @Override
        public void initialize() {
            delegate.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return delegate.run(context);
        }

        @Override
        public void prepareToDestroy() {
            delegate.prepareToDestroy();
        }

        @Override
        public void destroy() {
            try {
                // a no-op when the loop's last iterations already closed everything, as they usually do
                delegate.prepareToDestroy();
            } finally {
                delegate.destroy();
            }
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return delegate.register(handle);
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return delegate.isCompatible(handleType);
        }
    }
}
