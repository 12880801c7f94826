package io.lightgate.http;

import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * lighttpd's stat cache (its "simple" engine, {@code server.stat-cache-engine}): what stat(2) said about a
 * path, and the bytes of small regular files, remembered per event-loop thread for the rest of the current
 * second. A busy server then stats, opens and reads a hot file about once a second per thread instead of on
 * every request; a change on disk shows within a second, as with lighttpd. Missing files are not cached.
 * Per-thread, so no locks; bounded in entries and bytes (the cache is emptied when full).
 */
public final class StatCache {
    /** Regular files up to this size are kept in memory and sent from there. */
    public static final int SMALL_FILE_LIMIT = 16 * 1024;
    private static final int MAX_ENTRIES = 8192;
    private static final long MAX_BYTES = 32L * 1024 * 1024;

    /** The stat(2) fields the server uses. */
    public record FileStat(boolean regularFile, boolean directory, long inode, long size,
                           long mtimeSeconds, int mtimeNanos) {

        static FileStat of(Path path) throws IOException {
            Map<String, Object> a = Files.readAttributes(path, "unix:ino,size,lastModifiedTime,isRegularFile,isDirectory");
            FileTime mtime = (FileTime) a.get("lastModifiedTime");
            var t = mtime.toInstant();
            return new FileStat((Boolean) a.get("isRegularFile"), (Boolean) a.get("isDirectory"), (Long) a.get("ino"),
                    (Long) a.get("size"), t.getEpochSecond(), t.getNano());
        }
    }

    private static final class Entry {
        final FileStat stat;
        final long second;
        byte[] content;

        Entry(FileStat stat, long second) {
            this.stat = stat;
            this.second = second;
        }
    }

    private static final FastThreadLocal<StatCache> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected StatCache initialValue() {
            return new StatCache();
        }
    };

    private final Map<String, Entry> entries = new HashMap<>();
    private long cachedBytes;
    /**
     * The last lookup, by identity: one request asks about the same path two or three times (the core's
     * stat, mod_staticfile's, the content), and hashing and comparing it each time was a visible part of a
     * 1 KiB response.
     */
    private String lastKey;
    private Entry lastEntry;

    private StatCache() { }

    /** stat(2) of {@code path}, following symlinks; from the cache when {@code cached} and fresh. */
    public static FileStat stat(Path path, boolean cached) throws IOException {
        if (!cached) {
            return FileStat.of(path);
        }
        return PER_THREAD.get().entry(path.toString(), path, null).stat;
    }

    /**
     * stat(2) of a request's physical path, following symlinks; from the cache when {@code cached} and fresh.
     * Cached by its text, so a hit needs no {@link Path}. A text ending in '/' that names no directory fails
     * with {@link NotDirectoryException}, as stat(2) fails with ENOTDIR: the JDK's {@link Path} drops the slash
     * and would see the file itself.
     */
    public static FileStat stat(PhysicalPath physical, boolean cached) throws IOException {
        FileStat stat = cached ? PER_THREAD.get().entry(physical.text(), null, physical).stat
                : FileStat.of(physical.path());
        if (!stat.directory() && physical.text().endsWith("/")) {
            throw new NotDirectoryException(physical.text());
        }
        return stat;
    }

    /**
     * The content of a small regular file ({@code stat.size() <= SMALL_FILE_LIMIT}), read at most once a
     * second per thread; null when the file is larger, changed size under us, or caching is off. The array is
     * shared: never modify it.
     */
    public static byte[] smallFileContent(PhysicalPath physical, FileStat stat, boolean cached) throws IOException {
        if (!cached || !stat.regularFile() || stat.size() > SMALL_FILE_LIMIT) {
            return null;
        }
        StatCache cache = PER_THREAD.get();
        Entry e = cache.entry(physical.text(), null, physical);
        if (e.stat != stat && !e.stat.equals(stat)) {
            return null;
        }
        if (e.content == null) {
            byte[] bytes = readWhole(physical.path(), (int) stat.size());
            if (bytes == null) {
                return null;
            }
            e.content = bytes;
            cache.cachedBytes += bytes.length;
        }
        return e.content;
    }

    /** The fresh entry for {@code key}, the text of {@code path} or of {@code physical} (whichever is given). */
    private Entry entry(String key, Path path, PhysicalPath physical) throws IOException {
        long now = System.currentTimeMillis() / 1000;
        if (key == lastKey && lastEntry.second == now) {
            return lastEntry;
        }
        Entry e = entries.get(key);
        if (e == null || e.second != now) {
            e = refresh(key, path != null ? path : physical.path(), e, now);
        }
        lastKey = key;
        lastEntry = e;
        return e;
    }

    private Entry refresh(String key, Path path, Entry e, long now) throws IOException {
        FileStat stat = FileStat.of(path);
        if (e != null && e.content != null) {
            cachedBytes -= e.content.length;
        }
        if (entries.size() >= MAX_ENTRIES || cachedBytes >= MAX_BYTES) {
            entries.clear();
            cachedBytes = 0;
            lastKey = null;
            lastEntry = null;
        }
        Entry fresh = new Entry(stat, now);
        entries.put(key, fresh);
        return fresh;
    }

    /** The whole file if it still has {@code size} bytes, else null (it changed while we looked). */
    private static byte[] readWhole(Path path, int size) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(size + 1);
            while (ch.read(buf) > 0 && buf.hasRemaining()) {
                // keep reading: a read may return fewer bytes than asked
            }
            return buf.position() == size ? java.util.Arrays.copyOf(buf.array(), size) : null;
        }
    }
}
