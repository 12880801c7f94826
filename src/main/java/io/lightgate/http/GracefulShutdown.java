package io.lightgate.http;

/**
 * User event fired into every connection's pipeline. {@link #INSTANCE} on SIGINT: finish the request in flight,
 * then close (keep-alive ends); upgraded streams see it as the client's end of input (lighttpd: tunnels get
 * FIN). {@link #RESTART} on SIGUSR1: HTTP connections do the same, but upgraded streams are left alone, so a
 * config reload does not cut open WebSockets (lighttpd ends them as on shutdown).
 */
public enum GracefulShutdown {
    INSTANCE,
    RESTART
}
