package io.lightgate.modules.staticfile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The framing of a multipart/byteranges body (RFC 9110 §14.6): before each range a delimiter with
 * that part's Content-Type and Content-Range, after the last the close delimiter. The ranges
 * themselves are sent from the file between these texts.
 */
public record MultipartByteRanges(String boundary, List<byte[]> partHeaders, byte[] closing) {

    public MultipartByteRanges {
        partHeaders = List.copyOf(partHeaders);
    }

    public static MultipartByteRanges layout(String boundary, List<ByteRanges.Range> ranges,
                                             String contentType, long completeLength) {
        List<byte[]> headers = new ArrayList<>(ranges.size());
        boolean first = true;
        for (ByteRanges.Range r : ranges) {
            StringBuilder b = new StringBuilder(96);
            if (!first) {
                b.append("\r\n");
            }
            first = false;
            b.append("--").append(boundary).append("\r\n");
            if (contentType != null) {
                b.append("Content-Type: ").append(contentType).append("\r\n");
            }
            b.append("Content-Range: bytes ").append(r.first()).append('-').append(r.last())
                    .append('/').append(completeLength).append("\r\n\r\n");
            headers.add(b.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
        byte[] closing = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        return new MultipartByteRanges(boundary, headers, closing);
    }

    /** The response's Content-Type. */
    public String contentType() {
        return "multipart/byteranges; boundary=" + boundary;
    }
}
