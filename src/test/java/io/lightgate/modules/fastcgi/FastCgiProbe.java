package io.lightgate.modules.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Feeds bytes to a {@link FastCgiDecoder} in reads of given sizes (a cumulation, as a channel handler keeps one)
 * and records the events as text, data events of one stream merged so that any cut gives the same list. Releases
 * every event; checks that nothing follows a Malformed and that the input's memory comes back.
 */
final class FastCgiProbe implements Consumer<FastCgiEvent> {
    final List<String> events = new ArrayList<>();
    boolean malformed;
    private String lastData;

    @Override
    public void accept(FastCgiEvent event) {
        assertThat(malformed).as("nothing after Malformed: " + event).isFalse();
        try {
            switch (event) {
                case FastCgiEvent.Stdin(int id, ByteBuf data) -> data("Stdin " + id, data);
                case FastCgiEvent.Stdout(int id, ByteBuf data) -> data("Stdout " + id, data);
                case FastCgiEvent.Stderr(int id, ByteBuf data) -> data("Stderr " + id, data);
                case FastCgiEvent.Malformed m -> {
                    malformed = true;
                    add(m.toString());
                }
                default -> add(event.toString());
            }
        } finally {
            event.release();
        }
    }

    private void data(String stream, ByteBuf data) {
        assertThat(data.isReadable()).as("data events are never empty").isTrue();
        String hex = ByteBufUtil.hexDump(data);
        if (stream.equals(lastData)) {
            events.set(events.size() - 1, events.getLast() + hex);
        } else {
            events.add(stream + " " + hex);
            lastData = stream;
        }
    }

    private void add(String event) {
        events.add(event);
        lastData = null;
    }

    /** Decodes {@code input} in reads of {@code sizes} (cycled), then checks a failed decoder stays silent. */
    static FastCgiProbe run(byte[] input, int... sizes) {
        FastCgiDecoder decoder = new FastCgiDecoder(ByteBufAllocator.DEFAULT, 4096);
        FastCgiProbe probe = new FastCgiProbe();
        List<ByteBuf> reads = new ArrayList<>();
        ByteBuf cumulation = Unpooled.buffer(0);
        int at = 0;
        for (int i = 0; at < input.length; i++) {
            int n = Math.min(Math.max(1, sizes[i % sizes.length]), input.length - at);
            ByteBuf next = Unpooled.buffer(cumulation.readableBytes() + n);
            next.writeBytes(cumulation).writeBytes(input, at, n);
            cumulation.release();
            cumulation = next;
            reads.add(next);
            at += n;
            decoder.decode(cumulation, probe);
            assertThat(decoder.hasFailed()).isEqualTo(probe.malformed);
        }
        if (probe.malformed) {
            int count = probe.events.size();
            ByteBuf more = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0105000100000000"));
            decoder.decode(more, probe);
            assertThat(more.isReadable()).isFalse();
            more.release();
            assertThat(probe.events).hasSize(count);
        }
        decoder.release();
        cumulation.release();
        for (ByteBuf read : reads) {
            assertThat(read.refCnt()).as("every slice handed out was released").isZero();
        }
        return probe;
    }
}
