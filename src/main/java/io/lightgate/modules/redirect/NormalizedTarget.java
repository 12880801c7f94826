package io.lightgate.modules.redirect;

import io.lightgate.http.Percent;
import io.lightgate.http.RequestTarget;
import io.lightgate.http.UrlPath;

/**
 * The request target as lighttpd 1.4.69 holds it after its URL normalisation (r->target, what url.redirect
 * matches): still percent-encoded, path and "?query", with lighttpd's default server.http-parseopts
 * (burl.c: url-normalize-unreserved, url-path-2f-decode, url-path-dotseg-remove; Debian's 1.4.69 answers so).
 * A %XX of an unreserved character (A-Z a-z 0-9 - . _ ~) is decoded, any other is upper-cased; a character
 * that must be encoded is encoded; "#..." is dropped; then %2F in the path becomes '/' and the
 * path is simplified ("//", "." and ".." segments). An absolute-form target keeps only its path and query.
 */
public final class NormalizedTarget {
    private NormalizedTarget() { }

    /** The normalised target; {@code rawTarget} is the request-line target (one char per byte). */
    public static String of(String rawTarget) {
        String origin = RequestTarget.originForm(rawTarget);
        StringBuilder out = new StringBuilder(origin.length() + 8);
        int query = -1;
        for (int i = 0; i < origin.length(); i++) {
            char c = origin.charAt(i);
            int hi;
            int lo;
            if (!mustEncode(c)) {
                if (c == '?' && query < 0) {
                    query = out.length();
                }
                out.append(c);
            } else if (c == '%' && i + 2 < origin.length() && (hi = Percent.hexValue(origin.charAt(i + 1))) >= 0
                    && (lo = Percent.hexValue(origin.charAt(i + 2))) >= 0) {
                char x = (char) (hi << 4 | lo);
                if (Percent.isUnreserved(x)) {
                    out.append(x);
                } else {
                    percent(out, x);
                }
                i += 2;
            } else if (c == '#') {
                break;
            } else {
                percent(out, (char) (c & 0xFF));
            }
        }
        String path = query < 0 ? out.toString() : out.substring(0, query);
        String rest = query < 0 ? "" : out.substring(query);
        path = path.replace("%2F", "/"); // url-path-2f-decode: the file lookup sees it as '/' as well
        if (path.startsWith("/")) {
            path = UrlPath.simplify(path);
        }
        return path + rest;
    }

    /** burl.c's encoded_chars_http_uri_reqd: everything but ! $ &amp; ' ( ) * + , - . / 0-9 : ; = ? @ A-Z _ a-z ~. */
    private static boolean mustEncode(char c) {
        if (c <= 0x20 || c >= 0x7F) {
            return true;
        }
        return "\"#%<>[\\]^`{|}".indexOf(c) >= 0;
    }

    private static void percent(StringBuilder out, char c) {
        Percent.appendEncoded(out, c);
    }
}
