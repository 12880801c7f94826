package io.lightgate.modules.staticfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/** What a response about a file is derived from: lighttpd's struct stat fields that matter here. */
public record FileFacts(boolean regularFile, long inode, long size, long mtimeSeconds, int mtimeNanos) {

    /** One stat(2) of {@code path} (following symlinks; the core enforces the symlink policy). */
    public static FileFacts of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:ino,size,lastModifiedTime,isRegularFile");
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        Instant t = mtime.toInstant();
        return new FileFacts((Boolean) a.get("isRegularFile"), (Long) a.get("ino"), (Long) a.get("size"),
                t.getEpochSecond(), t.getNano());
    }
}
