package io.lightgate.http;

/** The core's side of an {@link Exchange}: what the pipeline sets besides what modules see. */
public interface CoreExchange extends Exchange {
    void pathInfo(String pathInfo);

    /** True once a response, an error or an upgrade was started. */
    boolean answered();
}
