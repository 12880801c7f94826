package io.lightgate.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target for {@link FrameDecoder} (Jazzer). Arbitrary bytes, cut into reads at fuzzer-chosen sizes, are
 * decoded as a server would. Invariants: no exception; nothing is delivered after a violation (it stops the
 * decoder); every buffer handed out is released and the input's reference count comes back to one (no leak);
 * each data frame that completes delivered exactly its declared length; control payloads are at most 125
 * bytes; and the data payload delivered is a prefix of what a naive byte-by-byte reference unmasking of the
 * same frames gives (so word-at-a-time unmasking across read boundaries is right).
 * <p>
 * {@code ./mvnw verify} replays the seeds in {@code src/test/resources/io/lightgate/websocket/
 * FrameDecoderFuzzTestInputs/decode} (regression mode). To fuzz for real (findings land in that directory):
 * {@code JAZZER_FUZZ=1 ./mvnw -B -o test -Dtest=FrameDecoderFuzzTest} (duration: {@code maxDuration} below,
 * or {@code -Djazzer.max_duration=10m}).
 */
class FrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void decode(FuzzedDataProvider data) {
        int firstRead = data.consumeInt(1, 300);
        int step = data.consumeInt(1, 97);
        byte[] input = data.consumeRemainingAsBytes();
        check(input, firstRead, step);
    }

    /**
     * Between fuzzing runs the seeds alone cover little, so CI also checks the same invariants on seeded random
     * mutations of valid frame streams (bit flips, truncation, splices).
     */
    @org.junit.jupiter.api.Test
    void randomMutationsOfValidStreamsKeepTheInvariants() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(6455);
        int clean = 0;
        for (int round = 0; round < 1500; round++) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            int frames = random.nextInt(1, 6);
            for (int f = 0; f < frames; f++) {
                int[] b0s = {0x81, 0x82, 0x89, 0x8A, 0x01, 0x80, 0x00};
                byte[] payload = new byte[random.nextInt(4) == 0 ? random.nextInt(126, 20_000) : random.nextInt(0, 40)];
                for (int i = 0; i < payload.length; i++) {
                    payload[i] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : 'a' + random.nextInt(26));
                }
                stream.writeBytes(RawWebSocket.frame(b0s[random.nextInt(b0s.length)], payload, true));
            }
            byte[] input = stream.toByteArray();
            int mutations = random.nextInt(3);
            for (int m = 0; m < mutations && input.length > 0; m++) {
                int at = random.nextInt(input.length);
                input[at] ^= (byte) (1 << random.nextInt(8));
            }
            if (random.nextInt(4) == 0) {
                input = java.util.Arrays.copyOf(input, random.nextInt(input.length + 1));
            }
            Checker probe = new Checker();
            FrameDecoder decoder = new FrameDecoder(true);
            ByteBuf whole = Unpooled.wrappedBuffer(input);
            decoder.decode(whole, probe);
            whole.release();
            if (probe.violation == 0) {
                clean++;
            }
            check(input, random.nextInt(1, 300), random.nextInt(1, 97));
        }
        assertThat(clean).as("some streams must decode cleanly, or the reference comparison proves little")
                .isGreaterThan(150);
    }

    @org.junit.jupiter.api.Test
    void checkerSeesThePayloadOfAValidStream() {
        byte[] input = concatFrames(RawWebSocket.frame(0x01, "hel".getBytes(), true),
                RawWebSocket.frame(0x89, "p".getBytes(), true), RawWebSocket.frame(0x80, "lo".getBytes(), true));
        assertThat(referencePayload(input)).isEqualTo("hello".getBytes());
        for (int first = 1; first < input.length; first++) {
            check(input, first, first);
        }
    }

    private static byte[] concatFrames(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    /** Decodes {@code input} in reads of varying size and checks every invariant. */
    static void check(byte[] input, int firstRead, int step) {
        FrameDecoder decoder = new FrameDecoder(true);
        Checker checker = new Checker();
        ByteBuf cumulation = Unpooled.wrappedBuffer(new byte[0]);
        List<ByteBuf> reads = new ArrayList<>();
        int at = 0;
        int size = firstRead;
        while (at < input.length) {
            int n = Math.min(size, input.length - at);
            // Like the stream: leftover + next read in one buffer, decoded in place.
            // A plain heap buffer: PARANOID leak tracking of every access would dominate the run time, and the
            // reference counts are checked directly below.
            ByteBuf next = Unpooled.wrappedBuffer(new byte[cumulation.readableBytes() + n]).clear();
            next.writeBytes(cumulation).writeBytes(input, at, n);
            cumulation.release();
            cumulation = next;
            reads.add(next);
            at += n;
            size = 1 + (size * 31 + step) % 1500;
            decoder.decode(cumulation, checker);
            if (checker.violation != 0) {
                assertThat(decoder.hasFailed()).isTrue();
            }
        }
        if (decoder.hasFailed()) {
            int events = checker.events;
            ByteBuf more = Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x80, 0, 0, 0, 0});
            decoder.decode(more, checker);
            more.release();
            assertThat(checker.events).as("a failed decoder stays silent").isEqualTo(events);
        }
        cumulation.release();
        for (ByteBuf read : reads) {
            assertThat(read.refCnt()).as("every slice handed out was released").isZero();
        }
        byte[] reference = referencePayload(input);
        byte[] delivered = checker.data.toByteArray();
        assertThat(delivered.length).isLessThanOrEqualTo(reference.length);
        for (int i = 0; i < delivered.length; i++) {
            if (delivered[i] != reference[i]) {
                throw new AssertionError("payload byte " + i + " differs from the reference unmasking");
            }
        }
    }

    /** Checks the listener-side invariants; releases everything it is given. */
    static final class Checker implements FrameDecoder.Listener {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        int violation;
        int events;
        long declared = -1;
        long received;

        @Override
        public void onDataFrameStart(int messageOpcode, boolean firstOfMessage, boolean fin, long length) {
            event();
            assertThat(declared).as("a frame starts only after the previous one ended").isEqualTo(-1);
            assertThat(messageOpcode).isIn(Opcode.TEXT, Opcode.BINARY);
            assertThat(length).isNotNegative();
            declared = length;
            received = 0;
        }

        @Override
        public void onData(ByteBuf payload) {
            event();
            try {
                assertThat(declared).as("data only inside a frame").isNotEqualTo(-1);
                received += payload.readableBytes();
                assertThat(received).isLessThanOrEqualTo(declared);
                payload.readBytes(data, payload.readableBytes());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            } finally {
                payload.release();
            }
        }

        @Override
        public void onDataFrameEnd(boolean endOfMessage) {
            event();
            assertThat(received).as("payload bytes delivered == frame length").isEqualTo(declared);
            declared = -1;
        }

        @Override
        public void onControlFrame(int opcode, ByteBuf payload) {
            event();
            try {
                assertThat(declared).as("control frames come between data frames' ends").isEqualTo(-1);
                assertThat(opcode).isIn(Opcode.PING, Opcode.PONG, Opcode.CLOSE);
                assertThat(payload.readableBytes()).isLessThanOrEqualTo(125);
            } finally {
                payload.release();
            }
        }

        @Override
        public void onViolation(int closeCode, String reason) {
            event();
            assertThat(closeCode).isIn(CloseStatus.PROTOCOL_ERROR, CloseStatus.INVALID_PAYLOAD);
            violation = closeCode;
        }

        private void event() {
            assertThat(violation).as("nothing after a violation").isZero();
            events++;
        }
    }

    /** Data-frame payload of {@code input}, unmasked byte by byte, frames parsed without any validation. */
    static byte[] referencePayload(byte[] input) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i + 2 <= input.length) {
            int opcode = input[i] & 0x0F;
            boolean masked = (input[i + 1] & 0x80) != 0;
            long length = input[i + 1] & 0x7F;
            i += 2;
            if (length == 126) {
                if (i + 2 > input.length) {
                    break;
                }
                length = ((input[i] & 0xFF) << 8) | (input[i + 1] & 0xFF);
                i += 2;
            } else if (length == 127) {
                if (i + 8 > input.length) {
                    break;
                }
                length = 0;
                for (int k = 0; k < 8; k++) {
                    length = (length << 8) | (input[i + k] & 0xFF);
                }
                i += 8;
            }
            byte[] key = new byte[4];
            if (masked) {
                if (i + 4 > input.length) {
                    break;
                }
                System.arraycopy(input, i, key, 0, 4);
                i += 4;
            }
            if (length < 0) {
                break;
            }
            long available = Math.min(length, input.length - i);
            if (!Opcode.isControl(opcode)) {
                for (int k = 0; k < available; k++) {
                    out.write(input[i + k] ^ key[k & 3]);
                }
            }
            if (available < length) {
                break;
            }
            i += (int) length;
        }
        return out.toByteArray();
    }
}
