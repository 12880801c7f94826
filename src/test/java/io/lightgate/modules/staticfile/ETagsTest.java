package io.lightgate.modules.staticfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ETagsTest {
    private static final ETags.Flags ALL = new ETags.Flags(true, true, true);

    @Test
    void matchesLighttpdForTheSameStat() {
        // measured with lighttpd 1.4.69: ino 2146588, size 1357, mtime 1795290662.990436007 -> "4057483434"
        FileFacts f = new FileFacts(true, 2146588, 1357, 1795290662L, 990436007);
        assertThat(ETags.of(f, ALL)).isEqualTo("\"4057483434\"");
    }

    @Test
    void fieldsSelectedByFlagsChangeTheTag() {
        FileFacts f = new FileFacts(true, 2146588, 1357, 1795290662L, 990436007);
        String all = ETags.of(f, ALL);
        String noInode = ETags.of(f, new ETags.Flags(false, true, true));
        String sizeOnly = ETags.of(f, new ETags.Flags(false, true, false));
        assertThat(noInode).isNotEqualTo(all).matches("\"\\d+\"");
        assertThat(sizeOnly).isNotEqualTo(noInode).matches("\"\\d+\"");
        assertThat(ETags.of(new FileFacts(true, 1, 1357, 5, 6), new ETags.Flags(false, true, false)))
                .isEqualTo(sizeOnly);
        assertThat(ETags.of(f, new ETags.Flags(false, false, false))).isNull();
    }

    @Test
    void realFileGivesStableQuotedTag(@TempDir Path dir) throws Exception {
        Path p = Files.writeString(dir.resolve("a.txt"), "hello");
        String a = ETags.of(FileFacts.of(p), ALL);
        assertThat(a).isEqualTo(ETags.of(FileFacts.of(p), ALL)).startsWith("\"").endsWith("\"");
        Files.writeString(p, "hello, world");
        assertThat(ETags.of(FileFacts.of(p), ALL)).isNotEqualTo(a);
    }

    @Test
    void ifNoneMatchForms() {
        String e = "\"123\"";
        assertThat(ETags.matches(e, "\"123\"", true)).isTrue();
        assertThat(ETags.matches(e, "\"1\", \"123\"", true)).isTrue();
        assertThat(ETags.matches(e, "\"1\",\t\"123\" ", false)).isTrue();
        assertThat(ETags.matches(e, "\"12\"", true)).isFalse();
        assertThat(ETags.matches(e, "\"1234\"", true)).isFalse();
        assertThat(ETags.matches(e, "123", true)).isFalse();
        assertThat(ETags.matches(e, "*", false)).isTrue();
        assertThat(ETags.matches(null, "*", true)).isTrue();
        assertThat(ETags.matches(null, "\"123\"", true)).isFalse();
        assertThat(ETags.matches(e, "\"9\", *", true)).isTrue();
        // weak comparison: W/ matches its strong twin, unless a strong comparison is required
        assertThat(ETags.matches(e, "W/\"123\"", true)).isTrue();
        assertThat(ETags.matches(e, "W/\"123\"", false)).isFalse();
        assertThat(ETags.matches("W/\"123\"", "\"123\"", false)).isFalse();
        assertThat(ETags.matches("W/\"123\"", "\"123\"", true)).isTrue();
        assertThat(ETags.matches(e, "", true)).isFalse();
    }
}
