package io.lightgate.gateway.spawn;

import java.time.Duration;

/**
 * The clocks of a {@link ProcessGroup}.
 *
 * <p>Restarts use an exponential back-off instead of lighttpd's fixed one per second: the first death after a
 * healthy run is restarted at once (a one-off crash costs no downtime), each further death that follows a short
 * run waits {@code firstRestartDelay}, then twice as long, and so on up to {@code maxRestartDelay}; a child
 * that ran for {@code healthyAfter} resets the sequence. A program that can never start thus costs a spawn
 * every 30 s instead of one per second, and a flapping one is still retried quickly at first.
 *
 * <p>Stopping escalates as lighttpd does: {@code kill-signal} to the process group at once, again after
 * {@code repeatKillSignalAfter}, SIGTERM after {@code terminateAfter}, SIGKILL after {@code killAfter}.
 *
 * @param startupCheck how long {@link ProcessGroup#start} watches the new children; one that exits within it
 *                     fails start-up (lighttpd looks after ~1 ms; we allow 10 ms so that the exit is seen
 *                     through the event loop)
 */
public record SupervisionTimings(Duration startupCheck, Duration firstRestartDelay, Duration maxRestartDelay,
                                 Duration healthyAfter, Duration repeatKillSignalAfter, Duration terminateAfter,
                                 Duration killAfter) {

    /** 10 ms start-up check; back-off 0, 1, 2, 4 ... 30 s, reset after 10 s up; stop escalation 5/9/17 s. */
    public static final SupervisionTimings DEFAULTS = new SupervisionTimings(Duration.ofMillis(10),
            Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofSeconds(5), Duration.ofSeconds(9), Duration.ofSeconds(17));

    public SupervisionTimings {
        requireNonNegative("startupCheck", startupCheck);
        requireNonNegative("firstRestartDelay", firstRestartDelay);
        requireNonNegative("healthyAfter", healthyAfter);
        if (maxRestartDelay.compareTo(firstRestartDelay) < 0) {
            throw new IllegalArgumentException("maxRestartDelay is shorter than firstRestartDelay");
        }
        requireNonNegative("repeatKillSignalAfter", repeatKillSignalAfter);
        if (terminateAfter.compareTo(repeatKillSignalAfter) < 0 || killAfter.compareTo(terminateAfter) < 0) {
            throw new IllegalArgumentException("stop escalation must be in order: repeat <= terminate <= kill");
        }
    }

    private static void requireNonNegative(String name, Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " is negative");
        }
    }
}
