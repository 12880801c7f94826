package io.lightgate.modules.staticfile;

import io.lightgate.http.StatCache;
import java.io.IOException;
import java.nio.file.Path;

/** What a response about a file is derived from: lighttpd's struct stat fields that matter here. */
public record FileFacts(boolean regularFile, long inode, long size, long mtimeSeconds, int mtimeNanos) {

    /** One stat(2) of {@code path} (following symlinks; the core enforces the symlink policy). */
    public static FileFacts of(Path path) throws IOException {
        return of(StatCache.stat(path, false));
    }

    /** The facts of a (possibly cached) stat. */
    public static FileFacts of(StatCache.FileStat stat) {
        return new FileFacts(stat.regularFile(), stat.inode(), stat.size(), stat.mtimeSeconds(), stat.mtimeNanos());
    }
}
