package io.lightgate.http;

/**
 * User event fired into every connection's pipeline on SIGINT / SIGUSR1: finish the request in flight, then
 * close (keep-alive ends); upgraded streams see it as the client's end of input (lighttpd: tunnels get FIN).
 */
public enum GracefulShutdown {
    INSTANCE
}
