package io.lightgate.modules.mimetype;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.config.ConfigValue;
import io.lightgate.modules.support.MapConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MimeTableTest {

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A table with at least 16 entries, to switch to the basename regime. */
    private static MimeTable large(String... kv) {
        Map<String, String> m = map(kv);
        for (int i = 0; m.size() < 16; i++) {
            m.put(".filler" + i, "x/filler" + i);
        }
        return MimeTable.of(m);
    }

    @Test
    void smallTableScansSuffixesInConfigOrderIgnoringCase() {
        MimeTable t = MimeTable.of(map(".gz", "application/gzip", ".tar.gz", "application/x-tgz", "", "text/plain"));
        assertThat(t.size()).isLessThan(16);
        // config order wins: ".gz" is listed first, so it beats the longer ".tar.gz"
        assertThat(t.lookup("/d/a.tar.gz")).isEqualTo("application/gzip");
        assertThat(t.lookup("/d/A.GZ")).isEqualTo("application/gzip");
        // "" is a suffix of everything: the catch-all
        assertThat(t.lookup("/d/file.bin")).isEqualTo("text/plain");
    }

    @Test
    void smallTableWithoutMatchGivesNull() {
        MimeTable t = MimeTable.of(map(".html", "text/html"));
        assertThat(t.lookup("/x/readme.txt")).isNull();
        assertThat(t.lookup("/x/page.HTML")).isEqualTo("text/html");
    }

    @Test
    void smallTableSuffixNeedNotBeAnExtension() {
        MimeTable t = MimeTable.of(map("README", "text/plain", "~", "application/x-trash"));
        assertThat(t.lookup("/a/MY-readme")).isEqualTo("text/plain");
        assertThat(t.lookup("/a/file.c~")).isEqualTo("application/x-trash");
    }

    @Test
    void largeTablePrefersBasenameThenLongestExtension() {
        MimeTable t = large(".gz", "application/gzip", ".tar.gz", "application/x-tgz", "Makefile", "text/x-make",
                "", "application/octet-stream");
        assertThat(t.size()).isGreaterThanOrEqualTo(16);
        assertThat(t.lookup("/src/Makefile")).isEqualTo("text/x-make");
        assertThat(t.lookup("/src/makefile")).isEqualTo("text/x-make");
        assertThat(t.lookup("/dl/a.tar.gz")).isEqualTo("application/x-tgz");
        assertThat(t.lookup("/dl/a.b.gz")).isEqualTo("application/gzip");
        assertThat(t.lookup("/dl/a.unknown")).isEqualTo("application/octet-stream");
        // the directory part never matches: only the basename is looked at
        assertThat(t.lookup("/x.gz/plain")).isEqualTo("application/octet-stream");
    }

    @Test
    void largeTableAlsoMatchesKeysWithoutLeadingDot() {
        MimeTable t = large("gz", "application/gzip");
        assertThat(t.lookup("/a/b.gz")).isEqualTo("application/gzip");
        assertThat(t.lookup("/a/b.txt")).isNull();
    }

    @Test
    void largeTableLeadingDotOfBasenameStartsNoSuffix() {
        MimeTable t = large(".htaccess", "text/x-htaccess", "htaccess", "wrong/type");
        assertThat(t.lookup("/a/.htaccess")).isEqualTo("text/x-htaccess");
        MimeTable t2 = large("htaccess", "wrong/type");
        assertThat(t2.lookup("/a/.htaccess")).isNull();
    }

    @Test
    void largeTableHandlesDoubleDots() {
        MimeTable t = large(".gz", "application/gzip");
        assertThat(t.lookup("/a/x..gz")).isEqualTo("application/gzip");
        assertThat(t.lookup("/a/x.")).isNull();
    }

    @Test
    void defaultTableIsLighttpdsBuiltIn() {
        MimeTable t = MimeTypes.DEFAULT_TABLE;
        assertThat(t.size()).isGreaterThanOrEqualTo(16);
        assertThat(t.lookup("/count.html")).isEqualTo("text/html");
        assertThat(t.lookup("/a.txt")).isEqualTo("text/plain;charset=utf-8");
        assertThat(t.lookup("/a.css")).isEqualTo("text/css;charset=utf-8");
        assertThat(t.lookup("/a.mjs")).isEqualTo("text/javascript");
        assertThat(t.lookup("/a.svg")).isEqualTo("image/svg+xml");
        assertThat(t.lookup("/a.tar.gz")).isEqualTo("application/x-gtar-compressed");
        assertThat(t.lookup("/b.gz")).isEqualTo("application/gzip");
        assertThat(t.lookup("/docs/README")).isEqualTo("text/plain;charset=utf-8");
        assertThat(t.lookup("/a.wasm")).isEqualTo("application/octet-stream");
    }

    @Test
    void applicationJavascriptIsRewrittenAsLighttpdDoes() {
        assertThat(MimeTable.of(map(".js", "application/javascript")).lookup("/a.js")).isEqualTo("text/javascript");
        assertThat(MimeTable.of(map(".js", "application/x-other")).lookup("/a.js")).isEqualTo("application/x-other");
    }

    @Test
    void configKeyBuildsTableFromTheStringMapAndDefaultsToBuiltIn() {
        List<ConfigValue.Arr.Entry> entries = new ArrayList<>();
        entries.add(new ConfigValue.Arr.Entry(".html", new ConfigValue.Str("text/html")));
        MapConfig set = new MapConfig().setRaw(MimeTypes.ASSIGN, new ConfigValue.Arr(entries));
        assertThat(MimeTypes.lookup(set, "/a.html")).isEqualTo("text/html");
        // setting mimetype.assign replaces the whole table: no catch-all any more
        assertThat(MimeTypes.lookup(set, "/a.css")).isNull();
        assertThat(MimeTypes.lookup(new MapConfig(), "/a.css")).isEqualTo("text/css;charset=utf-8");
    }
}
