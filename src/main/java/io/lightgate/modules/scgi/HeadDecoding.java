package io.lightgate.modules.scgi;

/** What a request-head decoder reports for the bytes it has seen so far. */
public sealed interface HeadDecoding {

    /** The head is not complete yet: feed more bytes. */
    record NeedMore() implements HeadDecoding { }

    /** The head is complete; the input's reader index stands on the first body byte. */
    record Decoded(GatewayHead head) implements HeadDecoding { }

    /** The input is not a valid head; {@code why} says where. The decoder reports this from now on. */
    record Malformed(String why) implements HeadDecoding { }

    HeadDecoding NEED_MORE = new NeedMore();
}
