/**
 * The FFM layer over Linux libc (the only package that touches it), for starting backends the way lighttpd
 * does: {@link io.lightgate.os.ListeningSocket} makes the socket a child gets as fd 0,
 * {@link io.lightgate.os.Spawn} starts the child with posix_spawn (only fds 0-2, clean signals, own process
 * group, explicit environment), and {@link io.lightgate.os.SpawnedProcess#watch} reaps it through a pidfd on a
 * Netty epoll event loop. {@link io.lightgate.os.Pipe} and {@link io.lightgate.os.Posix#setNonBlocking} are for
 * CGI-style stdio. Failed calls throw {@link io.lightgate.os.ErrnoException}.
 */
package io.lightgate.os;
