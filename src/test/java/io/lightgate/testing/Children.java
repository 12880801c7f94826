package io.lightgate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** This JVM's child processes as /proc shows them: what a bin-path test needs to find what the server spawned. */
public final class Children {
    private Children() { }

    /** A live child of this JVM whose command line names {@code program} (perl shows its script path there). */
    public static Optional<ProcessHandle> running(Path program) {
        try (Stream<ProcessHandle> children = ProcessHandle.current().children()) {
            return children.filter(p -> p.isAlive() && cmdline(p.pid()).contains(program.toString())).findFirst();
        }
    }

    /** The command line of {@code pid} with its NULs as spaces; "" once the process is gone. */
    public static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }
}
