package io.lightgate.modules.dirlisting;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.modules.dirlisting.ListingPage.Entry;
import io.lightgate.modules.dirlisting.ListingPage.Layout;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listing HTML as a pure function; expected text taken from Debian's lighttpd 1.4.69 output. */
class ListingPageTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    /** 2026-11-22 12:29:33 UTC */
    private static final long T = 1795350573L;

    private static Layout layout() {
        return new Layout(true, null, null, null, "tag/1", null, true, null, true);
    }

    private static String render(String urlPath, List<Entry> entries, Layout layout) {
        return new String(ListingPage.render(urlPath, ListingPage.sorted(entries), layout, UTC), StandardCharsets.UTF_8);
    }

    @Test
    void sizesAreLighttpdsHumanFormat() {
        assertThat(ListingPage.size(0)).isEqualTo("0.0K");
        assertThat(ListingPage.size(1)).isEqualTo("0.1K");
        assertThat(ListingPage.size(50)).isEqualTo("0.1K");
        assertThat(ListingPage.size(1023)).isEqualTo("0.9K");
        assertThat(ListingPage.size(1024)).isEqualTo("1.0K");
        assertThat(ListingPage.size(150_000)).isEqualTo("146.4K");
        assertThat(ListingPage.size(1_100_000)).isEqualTo("1.0M");
        assertThat(ListingPage.size(1000L * 1024)).isEqualTo("0.9M"); // over 999 of a unit: 0.9 of the next
        assertThat(ListingPage.size(5L << 30)).isEqualTo("5.0G");
    }

    @Test
    void namesAreEscapedAsLighttpdDoes() {
        assertThat(ListingPage.xml("<b>&\"x y'`.txt")).isEqualTo("&#x3C;b&#x3E;&#x26;&#x22;x y&#x27;&#x60;.txt");
        assertThat(ListingPage.xml("t\tb\u007f")).isEqualTo("t&#x09;b&#x7F;");
        assertThat(ListingPage.xml("é#?%")).isEqualTo("é#?%");
        assertThat(ListingPage.uriPart("<b>&\"x y.txt")).isEqualTo("%3Cb%3E%26%22x%20y.txt");
        assertThat(ListingPage.uriPart("é'#?%/")).isEqualTo("%C3%A9%27%23%3F%25%2F");
        assertThat(ListingPage.uriPart("a-z_A.Z~0!(9)*")).isEqualTo("a-z_A.Z~0!(9)*");
    }

    @Test
    void directoriesFirstThenFilesEachByBytes() {
        List<Entry> sorted = ListingPage.sorted(List.of(
                new Entry("b.txt", false, T, 1, "text/plain"),
                new Entry("é.txt", false, T, 1, "text/plain"),
                new Entry("zdir", true, T, 4096, null),
                new Entry("B.txt", false, T, 1, "text/plain"),
                new Entry("Adir", true, T, 4096, null),
                new Entry("<x", false, T, 1, "text/plain")));
        assertThat(sorted).extracting(Entry::name).containsExactly("Adir", "zdir", "<x", "B.txt", "b.txt", "é.txt");
    }

    @Test
    void pageBelowTheRoot() {
        String page = render("/pub/", List.of(
                new Entry("a.txt", false, T, 50, "text/plain"),
                new Entry("sub", true, T, 4096, null)), layout());
        assertThat(page).startsWith("<!DOCTYPE html>\n<html>\n<head>\n<title>Index of /pub/</title>\n"
                + "<style type=\"text/css\">\n");
        assertThat(page).contains("</style>\n</head>\n<body>\n<h2>Index of /pub/</h2>\n<div class=\"list\">\n"
                + "<table summary=\"Directory Listing\" cellpadding=\"0\" cellspacing=\"0\">\n"
                + "<thead><tr><th class=\"n\">Name</th><th class=\"m\">Last Modified</th><th class=\"s\">Size</th>"
                + "<th class=\"t\">Type</th></tr></thead>\n<tbody>\n"
                + "<tr class=\"d\"><td class=\"n\"><a href=\"../\">..</a>/</td><td class=\"m\">&nbsp;</td>"
                + "<td class=\"s\">- &nbsp;</td><td class=\"t\">Directory</td></tr>\n"
                + "<tr class=\"d\"><td class=\"n\"><a href=\"sub/\">sub</a>/</td><td class=\"m\">2026-Nov-22 12:29:33"
                + "</td><td class=\"s\">- &nbsp;</td><td class=\"t\">Directory</td></tr>\n"
                + "<tr><td class=\"n\"><a href=\"a.txt\">a.txt</a></td><td class=\"m\">2026-Nov-22 12:29:33</td>"
                + "<td class=\"s\">0.1K</td><td class=\"t\">text/plain</td></tr>\n"
                + "</tbody>\n</table>\n</div>\n<div class=\"foot\">tag/1</div>\n\n"
                + "<script type=\"text/javascript\">\n// <!--\n\n");
        assertThat(page).endsWith("\n// -->\n</script>\n\n</body>\n</html>\n");
    }

    @Test
    void rootHasNoParentRowAndTitleIsEscaped() {
        assertThat(render("/", List.of(), layout())).doesNotContain("href=\"../\"").contains("<h2>Index of /</h2>");
        assertThat(render("/<a>&/", List.of(), layout()))
                .contains("<title>Index of /&#x3C;a&#x3E;&#x26;/</title>")
                .contains("<h2>Index of /&#x3C;a&#x3E;&#x26;/</h2>");
    }

    @Test
    void externalCssJsEncodingFooterHeaderAndReadme() {
        Layout layout = new Layout(true, "utf-8", "/s.css", "/s.js", "<i>foot</i>",
                "HEAD & er\n".getBytes(StandardCharsets.UTF_8), true,
                "README <x> é\n".getBytes(StandardCharsets.UTF_8), true);
        String page = render("/pub/", List.of(), layout);
        assertThat(page).isEqualTo("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                + "<title>Index of /pub/</title>\n"
                + "<meta name=\"viewport\" content=\"initial-scale=1\"><link rel=\"stylesheet\" type=\"text/css\" "
                + "href=\"/s.css\">\n</head>\n<body>\n"
                + "<pre class=\"header\">HEAD &#x26; er&#x0A;</pre><h2>Index of /pub/</h2>\n<div class=\"list\">\n"
                + "<table summary=\"Directory Listing\" cellpadding=\"0\" cellspacing=\"0\">\n"
                + "<thead><tr><th class=\"n\">Name</th><th class=\"m\">Last Modified</th><th class=\"s\">Size</th>"
                + "<th class=\"t\">Type</th></tr></thead>\n<tbody>\n"
                + "<tr class=\"d\"><td class=\"n\"><a href=\"../\">..</a>/</td><td class=\"m\">&nbsp;</td>"
                + "<td class=\"s\">- &nbsp;</td><td class=\"t\">Directory</td></tr>\n"
                + "</tbody>\n</table>\n</div>\n"
                + "<pre class=\"readme\">README &#x3C;x&#x3E; é&#x0A;</pre><div class=\"foot\"><i>foot</i></div>\n"
                + "<script type=\"text/javascript\" src=\"/s.js\"></script>\n</body>\n</html>\n");
    }

    @Test
    void withoutAutoLayoutOnlyTheListAndRawReadme() {
        Layout layout = new Layout(false, null, null, null, "unused", null, true,
                "README <x>\n".getBytes(StandardCharsets.UTF_8), false);
        String page = render("/sub/", List.of(), layout);
        assertThat(page).startsWith("<h2>Index of /sub/</h2>\n")
                .endsWith("</tbody>\n</table>\n</div>\nREADME <x>\n")
                .doesNotContain("<script").doesNotContain("<html>");
    }

    @Test
    void emptyExternalCssAndJsMeanTheInlineOnesAndAnEmptyFooterNoFooterLine() {
        Layout layout = new Layout(true, "", "", "", "", null, true, null, true);
        assertThat(render("/", List.of(), layout))
                .contains("<head>\n<title>Index of /</title>\n<style type=\"text/css\">\n")
                .contains("</table>\n</div>\n\n<script type=\"text/javascript\">\n// <!--\n")
                .doesNotContain("class=\"foot\"");
    }

    @Test
    void readmeBytesPassThroughUnchanged() {
        byte[] latin1 = {'a', (byte) 0xE9, '<', '\n'}; // not UTF-8: must come out as the same bytes
        Layout layout = new Layout(false, null, null, null, "", null, true, latin1, true);
        byte[] page = ListingPage.render("/", List.of(), layout, UTC);
        String tail = new String(page, StandardCharsets.ISO_8859_1);
        assertThat(tail).endsWith("<pre class=\"readme\">a\u00e9&#x3C;&#x0A;</pre>");
    }
}
