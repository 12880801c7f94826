package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Predicate;

/** A seed config with only its paths and ports substituted, and the proof that nothing else changed. */
final class SeedConfigText {
    private SeedConfigText() { }

    /** {@code text} with its one occurrence of {@code from} replaced; fails when {@code from} is absent or repeated. */
    static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        assertThat(at).as("the seed config contains %s", from).isNotNegative();
        assertThat(text.indexOf(from, at + 1)).as("the seed config contains %s only once", from).isNegative();
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    /** Line by line: exactly {@code count} lines, those {@code substitutedLine} picks, differ; the rest are the seed's. */
    static void assertOnlyLinesChanged(String original, String substituted, Predicate<String> substitutedLine,
                                       int count) {
        List<String> before = original.lines().toList();
        List<String> after = substituted.lines().toList();
        assertThat(after).hasSameSizeAs(before);
        int changed = 0;
        for (int i = 0; i < before.size(); i++) {
            String b = before.get(i);
            if (substitutedLine.test(b)) {
                assertThat(after.get(i)).as("line %d was substituted", i + 1).isNotEqualTo(b);
                changed++;
            } else {
                assertThat(after.get(i)).as("line %d unchanged", i + 1).isEqualTo(b);
            }
        }
        assertThat(changed).isEqualTo(count);
    }
}
