package io.lightgate.config;

import java.util.Map;

/** A request as conditions see it, for tests. Header names are matched case-insensitively. */
record Facts(String url, String host, String remoteIp, String scheme, String queryString, String requestMethod,
        Map<String, String> headers, String serverSocket) implements RequestFacts {

    static Facts get(String url) {
        return new Facts(url, "", "127.0.0.1", "http", "", "GET", Map.of(), ":80");
    }

    Facts withHost(String h) {
        return new Facts(url, h, remoteIp, scheme, queryString, requestMethod, headers, serverSocket);
    }

    Facts withRemoteIp(String ip) {
        return new Facts(url, host, ip, scheme, queryString, requestMethod, headers, serverSocket);
    }

    Facts withHeaders(Map<String, String> h) {
        return new Facts(url, host, remoteIp, scheme, queryString, requestMethod, h, serverSocket);
    }

    Facts withSocket(String s) {
        return new Facts(url, host, remoteIp, scheme, queryString, requestMethod, headers, s);
    }

    Facts withQuery(String q) {
        return new Facts(url, host, remoteIp, scheme, q, requestMethod, headers, serverSocket);
    }

    @Override
    public String header(String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }
}
