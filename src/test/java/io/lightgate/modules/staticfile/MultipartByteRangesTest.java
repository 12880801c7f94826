package io.lightgate.modules.staticfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartByteRangesTest {

    @Test
    void layoutMatchesRfc9110AndLighttpd() {
        MultipartByteRanges m = MultipartByteRanges.layout("B0UND", List.of(
                new ByteRanges.Range(0, 1), new ByteRanges.Range(200, 202)), "text/plain", 1357);
        assertThat(m.contentType()).isEqualTo("multipart/byteranges; boundary=B0UND");
        assertThat(m.partHeaders()).hasSize(2);
        assertThat(new String(m.partHeaders().get(0), StandardCharsets.ISO_8859_1)).isEqualTo(
                "--B0UND\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/1357\r\n\r\n");
        assertThat(new String(m.partHeaders().get(1), StandardCharsets.ISO_8859_1)).isEqualTo(
                "\r\n--B0UND\r\nContent-Type: text/plain\r\nContent-Range: bytes 200-202/1357\r\n\r\n");
        assertThat(new String(m.closing(), StandardCharsets.ISO_8859_1)).isEqualTo("\r\n--B0UND--\r\n");
    }
}
