package io.lightgate.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads config sources: the main file, {@code include} files and globs, {@code include_shell} output.
 * Relative include patterns resolve against the main config's directory unless they start with
 * {@code /}, {@code ./} or {@code ../} (then against the process's working directory), as in lighttpd.
 */
final class Includes {
    /** lighttpd refuses config files above 32 MB. */
    static final long MAX_SOURCE_BYTES = 32L << 20;

    record Source(String name, String text) { }

    private final Path baseDir;

    Includes(Path baseDir) {
        this.baseDir = baseDir.toAbsolutePath().normalize();
    }

    static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e); // cannot happen with REPLACE
        }
    }

    static Source readFile(Path file, String name) throws ConfigException {
        try {
            if (Files.size(file) > MAX_SOURCE_BYTES) {
                throw new ConfigException("config file " + name + " is larger than 32 MB");
            }
            return new Source(name, decode(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + name + ": " + describe(e));
        }
    }

    static Source readStream(InputStream in, String name) throws ConfigException {
        try {
            byte[] bytes = in.readNBytes((int) MAX_SOURCE_BYTES + 1);
            if (bytes.length > MAX_SOURCE_BYTES) {
                throw new ConfigException("config from " + name + " is larger than 32 MB");
            }
            return new Source(name, decode(bytes));
        } catch (IOException e) {
            throw new ConfigException("cannot read config from " + name + ": " + describe(e));
        }
    }

    private static String describe(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : String.valueOf(e.getMessage());
    }

    /** The files {@code include "pattern"} names, in sorted order; a glob without matches gives none. */
    List<Source> files(String pattern, Token at) throws ConfigException {
        if (pattern.isEmpty()) {
            throw at.error("include needs a file name, got \"\"");
        }
        Path resolved = resolve(pattern);
        if (!hasGlob(pattern)) {
            if (!Files.isRegularFile(resolved)) {
                throw at.error("include file not found: " + pattern + " (" + resolved + ")");
            }
            return List.of(readAt(resolved, at));
        }
        List<Path> matches = new ArrayList<>();
        Path root = resolved.getRoot();
        expand(root, resolved, 0, matches, at);
        List<Source> out = new ArrayList<>(matches.size());
        for (Path p : matches) {
            out.add(readAt(p, at));
        }
        return out;
    }

    private Source readAt(Path p, Token at) throws ConfigException {
        try {
            return readFile(p, p.toString());
        } catch (ConfigException e) {
            throw at.error(e.getMessage());
        }
    }

    private Path resolve(String pattern) {
        if (pattern.startsWith("/")) {
            return Path.of(pattern);
        }
        if (pattern.startsWith("./") || pattern.startsWith("../")) {
            return Path.of(System.getProperty("user.dir")).resolve(pattern).normalize();
        }
        return baseDir.resolve(pattern);
    }

    private static boolean hasGlob(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[{".indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Walks the pattern one path segment at a time; glob segments list their directory, sorted. */
    private static void expand(Path dir, Path pattern, int index, List<Path> out, Token at) throws ConfigException {
        if (index == pattern.getNameCount()) {
            if (Files.isRegularFile(dir)) {
                out.add(dir);
            }
            return;
        }
        String segment = pattern.getName(index).toString();
        if (!hasGlob(segment)) {
            Path next = dir.resolve(segment);
            if (Files.exists(next)) {
                expand(next, pattern, index + 1, out, at);
            }
            return;
        }
        if (!Files.isDirectory(dir)) {
            return;
        }
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + segment);
        } catch (IllegalArgumentException e) {
            throw at.error("invalid include pattern \"" + segment + "\": " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<Path> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Path name = entry.getFileName();
                // like glob(3): a wildcard does not match a leading dot
                if (name.toString().startsWith(".") && !segment.startsWith(".")) {
                    continue;
                }
                if (matcher.matches(name)) {
                    names.add(entry);
                }
            }
        } catch (IOException e) {
            return; // an unreadable directory matches nothing, as glob(3) without GLOB_ERR
        }
        names.sort(null);
        for (Path p : names) {
            expand(p, pattern, index + 1, out, at);
        }
    }

    /** Runs {@code /bin/sh -c command} in the main config's directory; its stdout is config text. */
    Source shell(String command, Token at) throws ConfigException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command)
                .directory(baseDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw at.error("include_shell \"" + command + "\": cannot start /bin/sh: " + e.getMessage());
        }
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readNBytes((int) MAX_SOURCE_BYTES + 1);
            if (out.length > MAX_SOURCE_BYTES) {
                p.destroyForcibly();
                throw at.error("include_shell \"" + command + "\": output larger than 32 MB");
            }
            int status = p.waitFor();
            if (status != 0) {
                throw at.error("include_shell \"" + command + "\" exited with status " + status);
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw at.error("include_shell \"" + command + "\": " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw at.error("include_shell \"" + command + "\": interrupted");
        }
        return new Source("include_shell \"" + command + "\"", decode(out));
    }
}
