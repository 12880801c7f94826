package io.lightgate.gateway.spawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** What the kernel says about processes and our descriptors (the ground truth the tests compare against). */
final class ProcFs {
    private ProcFs() { }

    static Map<String, String> environ(int pid) throws IOException {
        String all = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : all.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    /** True while /proc/pid exists: running, or a zombie nobody reaped. */
    static boolean exists(int pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    static String fdTarget(int pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    static Path cwd(int pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"));
    }

    static int processGroup(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
    }

    /** Our sockets and pidfds: what a leak in spawning would leave behind. */
    static long ourSocketsAndPidfds() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.filter(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    return target.startsWith("socket:") || target.contains("pidfd");
                } catch (NoSuchFileException gone) {
                    return false;
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    static String describeFds() throws IOException {
        return io.lightgate.testing.OpenFds.describe();
    }
}
