package io.lightgate.modules.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Consumer;

/**
 * Decodes a FastCGI record stream incrementally, for either side, as a pure state machine. Records may be split
 * anywhere. STDIN, STDOUT and STDERR content is streamed as it arrives (retained slices of the input); other
 * records are read whole; padding is skipped. Checked: version 1; request id 0 exactly for management records;
 * content lengths of BEGIN_REQUEST and END_REQUEST (8), ABORT_REQUEST (0); END_REQUEST's protocol status; the
 * name-value pairs of PARAMS and GET_VALUES; at most {@code maxParamsBytes} of PARAMS pending over all
 * requests. The first violation gives one {@link FastCgiEvent.Malformed} and nothing after. Empty STDOUT and
 * STDERR records (ends of those streams) give no event: END_REQUEST ends a response.
 * <p>
 * Ownership: the caller owns {@code in} (typically a cumulation) and keeps unread bytes for the next call; each
 * data event owns its slice; the decoder owns partial PARAMS streams until {@link #release()}.
 */
public final class FastCgiDecoder {
    /** Default limit on PARAMS bytes held for requests whose params have not ended. */
    public static final int DEFAULT_MAX_PARAMS_BYTES = 256 * 1024;

    private enum State { HEADER, CONTENT, PADDING, FAILED }

    private final ByteBufAllocator alloc;
    private final int maxParamsBytes;
    private State state = State.HEADER;
    private int type;
    private int id;
    private int contentLeft;
    private int paddingLeft;
    /** Partial PARAMS streams by request id. */
    private final Map<Integer, ByteBuf> params = new HashMap<>();
    private int paramsBytes;

    public FastCgiDecoder(ByteBufAllocator alloc) {
        this(alloc, DEFAULT_MAX_PARAMS_BYTES);
    }

    public FastCgiDecoder(ByteBufAllocator alloc, int maxParamsBytes) {
        this.alloc = alloc;
        this.maxParamsBytes = maxParamsBytes;
    }

    public boolean hasFailed() {
        return state == State.FAILED;
    }

    /** Consumes what it can from {@code in}, sending events to {@code out}; an incomplete record stays unread. */
    public void decode(ByteBuf in, Consumer<FastCgiEvent> out) {
        while (in.isReadable()) {
            switch (state) {
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                case HEADER -> {
                    if (!readHeader(in, out)) {
                        return;
                    }
                }
                case CONTENT -> {
                    if (!readContent(in, out)) {
                        return;
                    }
                }
                case PADDING -> {
                    int n = Math.min(paddingLeft, in.readableBytes());
                    in.skipBytes(n);
                    paddingLeft -= n;
                    if (paddingLeft == 0) {
                        state = State.HEADER;
                    }
                }
            }
        }
    }

    /** Releases partial PARAMS streams; no events after this. */
    public void release() {
        params.values().forEach(ByteBuf::release);
        params.clear();
        paramsBytes = 0;
        state = State.FAILED;
    }

    private boolean readHeader(ByteBuf in, Consumer<FastCgiEvent> out) {
        if (in.readableBytes() < FastCgi.HEADER_BYTES) {
            return false;
        }
        int version = in.readUnsignedByte();
        type = in.readUnsignedByte();
        id = in.readUnsignedShort();
        contentLeft = in.readUnsignedShort();
        paddingLeft = in.readUnsignedByte();
        in.skipBytes(1);
        if (version != FastCgi.VERSION_1) {
            return fail(out, "FastCGI record of version " + version);
        }
        String problem = headerProblem();
        if (problem != null) {
            return fail(out, problem);
        }
        state = State.CONTENT;
        if (contentLeft == 0) {
            return finishRecord(in, out, true);
        }
        return true;
    }

    /** Checks of the header alone: request id and fixed content lengths. */
    private String headerProblem() {
        boolean management = type == FastCgi.GET_VALUES || type == FastCgi.GET_VALUES_RESULT
                || type == FastCgi.UNKNOWN_TYPE;
        if (type >= FastCgi.BEGIN_REQUEST && type <= FastCgi.UNKNOWN_TYPE
                && management != (id == FastCgi.NULL_REQUEST_ID)) {
            return management ? "FastCGI management record of type " + type + " with request id " + id
                    : "FastCGI record of type " + type + " with request id 0";
        }
        int fixed = switch (type) {
            case FastCgi.BEGIN_REQUEST, FastCgi.END_REQUEST, FastCgi.UNKNOWN_TYPE -> 8;
            case FastCgi.ABORT_REQUEST -> 0;
            default -> -1;
        };
        if (fixed >= 0 && contentLeft != fixed) {
            return "FastCGI record of type " + type + " with " + contentLeft + " content bytes instead of " + fixed;
        }
        if (type == FastCgi.PARAMS && paramsBytes + (long) contentLeft > maxParamsBytes) {
            return "FastCGI params over " + maxParamsBytes + " bytes";
        }
        return null;
    }

