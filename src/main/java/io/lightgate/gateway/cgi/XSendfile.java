package io.lightgate.gateway.cgi;

import io.lightgate.http.Response;
import io.lightgate.http.UrlPath;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The file a CGI program names in {@code X-Sendfile} (or lighttpd's older {@code X-LIGHTTPD-send-file}), sent
 * instead of the program's body as lighttpd does: the value is %-decoded and simplified, must be absolute and,
 * when {@code x-sendfile-docroot} is set, under one of those directories (else 403); a missing file is 404, a
 * file that is no regular file 403. Opening a local file on the event loop is what lighttpd does too.
 */
final class XSendfile {
    private XSendfile() { }

    sealed interface Result permits Opened, Refused { }

    /** The file, open, as a response body. */
    record Opened(Response.FileRange body) implements Result { }

    /** Why the file cannot be sent, and the status that says so. */
    record Refused(int status, String why) implements Result { }

    static Result open(String value, List<String> docroots) {
        String path = UrlPath.normalize(value);
        if (path == null || value.isEmpty() || value.charAt(0) != '/') {
            return new Refused(502, "not an absolute path");
        }
        if (!docroots.isEmpty() && docroots.stream().noneMatch(path::startsWith)) {
            return new Refused(403, "not under cgi.x-sendfile-docroot");
        }
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            return Files.exists(file) ? new Refused(403, "not a regular file") : new Refused(404, "no such file");
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                return new Opened(new Response.FileRange(channel, 0, channel.size()));
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            return new Refused(404, "no such file");
        } catch (AccessDeniedException e) {
            return new Refused(403, "permission denied");
        } catch (IOException e) {
            return new Refused(403, e.getMessage());
        }
    }
}
