package io.lightgate.modules.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.List;
import java.util.SequencedMap;

/**
 * Writes FastCGI records for both sides, as lighttpd's mod_fastcgi does: no padding, all params in one
 * FCGI_PARAMS record, stream data in records of at most 65535 bytes. Every returned buffer belongs to the caller.
 */
public final class FastCgiEncoder {
    private FastCgiEncoder() { }

    /** FCGI_BEGIN_REQUEST for {@code role}, with the keep-conn flag when {@code keepConn}. */
    public static ByteBuf beginRequest(ByteBufAllocator alloc, int id, int role, boolean keepConn) {
        ByteBuf out = alloc.buffer(FastCgi.HEADER_BYTES + 8);
        header(out, FastCgi.BEGIN_REQUEST, id, 8);
        out.writeShort(role).writeByte(keepConn ? FastCgi.KEEP_CONN : 0).writeZero(5);
        return out;
    }

    /**
     * One FCGI_PARAMS record holding every variable of {@code env} (byte strings, non-empty names) followed by
     * the empty PARAMS record that ends the stream. More than 65535 bytes of pairs are refused, as lighttpd does.
     */
    public static EncodedParams params(ByteBufAllocator alloc, int id, SequencedMap<String, String> env) {
        String problem = NameValuePairs.problem(env);
        if (problem != null) {
            return new EncodedParams.Refused(problem);
        }
        long size = NameValuePairs.size(env);
        if (size > FastCgi.MAX_CONTENT) {
            return new EncodedParams.Refused("FastCGI params of " + size + " bytes exceed one record ("
                    + FastCgi.MAX_CONTENT + ")");
        }
        ByteBuf out = alloc.buffer(FastCgi.HEADER_BYTES * 2 + (int) size);
        if (size > 0) {
            header(out, FastCgi.PARAMS, id, (int) size);
            NameValuePairs.write(out, env);
        }
        header(out, FastCgi.PARAMS, id, 0);
        return new EncodedParams.Encoded(out);
    }

    /**
     * {@code data} as records of {@code type} (STDIN, STDOUT or STDERR), split at 65535 bytes; takes ownership of
     * {@code data} and reuses its memory (a composite of headers and slices). Empty data gives an empty buffer,
     * never the end-of-stream record: that is {@link #endOfStream}.
     */
    public static ByteBuf stream(ByteBufAllocator alloc, int type, int id, ByteBuf data) {
        int length = data.readableBytes();
        if (length == 0) {
            data.release();
            return alloc.buffer(0);
        }
        if (length <= FastCgi.MAX_CONTENT) {
            ByteBuf head = alloc.buffer(FastCgi.HEADER_BYTES);
            header(head, type, id, length);
            return alloc.compositeBuffer(2).addComponents(true, head, data);
        }
        int records = (length + FastCgi.MAX_CONTENT - 1) / FastCgi.MAX_CONTENT;
        CompositeByteBuf out = alloc.compositeBuffer(records * 2);
        try {
            while (data.isReadable()) {
                int n = Math.min(FastCgi.MAX_CONTENT, data.readableBytes());
                ByteBuf head = alloc.buffer(FastCgi.HEADER_BYTES);
                header(head, type, id, n);
                out.addComponent(true, head);
                out.addComponent(true, data.readRetainedSlice(n));
            }
        } finally {
            data.release();
        }
        return out;
    }

    /** The empty record of {@code type} that ends a stream (PARAMS, STDIN, STDOUT, STDERR). */
    public static ByteBuf endOfStream(ByteBufAllocator alloc, int type, int id) {
        ByteBuf out = alloc.buffer(FastCgi.HEADER_BYTES);
        header(out, type, id, 0);
        return out;
    }

    /** FCGI_ABORT_REQUEST. */
    public static ByteBuf abortRequest(ByteBufAllocator alloc, int id) {
        return endOfStream(alloc, FastCgi.ABORT_REQUEST, id);
    }

    /** FCGI_END_REQUEST with the application's exit status and a protocol status (REQUEST_COMPLETE, ...). */
    public static ByteBuf endRequest(ByteBufAllocator alloc, int id, int appStatus, int protocolStatus) {
        ByteBuf out = alloc.buffer(FastCgi.HEADER_BYTES + 8);
        header(out, FastCgi.END_REQUEST, id, 8);
        out.writeInt(appStatus).writeByte(protocolStatus).writeZero(3);
        return out;
    }

    /** FCGI_GET_VALUES asking for {@code names} (non-empty byte strings, else IllegalArgumentException). */
    public static ByteBuf getValues(ByteBufAllocator alloc, List<String> names) {
        SequencedMap<String, String> pairs = NameValuePairs.newMap();
        names.forEach(n -> pairs.put(n, ""));
        return management(alloc, FastCgi.GET_VALUES, pairs);
    }

    /** FCGI_GET_VALUES_RESULT with the answers (byte strings in one record, else IllegalArgumentException). */
    public static ByteBuf getValuesResult(ByteBufAllocator alloc, SequencedMap<String, String> values) {
        return management(alloc, FastCgi.GET_VALUES_RESULT, values);
    }

    /** FCGI_UNKNOWN_TYPE: the answer to a management record of a type the application does not know. */
    public static ByteBuf unknownType(ByteBufAllocator alloc, int type) {
        ByteBuf out = alloc.buffer(FastCgi.HEADER_BYTES + 8);
        header(out, FastCgi.UNKNOWN_TYPE, FastCgi.NULL_REQUEST_ID, 8);
        out.writeByte(type).writeZero(7);
        return out;
    }

    private static ByteBuf management(ByteBufAllocator alloc, int type, SequencedMap<String, String> pairs) {
        long size = NameValuePairs.size(pairs);
        String problem = NameValuePairs.problem(pairs);
        if (problem != null || size > FastCgi.MAX_CONTENT) {
            throw new IllegalArgumentException(problem != null ? problem : "management record over 65535 bytes");
        }
        ByteBuf out = alloc.buffer(FastCgi.HEADER_BYTES + (int) size);
        header(out, type, FastCgi.NULL_REQUEST_ID, (int) size);
        NameValuePairs.write(out, pairs);
        return out;
    }

    private static void header(ByteBuf out, int type, int id, int contentLength) {
        out.writeByte(FastCgi.VERSION_1).writeByte(type).writeShort(id).writeShort(contentLength)
                .writeByte(0).writeByte(0);
    }
}
