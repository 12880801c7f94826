package io.lightgate.modules.scgi;

import io.lightgate.http.HttpText;
import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * Decodes one SCGI request head incrementally (the server side, {@code lightgate scgi-cgi}). Strict: the length
 * is decimal digits without leading zeros (except a lone {@code 0}) and at most {@code maxLength}; the pairs are
 * NUL-terminated, names non-empty and unique; {@code CONTENT_LENGTH} comes first with a decimal value and
 * {@code SCGI} is {@code 1}, as the protocol requires; a {@code ,} ends the netstring.
 */
public final class ScgiHeadDecoder implements RequestHeadDecoder {
    /** Default limit on the netstring's length: the environment of a large request head fits easily. */
    public static final int DEFAULT_MAX_LENGTH = 128 * 1024;

    private enum State { LENGTH, PAIRS, DONE, FAILED }

    private final int maxLength;
    private State state = State.LENGTH;
    private long length;
    private int digits;
    private HeadDecoding result = HeadDecoding.NEED_MORE;

    public ScgiHeadDecoder() {
        this(DEFAULT_MAX_LENGTH);
    }

    public ScgiHeadDecoder(int maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    public HeadDecoding decode(ByteBuf in) {
        if (state == State.LENGTH) {
            readLength(in);
        }
        if (state == State.PAIRS && in.readableBytes() > length) {
            readPairs(in);
        }
        return result;
    }

    /** Consumes length digits as they arrive, then the colon. */
    private void readLength(ByteBuf in) {
        while (in.isReadable()) {
            byte c = in.readByte();
            if (c == ':') {
                if (digits == 0) {
                    fail("SCGI netstring without a length");
                } else {
                    state = State.PAIRS;
                }
                return;
            }
            if (c < '0' || c > '9') {
                fail("SCGI netstring length has a non-digit: " + HttpText.printable(String.valueOf((char) (c & 0xFF)), 60));
                return;
            }
            if (digits == 1 && length == 0) {
                fail("SCGI netstring length with a leading zero");
                return;
            }
            length = length * 10 + (c - '0');
            digits++;
            if (length > maxLength) {
                fail("SCGI head longer than " + maxLength + " bytes");
                return;
            }
        }
    }

    /** Parses the whole netstring content and its comma (all readable). */
    private void readPairs(ByteBuf in) {
        int start = in.readerIndex();
        int end = start + (int) length;
        if (in.getByte(end) != ',') {
            fail("SCGI netstring not ended by a comma");
            return;
        }
        if (length == 0 || in.getByte(end - 1) != 0) {
            fail(length == 0 ? "SCGI head without variables" : "SCGI head does not end with a NUL");
            return;
        }
        SequencedMap<String, String> params = new LinkedHashMap<>();
        int at = start;
        while (at < end) {
            int nameEnd = in.indexOf(at, end, (byte) 0);
            int valueEnd = in.indexOf(nameEnd + 1, end, (byte) 0);
            if (valueEnd < 0) {
                fail("SCGI variable without a value");
                return;
            }
            String name = ByteStrings.read(in, at, nameEnd - at);
            if (name.isEmpty()) {
                fail("SCGI variable with an empty name");
                return;
            }
            if (params.isEmpty() && !name.equals("CONTENT_LENGTH")) {
                fail("SCGI head does not start with CONTENT_LENGTH");
                return;
            }
            if (params.putIfAbsent(name, ByteStrings.read(in, nameEnd + 1, valueEnd - nameEnd - 1)) != null) {
                fail("SCGI variable " + HttpText.printable(name, 60) + " given twice");
                return;
            }
            at = valueEnd + 1;
        }
        long contentLength = HttpText.decimal(params.get("CONTENT_LENGTH"));
        if (contentLength < 0) {
            fail("SCGI CONTENT_LENGTH is not a decimal: " + HttpText.printable(params.get("CONTENT_LENGTH"), 60));
            return;
        }
        if (!"1".equals(params.get("SCGI"))) {
            fail("SCGI head without SCGI=1");
            return;
        }
        in.readerIndex(end + 1);
        state = State.DONE;
        result = new HeadDecoding.Decoded(new GatewayHead(params, contentLength));
    }

    private void fail(String why) {
        state = State.FAILED;
        result = new HeadDecoding.Malformed(why);
    }
}
