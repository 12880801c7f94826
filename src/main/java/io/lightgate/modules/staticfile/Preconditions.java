package io.lightgate.modules.staticfile;

/**
 * Conditional request evaluation for a static file, as lighttpd does it
 * (http-header-glue.c: http_response_handle_cachable, http_range.c): If-None-Match first (weak
 * comparison unless the request has a Range), If-Modified-Since only without If-None-Match and only
 * for GET/HEAD; If-Range compares exactly with the ETag or the Last-Modified text.
 */
public final class Preconditions {
    private Preconditions() { }

    public enum Result { PROCEED, NOT_MODIFIED, PRECONDITION_FAILED }

    /**
     * @param getOrHead    whether the method is GET or HEAD (others get 412 where GET would get 304)
     * @param hasRange     whether the request has a Range header (forbids weak comparison)
     * @param lastModified the Last-Modified text sent with the response
     */
    public static Result evaluate(boolean getOrHead, boolean hasRange, String ifNoneMatch, String ifModifiedSince,
                                  String etag, String lastModified, long mtimeSeconds) {
        if (ifNoneMatch != null) {
            if (ETags.matches(etag, ifNoneMatch, !hasRange)) {
                return getOrHead ? Result.NOT_MODIFIED : Result.PRECONDITION_FAILED;
            }
            return Result.PROCEED;
        }
        if (getOrHead && ifModifiedSince != null) {
            if (ifModifiedSince.equals(lastModified)) {
                return Result.NOT_MODIFIED;
            }
            Long since = HttpDates.parse(ifModifiedSince);
            if (since != null && mtimeSeconds <= since) {
                return Result.NOT_MODIFIED;
            }
        }
        return Result.PROCEED;
    }

    /** Whether a Range may be honoured under {@code ifRange} (null: no If-Range, so yes). */
    public static boolean ifRangeHolds(String ifRange, String etag, String lastModified) {
        if (ifRange == null) {
            return true;
        }
        if (ifRange.startsWith("\"")) {
            return ifRange.equals(etag);
        }
        return ifRange.equals(lastModified);
    }
}
