package io.lightgate.http;

/** Takes over a connection once the switching response (101, or 200 for HTTP/2 CONNECT) has been sent. */
@FunctionalInterface
public interface UpgradeHandler {
    void upgraded(ByteStream client);
}
