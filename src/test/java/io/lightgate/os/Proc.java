package io.lightgate.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads what the kernel says about a process from /proc (the ground truth the tests compare against). */
final class Proc {
    private Proc() { }

    static boolean isLinux() {
        return System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
                && Files.isDirectory(Path.of("/proc/self/fd"));
    }

    static List<Integer> fds(int pid) throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return entries.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
        }
    }

    static String fdTarget(String pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    /** A hex mask line of /proc/pid/status, e.g. SigBlk. */
    static long statusMask(String pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseUnsignedLong(line.substring(field.length() + 1).trim(), 16);
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
    }

    static List<String> environ(int pid) throws IOException {
        String all = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
        return all.isEmpty() ? List.of() : Arrays.asList(all.split("\0"));
    }

    /** Fields after the command name in /proc/pid/stat: [0] state, [1] ppid, [2] pgrp. */
    private static Optional<String[]> stat(int pid) throws IOException {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Optional.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    static int processGroup(int pid) throws IOException {
        return Integer.parseInt(stat(pid).orElseThrow()[2]);
    }

    /** The state letter (R, S, Z, ...), or empty once the process is gone. */
    static Optional<String> state(int pid) throws IOException {
        return stat(pid).map(fields -> fields[0]);
    }

    /** The open-file flags of one of our descriptors (octal "flags:" line of /proc/self/fdinfo). */
    static int fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new IllegalStateException("no flags for fd " + fd);
    }

    /** How many pidfds this JVM holds open. */
    static long openPidfds() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().contains("pidfd");
                } catch (IOException gone) {
                    return false; // closed while we listed
                }
            }).count();
        }
    }
}
