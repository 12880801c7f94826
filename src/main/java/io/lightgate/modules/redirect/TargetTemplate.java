package io.lightgate.modules.redirect;

import io.lightgate.http.Percent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * lighttpd 1.4.69's substitution of a url.redirect (and url.rewrite) target, as keyvalue.c and burl.c do it:
 * <ul>
 *   <li>{@code $0}..{@code $9}: groups of the matching regex, {@code %0}..{@code %9}: groups of the enclosing
 *       {@code =~} condition, appended as they are (no encoding); a group that does not exist is empty.</li>
 *   <li>{@code $$} is "$", {@code %%} is "%"; a '$' or '%' before anything else stays as written.</li>
 *   <li>{@code ${N}} / {@code %{N}} (N up to two digits), percent-encoded with escpsnde unless a modifier says
 *       otherwise: {@code esc:}/{@code escape:} (everything but unreserved, '%' too), {@code escnde:} (no double
 *       encoding), {@code escpsnde:} (escnde keeping '/'), {@code noesc:}/{@code noescape:}, {@code encb64u:},
 *       {@code decb64u:}, {@code tolower:}, {@code toupper:} (which lowercases, as in 1.4.69); a case modifier
 *       alone appends nothing, as in 1.4.69. Unknown characters are skipped.</li>
 *   <li>{@code ${url.scheme}}, {@code ${url.authority}}, {@code ${url.port}}, {@code ${url.path}} (the
 *       encoded target before '?'), {@code ${url.query}}, and {@code ${qsa}}: the query after '?' (or '&' when
 *       the result already has a '?'), nothing when the request had no '?'.</li>
 *   <li>An unterminated {@code ${} ends the result where it starts (lighttpd truncates).</li>
 * </ul>
 * Every string here is a byte string: one char per byte (0..255), as lighttpd works on bytes.
 */
public final class TargetTemplate {
    private TargetTemplate() { }

    /** The request parts {@code ${url.*}} and {@code ${qsa}} read; {@code query} is null when there is no '?'. */
    public record UrlParts(String scheme, String authority, int port, String target, String query) { }

    // encoding choices, in lighttpd's order of precedence when several are given
    private static final int ENCODE_NONE = 1;
    private static final int ENCODE_ALL = 2;
    private static final int ENCODE_NDE = 4;
    private static final int ENCODE_PSNDE = 8;
    private static final int ENCODE_B64U = 16;
    private static final int DECODE_B64U = 32;
    private static final int TOLOWER = 64;

    /**
     * The target with its substitutions made.
     * @param groups the redirect regex's groups ($0 is the whole match); a null group is empty
     * @param conditionGroups the enclosing condition's groups (%0 is the whole match)
     */
    public static String expand(String template, List<String> groups, List<String> conditionGroups, UrlParts url) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int start = 0;
        int n = template.length();
        for (int k = 0; k + 1 < n; k++) {
            char c = template.charAt(k);
            if (c != '$' && c != '%') {
                continue;
            }
            out.append(template, start, k);
            char next = template.charAt(k + 1);
            List<String> source = c == '$' ? groups : conditionGroups;
            if (next == '{') {
                int end = expandBraces(out, template, k, source, url);
                if (end < 0) {
                    return out.toString(); // unterminated: lighttpd truncates here
                }
                k = end;
            } else if (isDigit(next)) {
                append(out, group(source, next - '0'), 0);
                k++;
            } else {
                out.append(c);
                if (next != c) {
                    out.append(next);
                }
                k++;
            }
            start = k + 1;
        }
        out.append(template, Math.min(start, n), n);
        return out.toString();
    }

    /** Expands the {@code ${...}} at {@code at}; returns the index of its '}', or -1 when there is none. */
    private static int expandBraces(StringBuilder out, String t, int at, List<String> source, UrlParts url) {
        int p = at + 2;
        int flags = 0;
        int n = t.length();
        while (p < n && !isDigit(t.charAt(p)) && t.charAt(p) != '}') {
            if (t.startsWith("esc", p)) {
                p += 3;
                if (t.startsWith(":", p)) {
                    flags |= ENCODE_ALL;
                    p += 1;
                } else if (t.startsWith("ape:", p)) {
                    flags |= ENCODE_ALL;
                    p += 4;
                } else if (t.startsWith("nde:", p)) {
                    flags |= ENCODE_NDE;
                    p += 4;
                } else if (t.startsWith("psnde:", p)) {
                    flags |= ENCODE_PSNDE;
                    p += 6;
                } else {
                    p = skipPast(t, p, ':');
                }
            } else if (t.startsWith("no", p)) {
                p += 2;
                if (t.startsWith("esc:", p)) {
                    flags |= ENCODE_NONE;
                    p += 4;
                } else if (t.startsWith("escape:", p)) {
                    flags |= ENCODE_NONE;
                    p += 7;
                } else {
                    p = skipPast(t, p, ':');
                }
            } else if (t.startsWith("to", p)) {
                p += 2;
                if (t.startsWith("lower:", p) || t.startsWith("upper:", p)) {
                    flags |= TOLOWER; // "toupper:" lowercases too in lighttpd 1.4.69
                    p += 6;
                } else {
                    p = skipPast(t, p, ':');
                }
            } else if (t.startsWith("url.", p)) {
                p += 4;
                if (t.startsWith("scheme}", p)) {
                    append(out, url.scheme(), flags);
                    p += 6;
                } else if (t.startsWith("authority}", p)) {
                    append(out, url.authority(), flags);
                    p += 9;
                } else if (t.startsWith("port}", p)) {
                    out.append(url.port());
                    p += 4;
                } else if (t.startsWith("path}", p)) {
                    String target = url.target();
                    int q = target.indexOf('?');
                    append(out, q < 0 ? target : target.substring(0, q), flags);
                    p += 4;
                } else if (t.startsWith("query}", p)) {
                    append(out, url.query(), flags);
                    p += 5;
                } else {
                    p = t.indexOf('}', p); // an unknown url.* part is empty
                }
                return p;
            } else if (t.startsWith("qsa}", p)) {
                String query = url.query();
                if (query != null) {
                    if (out.indexOf("?") >= 0) {
                        if (!query.isEmpty()) {
                            out.append('&');
                        }
                    } else {
                        out.append('?');
                    }
                    append(out, query, flags);
                }
                return p + 3;
            } else if (t.startsWith("encb64u:", p)) {
                flags |= ENCODE_B64U;
                p += 8;
            } else if (t.startsWith("decb64u:", p)) {
                flags |= DECODE_B64U;
                p += 8;
            } else {
                p++; // lighttpd skips a character it does not know
            }
            if (p < 0) {
                return -1;
            }
        }
        if (p >= n) {
            return -1;
        }
        if (t.charAt(p) == '}') {
            return p; // no group named: nothing to append
        }
        int num = t.charAt(p++) - '0';
        if (p < n && isDigit(t.charAt(p))) {
            num = num * 10 + (t.charAt(p++) - '0');
        }
        if (p >= n || t.charAt(p) != '}') {
            p = t.indexOf('}', p);
            if (p < 0) {
                return -1;
            }
        }
        append(out, group(source, num), flags == 0 ? ENCODE_PSNDE : flags);
        return p;
    }

    /** The index after the next {@code c} from {@code from}, or -1 when there is none. */
    private static int skipPast(String t, int from, char c) {
        int i = t.indexOf(c, from);
        return i < 0 ? -1 : i + 1;
    }

    private static String group(List<String> groups, int num) {
        if (groups == null || num >= groups.size()) {
            return null;
        }
        return groups.get(num);
    }

    /** burl_append: {@code s} with the encoding {@code flags} choose, then the case change. */
    private static void append(StringBuilder out, String s, int flags) {
        if (s == null || s.isEmpty()) {
            return;
        }
        if (flags == 0) {
            out.append(s);
            return;
        }
        int from = out.length();
        if ((flags & ENCODE_NONE) != 0) {
            out.append(s);
        } else if ((flags & ENCODE_ALL) != 0) {
            encodeAll(out, s);
        } else if ((flags & ENCODE_NDE) != 0) {
            encodeNoDoubleEncoding(out, s, false);
        } else if ((flags & ENCODE_PSNDE) != 0) {
            encodeNoDoubleEncoding(out, s, true);
        } else if ((flags & ENCODE_B64U) != 0) {
            out.append(Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.ISO_8859_1)));
        } else if ((flags & DECODE_B64U) != 0) {
            try {
                out.append(new String(Base64.getUrlDecoder().decode(s.getBytes(StandardCharsets.ISO_8859_1)),
                        StandardCharsets.ISO_8859_1));
            } catch (IllegalArgumentException notBase64) {
                // lighttpd appends nothing for input that does not decode
            }
        }
        if ((flags & TOLOWER) != 0) {
            lowercaseFrom(out, from);
        }
    }

    private static void encodeAll(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isUnreserved(c)) {
                out.append(c);
            } else {
                percent(out, c);
            }
        }
    }

    /**
     * escnde (and escpsnde, which keeps '/'): encodes all but unreserved characters; an existing %XX stays
     * encoded (as written) unless it encodes an unreserved character, which is decoded.
     */
    private static void encodeNoDoubleEncoding(StringBuilder out, String s, boolean keepSlash) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int hi;
            int lo;
            if (c == '%' && i + 2 < n && (hi = hex(s.charAt(i + 1))) >= 0 && (lo = hex(s.charAt(i + 2))) >= 0) {
                char decoded = (char) (hi << 4 | lo);
                if (isUnreserved(decoded)) {
                    out.append(decoded);
                } else {
                    out.append(s, i, i + 3);
                }
                i += 2;
            } else if (isUnreserved(c) || keepSlash && c == '/') {
                out.append(c);
            } else {
                percent(out, c);
            }
        }
    }

    /** Lowercases ASCII letters from {@code from}, leaving %XX sequences as they are. */
    private static void lowercaseFrom(StringBuilder out, int from) {
        for (int i = from; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                out.setCharAt(i, (char) (c | 0x20));
            } else if (c == '%' && i + 2 < out.length() && hex(out.charAt(i + 1)) >= 0 && hex(out.charAt(i + 2)) >= 0) {
                i += 2;
            }
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int hex(char c) {
        return Percent.hexValue(c);
    }

    private static boolean isUnreserved(char c) {
        return Percent.isUnreserved(c);
    }

    private static void percent(StringBuilder out, char c) {
        Percent.appendEncoded(out, c);
    }
}
