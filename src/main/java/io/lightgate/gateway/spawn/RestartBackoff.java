package io.lightgate.gateway.spawn;

import java.time.Duration;

/**
 * How long to wait before restarting one proc: zero after a healthy run, then the first delay doubling up to the
 * maximum for every further death that follows a short run (see {@link SupervisionTimings}).
 */
final class RestartBackoff {
    private final SupervisionTimings timings;
    /** Deaths since the last run that lasted {@code healthyAfter}. */
    private int quickDeaths;

    RestartBackoff(SupervisionTimings timings) {
        this.timings = timings;
    }

    /** Records a death after {@code ranFor} (zero when the spawn itself failed) and returns the delay. */
    Duration delayAfterDeath(Duration ranFor) {
        if (ranFor.compareTo(timings.healthyAfter()) >= 0) {
            quickDeaths = 0;
        }
        quickDeaths++;
        if (quickDeaths == 1) {
            return Duration.ZERO;
        }
        int doublings = Math.min(quickDeaths - 2, 30);
        Duration delay = timings.firstRestartDelay().multipliedBy(1L << doublings);
        return delay.compareTo(timings.maxRestartDelay()) > 0 ? timings.maxRestartDelay() : delay;
    }
}
