package io.lightgate.modules.dirlisting;

import io.lightgate.http.Percent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The HTML of a directory listing as lighttpd 1.4.69's mod_dirlisting lays it out: a pure function of the
 * URL path, the entries and the layout options (no file system, no clock). The inline style sheet and sort
 * script are lightgate's own, with lighttpd's look and behaviour (clickable column headers, {@code ?C=N|M|S|T|D}
 * and {@code ?O=A|D} for the initial order); everything else is byte for byte lighttpd's markup.
 */
public final class ListingPage {

    /** One directory entry; {@code type} is the mimetype (files) and ignored for directories. */
    public record Entry(String name, boolean directory, long mtimeSeconds, long size, String type) { }

    /**
     * How the page is laid out. Null or "" {@code externalCss}/{@code externalJs}: the inline style sheet/script.
     * Null or "" {@code footer}: no footer line (lighttpd with an empty server.tag and no set-footer).
     * {@code header}/{@code readme}: the file contents to include, or null.
     */
    public record Layout(boolean autoLayout, String encoding, String externalCss, String externalJs, String footer,
            byte[] header, boolean encodeHeader, byte[] readme, boolean encodeReadme) { }

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MMM-dd HH:mm:ss", Locale.ROOT);

    private ListingPage() { }

    /** lighttpd's order: directories first, then files, each by name compared as bytes (strcmp). */
    public static List<Entry> sorted(List<Entry> entries) {
        record Keyed(Entry entry, byte[] name) { }
        List<Keyed> keyed = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            keyed.add(new Keyed(e, utf8(e.name()))); // encoded once, not per comparison
        }
        keyed.sort(Comparator.comparing((Keyed k) -> !k.entry().directory())
                .thenComparing((a, b) -> Arrays.compareUnsigned(a.name(), b.name())));
        List<Entry> out = new ArrayList<>(keyed.size());
        for (Keyed k : keyed) {
            out.add(k.entry());
        }
        return out;
    }

    /** The page for {@code urlPath} listing {@code entries} in the order given (see {@link #sorted}). */
    public static byte[] render(String urlPath, List<Entry> entries, Layout layout, ZoneId zone) {
        StringBuilder out = new StringBuilder(2048 + entries.size() * 160);
        String title = xml(urlPath);
        if (layout.autoLayout()) {
            out.append("<!DOCTYPE html>\n<html>\n<head>\n");
            if (notEmpty(layout.encoding())) {
                out.append("<meta charset=\"").append(layout.encoding()).append("\">\n");
            }
            out.append("<title>Index of ").append(title).append("</title>\n");
            if (notEmpty(layout.externalCss())) {
                out.append("<meta name=\"viewport\" content=\"initial-scale=1\">")
                        .append("<link rel=\"stylesheet\" type=\"text/css\" href=\"")
                        .append(layout.externalCss()).append("\">\n");
            } else {
                out.append("<style type=\"text/css\">\n").append(Assets.STYLE).append("</style>\n");
            }
            out.append("</head>\n<body>\n");
        }
        ByteAppender bytes = new ByteAppender(out);
        if (layout.header() != null) {
            bytes.include(layout.header(), "header", layout.encodeHeader());
        }
        out.append("<h2>Index of ").append(title).append("</h2>\n")
                .append("<div class=\"list\">\n")
                .append("<table summary=\"Directory Listing\" cellpadding=\"0\" cellspacing=\"0\">\n")
                .append("<thead><tr><th class=\"n\">Name</th><th class=\"m\">Last Modified</th>")
                .append("<th class=\"s\">Size</th><th class=\"t\">Type</th></tr></thead>\n")
                .append("<tbody>\n");
        if (!urlPath.equals("/")) {
            out.append("<tr class=\"d\"><td class=\"n\"><a href=\"../\">..</a>/</td><td class=\"m\">&nbsp;</td>")
                    .append("<td class=\"s\">- &nbsp;</td><td class=\"t\">Directory</td></tr>\n");
        }
        for (Entry e : entries) {
            String date = DATE.format(Instant.ofEpochSecond(e.mtimeSeconds()).atZone(zone));
            if (e.directory()) {
                out.append("<tr class=\"d\"><td class=\"n\"><a href=\"").append(uriPart(e.name())).append("/\">")
                        .append(xml(e.name())).append("</a>/</td><td class=\"m\">").append(date)
                        .append("</td><td class=\"s\">- &nbsp;</td><td class=\"t\">Directory</td></tr>\n");
            } else {
                out.append("<tr><td class=\"n\"><a href=\"").append(uriPart(e.name())).append("\">")
                        .append(xml(e.name())).append("</a></td><td class=\"m\">").append(date)
                        .append("</td><td class=\"s\">").append(size(e.size()))
                        .append("</td><td class=\"t\">").append(e.type()).append("</td></tr>\n");
            }
        }
        out.append("</tbody>\n</table>\n</div>\n");
        if (layout.readme() != null) {
            bytes.include(layout.readme(), "readme", layout.encodeReadme());
        }
        if (layout.autoLayout()) {
            if (notEmpty(layout.footer())) {
                out.append("<div class=\"foot\">").append(layout.footer()).append("</div>\n");
            }
            if (notEmpty(layout.externalJs())) {
                out.append("<script type=\"text/javascript\" src=\"").append(layout.externalJs())
                        .append("\"></script>\n");
            } else {
                out.append("\n<script type=\"text/javascript\">\n// <!--\n\n").append(Assets.SCRIPT)
                        .append("\n// -->\n</script>\n\n");
            }
            out.append("</body>\n</html>\n");
        }
        return bytes.finish();
    }

    /**
     * lighttpd's size column: tenths of the largest unit (K, M, G, T, P, E) below 1024, truncated; sizes under
     * 100 bytes round up to 0.1K, 0 bytes is 0.0K.
     */
    public static String size(long bytes) {
        final String units = " KMGTPE";
        long size = bytes;
        if (size < 100) {
            size += 99;
        }
        if (size < 100) {
            size = 0;
        }
        int unit = 0;
        int remain;
        do {
            remain = (int) (size & 1023);
            size >>= 10;
            unit++;
        } while ((size & ~1023L) != 0);
        remain /= 100;
        if (remain > 9) {
            remain = 9;
        }
        if (size > 999) {
            size = 0;
            remain = 9;
            unit++;
        }
        return size + "." + remain + units.charAt(unit);
    }

    /** lighttpd's ENCODING_MINIMAL_XML: {@code " & ' < > `}, control characters and DEL as {@code &#xHH;}. */
    public static String xml(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean encode = c < 0x20 || c == 0x7f || c == '"' || c == '&' || c == '\'' || c == '<' || c == '>'
                    || c == '`';
            if (encode) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append("&#x").append(HEX[c >> 4]).append(HEX[c & 15]).append(';');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** lighttpd's ENCODING_REL_URI_PART: every UTF-8 byte but letters, digits and {@code !()*-._~} as %HH. */
    public static String uriPart(String name) {
        return Percent.encodeUtf8(name, "!()*-._~");
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The page is text except for included header/readme files, which lighttpd copies as bytes (encoded or not):
     * text is flushed as UTF-8 before each included file so their bytes pass through unchanged.
     */
    private static final class ByteAppender {
        private final StringBuilder text;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        ByteAppender(StringBuilder text) {
            this.text = text;
        }

        void include(byte[] content, String cssClass, boolean encode) {
            if (encode) {
                text.append("<pre class=\"").append(cssClass).append("\">");
            }
            flush();
            if (encode) {
                // MINIMAL_XML works on bytes; bytes >= 0x80 pass as they are
                for (byte b : content) {
                    int c = b & 0xff;
                    if (c < 0x20 || c == 0x7f || c == '"' || c == '&' || c == '\'' || c == '<' || c == '>'
                            || c == '`') {
                        bytes.write('&');
                        bytes.write('#');
                        bytes.write('x');
                        bytes.write(HEX[c >> 4]);
                        bytes.write(HEX[c & 15]);
                        bytes.write(';');
                    } else {
                        bytes.write(c);
                    }
                }
                text.append("</pre>");
            } else {
                bytes.writeBytes(content);
            }
        }

        private void flush() {
            bytes.writeBytes(utf8(text.toString()));
            text.setLength(0);
        }

        byte[] finish() {
            flush();
            return bytes.toByteArray();
        }
    }
}
