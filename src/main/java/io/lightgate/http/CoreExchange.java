package io.lightgate.http;

/** The core's side of an {@link Exchange}: what the pipeline sets besides what modules see. */
public interface CoreExchange extends Exchange {
    void pathInfo(String pathInfo);

    /** True once a response, an error or an upgrade was started. */
    boolean answered();

    /** Where the {@link RequestPipeline} is for this request: it records it before each hook call. */
    void hookPosition(int position);

    int hookPosition();
}
