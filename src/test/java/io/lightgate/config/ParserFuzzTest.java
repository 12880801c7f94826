package io.lightgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random token soup and random characters: the parser either returns a tree or throws ConfigException, never
 * anything else; a tree it returns validates, evaluates, and prints to text that parses to the same print.
 * Seeded, so a failure is reproducible; include_shell is left out of the vocabulary (it runs commands).
 */
class ParserFuzzTest {
    private static final String[] VOCABULARY = {
        "\n", "\n", " ", "\t", "\u00a0", "# c\n", "a", "x.y", "server.port", "var.z", "env.PATH", "env.NOPE_NOPE",
        "var.CWD", "1", "80", "99999999999999999999", "\"s\"", "\"/ws/\"", "\"^/a(\"", "\"10.0.0.0/8\"", "\"a\\\"b\"",
        "\"", "\\", "=", "+=", ":=", "+", "=>", ",", "(", ")", "{", "}", "[", "]", "$", "$HTTP", "$SERVER",
        "$REQUEST_HEADER", "[\"url\"]", "[\"host\"]", "[\"remote-ip\"]", "[\"socket\"]", "==", "!=", "=~", "!~",
        "=^", "=$", "else", "elif", "else if", "if", "global", "include", "\"*.conf\"", "\"nofile\"", "config",
        "@", "\r", "-1", "( \"k\" => 1 )", "(1, 2)",
    };

    @TempDir
    Path dir;

    @Test
    void tokenSoupNeverThrowsAnythingButConfigException() throws Exception {
        SplittableRandom random = new SplittableRandom(20240611L);
        int parsed = 0;
        for (int i = 0; i < 20000; i++) {
            StringBuilder text = new StringBuilder();
            int n = random.nextInt(1, 30);
            for (int j = 0; j < n; j++) {
                text.append(VOCABULARY[random.nextInt(VOCABULARY.length)]).append(random.nextInt(3) == 0 ? " " : "");
            }
            if (check(text.toString())) {
                parsed++;
            }
        }
        assertThat(parsed).as("some soups must parse, or the test proves little").isGreaterThan(100);
    }

    @Test
    void randomCharactersNeverThrowAnythingButConfigException() throws Exception {
        SplittableRandom random = new SplittableRandom(7L);
        String alphabet = "ab.=+:~^$!#\"\\(){}[],> \n\r\t09-_\u00a0\u00e9";
        for (int i = 0; i < 20000; i++) {
            StringBuilder text = new StringBuilder();
            int n = random.nextInt(0, 40);
            for (int j = 0; j < n; j++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            check(text.toString());
        }
    }

    /** Parses; on success checks the other stages. Any exception but ConfigException fails the test. */
    private boolean check(String text) throws Exception {
        ConfigTree tree;
        try {
            tree = ConfigParser.parseText("fuzz.conf", text, dir);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith("fuzz.conf:");
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("parser threw " + e + " for: " + text, e);
        }
        String printed = tree.print();
        try {
            assertThat(ConfigParser.parseText("printed", printed, dir).print()).as(text).isEqualTo(printed);
        } catch (ConfigException e) {
            throw new AssertionError("print output did not parse: " + e.getMessage() + "\n" + printed + "\nfrom: " + text, e);
        }
        Configuration c;
        try {
            c = tree.validate(List.of(io.lightgate.server.ServerKeys.PORT), w -> { });
        } catch (ConfigException e) {
            return true; // a typed mismatch is a valid answer
        }
        c.evaluate(new Facts("/ws/", "host:1", "10.1.2.3", "http", "", "GET", Map.of(), ":80")).captures();
        return true;
    }
}
