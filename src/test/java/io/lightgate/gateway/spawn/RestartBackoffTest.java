package io.lightgate.gateway.spawn;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestartBackoffTest {
    private static final Duration SHORT_RUN = Duration.ofMillis(200);

    @Test
    void defaultsGiveZeroThenOneTwoFourSecondsCappedAtThirty() {
        RestartBackoff backoff = new RestartBackoff(SupervisionTimings.DEFAULTS);
        List<Long> seconds = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            seconds.add(backoff.delayAfterDeath(SHORT_RUN).toSeconds());
        }
        assertThat(seconds).containsExactly(0L, 1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    }

    @Test
    void aHealthyRunResetsTheSequence() {
        RestartBackoff backoff = new RestartBackoff(SupervisionTimings.DEFAULTS);
        backoff.delayAfterDeath(SHORT_RUN);
        backoff.delayAfterDeath(SHORT_RUN);
        assertThat(backoff.delayAfterDeath(SHORT_RUN)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delayAfterDeath(Duration.ofSeconds(10))).as("ran for healthyAfter").isZero();
        assertThat(backoff.delayAfterDeath(SHORT_RUN)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delayAfterDeath(Duration.ofSeconds(9))).as("just short of healthy")
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aVeryLongCrashLoopStaysAtTheMaximum() {
        RestartBackoff backoff = new RestartBackoff(SupervisionTimings.DEFAULTS);
        Duration last = null;
        for (int i = 0; i < 10_000; i++) {
            last = backoff.delayAfterDeath(Duration.ZERO);
        }
        assertThat(last).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void timingsOutOfOrderAreRefused() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new SupervisionTimings(s, Duration.ofSeconds(2), s, s, s, s, s))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRestartDelay");
        assertThatThrownBy(() -> new SupervisionTimings(s, s, s, s, Duration.ofSeconds(3), s, s))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("escalation");
        assertThatThrownBy(() -> new SupervisionTimings(Duration.ofMillis(-1), s, s, s, s, s, s))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startupCheck");
    }
}
