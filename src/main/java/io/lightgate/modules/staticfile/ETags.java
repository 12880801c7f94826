package io.lightgate.modules.staticfile;

/**
 * lighttpd's strong ETag for a file (http_etag.c): the enabled fields among inode, size, mtime seconds
 * and mtime nanoseconds, as little-endian 64-bit words in that order, hashed with Knuth's DEK hash seeded
 * with the byte count, printed as an unsigned decimal in quotes. Same file, same ETag as lighttpd's.
 */
public final class ETags {
    private ETags() { }

    /** Which stat fields go into the ETag ({@code etag.use-inode}, {@code -size}, {@code -mtime}). */
    public record Flags(boolean inode, boolean size, boolean mtime) {
        public boolean any() { return inode || size || mtime; }
    }

    /** The quoted ETag, or null when no field is enabled. */
    public static String of(FileFacts f, Flags flags) {
        if (!flags.any()) {
            return null;
        }
        long[] words = new long[4];
        int n = 0;
        if (flags.inode()) {
            words[n++] = f.inode();
        }
        if (flags.size()) {
            words[n++] = f.size();
        }
        if (flags.mtime()) {
            words[n++] = f.mtimeSeconds();
            words[n++] = f.mtimeNanos();
        }
        int bytes = n * 8;
        int h = bytes;
        for (int i = 0; i < n; i++) {
            long w = words[i];
            for (int b = 0; b < 8; b++) {
                h = (h << 5) ^ (h >>> 27) ^ (int) ((w >>> (8 * b)) & 0xff);
            }
        }
        return "\"" + Integer.toUnsignedString(h) + "\"";
    }

    /**
     * Whether an If-None-Match value matches {@code etag} (RFC 9110 §13.1.2): {@code *} matches any
     * representation; otherwise a comma-separated list of entity-tags, compared weakly when
     * {@code weakOk} (a {@code W/} tag matches its strong twin) and strongly otherwise (W/ never matches).
     */
    public static boolean matches(String etag, String ifNoneMatch, boolean weakOk) {
        if (ifNoneMatch.strip().equals("*")) {
            return true;
        }
        if (etag == null || etag.isEmpty()) {
            return false;
        }
        String ours = etag;
        if (ours.startsWith("W/")) {
            if (!weakOk) {
                return false;
            }
            ours = ours.substring(2);
        }
        for (String element : ifNoneMatch.split(",", -1)) {
            String tag = element.strip();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                if (!weakOk) {
                    continue;
                }
                tag = tag.substring(2);
            }
            if (tag.equals(ours)) {
                return true;
            }
        }
        return false;
    }
}
