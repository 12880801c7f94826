package io.lightgate.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/** A client's chunked request body on the wire, and what tests check about the spool's temp files. */
public final class ChunkedUpload {
    private ChunkedUpload() { }

    /** Odd chunk sizes, from one byte to more than the spool's memory limit, so chunks straddle every boundary. */
    public static final int[] ODD_SIZES = {1, 4093, 65_537, 777, 123_457, 13, 31_337};

    /** Writes {@code body[from, to)} as chunks of the given sizes (cycling); no last chunk. */
    public static void writeChunks(OutputStream out, byte[] body, int from, int to, int... sizes) throws IOException {
        int at = from;
        for (int i = 0; at < to; i++) {
            int n = Math.min(sizes[i % sizes.length], to - at);
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, at, n);
            out.write('\r');
            out.write('\n');
            at += n;
        }
        out.flush();
    }

    /** Writes the whole {@code body} as chunks of the given sizes, then the last chunk. */
    public static void write(OutputStream out, byte[] body, int... sizes) throws IOException {
        writeChunks(out, body, 0, body.length, sizes);
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** "size md5hex" of {@code body}, as the test programs print it. */
    public static String sizeAndMd5(byte[] body) {
        try {
            return body.length + " " + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This JVM's open fds on files in {@code dir} (an unlinked one shows as "dir/name (deleted)"). */
    public static long openFilesIn(Path dir) throws IOException {
        String prefix = dir.toString() + "/";
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith(prefix)) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // gone while listing
                }
            }
        }
        return n;
    }

    /** The entries of {@code dir}. */
    public static long entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