    private boolean readContent(ByteBuf in, Consumer<FastCgiEvent> out) {
        switch (type) {
            case FastCgi.STDIN, FastCgi.STDOUT, FastCgi.STDERR -> {
                int n = Math.min(contentLeft, in.readableBytes());
                ByteBuf data = in.readRetainedSlice(n);
                contentLeft -= n;
                out.accept(switch (type) {
                    case FastCgi.STDIN -> new FastCgiEvent.Stdin(id, data);
                    case FastCgi.STDOUT -> new FastCgiEvent.Stdout(id, data);
                    default -> new FastCgiEvent.Stderr(id, data);
                });
                return contentLeft > 0 || finishRecord(in, out, false);
            }
            case FastCgi.BEGIN_REQUEST, FastCgi.END_REQUEST, FastCgi.PARAMS, FastCgi.GET_VALUES -> {
                if (in.readableBytes() < contentLeft) {
                    return false;
                }
                return finishRecord(in, out, false);
            }
            default -> {
                int n = Math.min(contentLeft, in.readableBytes());
                in.skipBytes(n);
                contentLeft -= n;
                return contentLeft > 0 || finishRecord(in, out, false);
            }
        }
    }

    /**
     * The record's content is readable in full (whole-read types) or consumed (streamed and skipped types):
     * interprets it and moves on to the padding. {@code empty}: the record had no content.
     */
    private boolean finishRecord(ByteBuf in, Consumer<FastCgiEvent> out, boolean empty) {
        int start = in.readerIndex();
        FastCgiEvent event = switch (type) {
            case FastCgi.BEGIN_REQUEST -> new FastCgiEvent.BeginRequest(id, in.getUnsignedShort(start),
                    in.getUnsignedByte(start + 2));
            case FastCgi.ABORT_REQUEST -> new FastCgiEvent.AbortRequest(id);
            case FastCgi.END_REQUEST -> endRequest(in, start, out);
            case FastCgi.PARAMS -> params(in, start, out);
            case FastCgi.STDIN -> empty ? new FastCgiEvent.StdinEnd(id) : null;
            case FastCgi.STDOUT, FastCgi.STDERR -> null;
            case FastCgi.GET_VALUES -> getValues(in, start, out);
            default -> new FastCgiEvent.OtherRecord(type, id);
        };
        if (state == State.FAILED) {
            return false;
        }
        in.skipBytes(contentLeft); // whole-read types; streamed and skipped ones have none left
        contentLeft = 0;
        state = paddingLeft > 0 ? State.PADDING : State.HEADER;
        if (event != null) {
            out.accept(event);
        }
        return true;
    }

    private FastCgiEvent endRequest(ByteBuf in, int start, Consumer<FastCgiEvent> out) {
        int protocolStatus = in.getUnsignedByte(start + 4);
        if (protocolStatus > FastCgi.UNKNOWN_ROLE) {
            fail(out, "FastCGI END_REQUEST with protocol status " + protocolStatus);
            return null;
        }
        return new FastCgiEvent.EndRequest(id, in.getInt(start), protocolStatus);
    }

    private FastCgiEvent params(ByteBuf in, int start, Consumer<FastCgiEvent> out) {
        if (contentLeft > 0) {
            ByteBuf pending = params.get(id);
            if (pending == null) {
                pending = alloc.buffer(contentLeft);
                params.put(id, pending);
            }
            pending.writeBytes(in, start, contentLeft);
            paramsBytes += contentLeft;
            return null;
        }
        ByteBuf pending = params.remove(id);
        SequencedMap<String, String> pairs = NameValuePairs.newMap();
        if (pending != null) {
            paramsBytes -= pending.readableBytes();
            String problem = NameValuePairs.read(pending, pending.readerIndex(), pending.writerIndex(), pairs);
            pending.release();
            if (problem != null) {
                fail(out, "FastCGI params: " + problem);
                return null;
            }
        }
        return new FastCgiEvent.Params(id, pairs);
    }

    private FastCgiEvent getValues(ByteBuf in, int start, Consumer<FastCgiEvent> out) {
        SequencedMap<String, String> pairs = NameValuePairs.newMap();
        String problem = NameValuePairs.read(in, start, start + contentLeft, pairs);
        if (problem != null) {
            fail(out, "FastCGI GET_VALUES: " + problem);
            return null;
        }
        return new FastCgiEvent.GetValues(List.copyOf(pairs.sequencedKeySet()));
    }

    /** Reports {@code why} once and stops: partial params are released, later input is skipped. */
    private boolean fail(Consumer<FastCgiEvent> out, String why) {
        params.values().forEach(ByteBuf::release);
        params.clear();
        paramsBytes = 0;
        state = State.FAILED;
        out.accept(new FastCgiEvent.Malformed(why));
        return false;
    }
}
