package io.lightgate.http;

import io.lightgate.config.RequestFacts;
import io.netty.handler.codec.http.HttpHeaders;

/** {@link RequestFacts} over parsed request parts. */
public record SimpleRequestFacts(String url, String host, String remoteIp, String scheme, String queryString,
                                 String requestMethod, HttpHeaders headers, String serverSocket)
        implements RequestFacts {
    @Override
    public String header(String name) {
        return headers == null ? null : headers.get(name);
    }
}
