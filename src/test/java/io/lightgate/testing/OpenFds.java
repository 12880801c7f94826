package io.lightgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This JVM's open file descriptors as the kernel lists them (/proc/self/fd): what leak checks compare. */
public final class OpenFds {
    private OpenFds() { }

    public static long count() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /**
     * "fd->target" of each open fd. Comparing two snapshots shows what a test opened and left open, even while
     * fds of earlier tests in the same JVM are still being closed.
     */
    public static java.util.Set<String> snapshot() throws IOException {
        java.util.Set<String> out = new java.util.TreeSet<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : entries.toList()) {
                try {
                    out.add(p.getFileName() + "->" + Files.readSymbolicLink(p));
                } catch (IOException gone) {
                    // closed while listing (the listing's own fd among them)
                }
            }
        }
        return out;
    }

    /** "fd->target" for each, for a failure message. */
    public static String describe() throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : entries.toList()) {
                try {
                    text.append(p.getFileName()).append("->").append(Files.readSymbolicLink(p)).append(' ');
                } catch (IOException gone) {
                    // closed while listing
                }
            }
        }
        return text.toString();
    }
}
