package io.lightgate.http;

/** Takes over a connection once the switching response (101, or 200 for HTTP/2 CONNECT) has been sent. */
@FunctionalInterface
public interface UpgradeHandler {
    void upgraded(ByteStream client);

    /**
     * The upgrade did not happen: the client left before the switching response could be sent, or the core had
     * already refused the request. Release what was prepared for the stream (a connected backend above all).
     * Called on the connection's event loop, instead of {@link #upgraded}.
     */
    default void refused() { }

    /** A handler that runs {@code onUpgrade} with the stream, or {@code onRefused} when the upgrade did not happen. */
    static UpgradeHandler of(java.util.function.Consumer<ByteStream> onUpgrade, Runnable onRefused) {
        return new UpgradeHandler() {
            @Override
            public void upgraded(ByteStream client) {
                onUpgrade.accept(client);
            }

            @Override
            public void refused() {
                onRefused.run();
            }
        };
    }
}
