/**
 * Spawning and supervising {@code bin-path} backends as lighttpd's gw_backend does (reference §2.6): a
 * {@link io.lightgate.gateway.spawn.ProcessGroup} per host starts one child per proc from a
 * {@link io.lightgate.gateway.spawn.SpawnSpec} with a listening socket as fd 0, reaps it through its pidfd on a
 * Netty event loop, restarts it with exponential back-off ({@link io.lightgate.gateway.spawn.SupervisionTimings})
 * and stops it with kill-signal and escalation.
 */
package io.lightgate.gateway.spawn;
