package io.lightgate.http;

/** Request-target forms (RFC 9112 §3.2). */
public final class RequestTarget {
    private RequestTarget() { }

    /**
     * The origin form ("/path?query") of an absolute-form target ({@code http://host:port/path?query}); an
     * origin-form target, "*" and an authority-form target are returned as they are.
     */
    public static String originForm(String target) {
        if (target.isEmpty() || target.charAt(0) == '/') {
            return target;
        }
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            return target;
        }
        for (int i = scheme + 3; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/') {
                return target.substring(i);
            }
            if (c == '?') {
                return "/" + target.substring(i);
            }
        }
        return "/";
    }
}
