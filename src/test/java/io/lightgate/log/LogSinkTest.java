package io.lightgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogSinkTest {

    @Test
    void devStderrIsTheProcessesOwnStandardErrorNotASecondOpen() throws Exception {
        // Load the classes before capturing: when a Jazzer fuzz test ran earlier in this JVM, its agent prints a
        // warning to System.err for each class it cannot instrument (JDK 25 class files) as the class loads.
        LogSink.StandardStream.class.getName();
        LogSink.open("/dev/null").close();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LogSink sink = LogSink.open("/dev/stderr");
            assertThat(sink).isInstanceOf(LogSink.StandardStream.class);
            byte[] line = "127.0.0.1 - - \"GET / HTTP/1.1\" 200 5\n".getBytes(StandardCharsets.US_ASCII);
            sink.write(line, line.length);
            sink.close();
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("127.0.0.1 - - \"GET / HTTP/1.1\" 200 5\n");
    }
}
