package io.lightgate.modules.scgi;

import io.lightgate.http.HttpText;
import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * Decodes one uwsgi request head (the server side). Strict: modifier1 and modifier2 must be 0 (WSGI/CGI vars, the
 * only kind lighttpd sends); the variables fill the announced size exactly; names are non-empty and unique; a
 * {@code CONTENT_LENGTH}, when present, is decimal.
 */
public final class UwsgiHeadDecoder implements RequestHeadDecoder {
    private enum State { HEADER, VARS, DONE, FAILED }

    private State state = State.HEADER;
    private int size;
    private HeadDecoding result = HeadDecoding.NEED_MORE;

    @Override
    public HeadDecoding decode(ByteBuf in) {
        if (state == State.HEADER && in.readableBytes() >= UwsgiCodec.HEADER_BYTES) {
            int at = in.readerIndex();
            int modifier1 = in.getUnsignedByte(at);
            int modifier2 = in.getUnsignedByte(at + 3);
            if (modifier1 != 0 || modifier2 != 0) {
                return fail("uwsgi packet with modifiers " + modifier1 + "/" + modifier2 + " (only 0/0 is a request)");
            }
            size = in.getUnsignedShortLE(at + 1);
            in.skipBytes(UwsgiCodec.HEADER_BYTES);
            state = State.VARS;
        }
        if (state == State.VARS && in.readableBytes() >= size) {
            readVars(in);
        }
        return result;
    }

    private void readVars(ByteBuf in) {
        int at = in.readerIndex();
        int end = at + size;
        SequencedMap<String, String> params = new LinkedHashMap<>();
        while (at < end) {
            if (end - at < 2) {
                fail("uwsgi vars end inside a length");
                return;
            }
            int nameLength = in.getUnsignedShortLE(at);
            at += 2;
            if (nameLength == 0 || end - at < nameLength + 2) {
                fail(nameLength == 0 ? "uwsgi variable with an empty name" : "uwsgi variable beyond the vars size");
                return;
            }
            String name = ByteStrings.read(in, at, nameLength);
            at += nameLength;
            int valueLength = in.getUnsignedShortLE(at);
            at += 2;
            if (end - at < valueLength) {
                fail("uwsgi value of " + HttpText.printable(name, 60) + " beyond the vars size");
                return;
            }
            if (params.putIfAbsent(name, ByteStrings.read(in, at, valueLength)) != null) {
                fail("uwsgi variable " + HttpText.printable(name, 60) + " given twice");
                return;
            }
            at += valueLength;
        }
        long contentLength = 0;
        String declared = params.get("CONTENT_LENGTH");
        if (declared != null) {
            contentLength = HttpText.decimal(declared);
            if (contentLength < 0) {
                fail("uwsgi CONTENT_LENGTH is not a decimal: " + HttpText.printable(declared, 60));
                return;
            }
        }
        in.readerIndex(end);
        state = State.DONE;
        result = new HeadDecoding.Decoded(new GatewayHead(params, contentLength));
    }

    private HeadDecoding fail(String why) {
        state = State.FAILED;
        result = new HeadDecoding.Malformed(why);
        return result;
    }
}
