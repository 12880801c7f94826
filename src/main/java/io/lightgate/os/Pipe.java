package io.lightgate.os;

/**
 * A pipe from {@code pipe2(O_CLOEXEC)}: both ends stay out of spawned children unless dup2'ed onto 0/1/2.
 * The creator owns both descriptors; set O_NONBLOCK only on the end the parent keeps.
 */
public record Pipe(int readFd, int writeFd) {

    public static Pipe open() throws ErrnoException {
        int[] fds = Posix.pipe2();
        return new Pipe(fds[0], fds[1]);
    }
}
