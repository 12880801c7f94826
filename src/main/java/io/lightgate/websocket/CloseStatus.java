package io.lightgate.websocket;

/** RFC 6455 §7.4 close codes: the ones we send, and which codes a peer may put in a close frame. */
public final class CloseStatus {
    private CloseStatus() { }

    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    /** Reserved: "no status code present"; never on the wire. */
    public static final int NO_STATUS = 1005;
    /** Reserved: "closed abnormally"; never on the wire. */
    public static final int ABNORMAL = 1006;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int MANDATORY_EXTENSION = 1010;
    public static final int INTERNAL_ERROR = 1011;

    /**
     * Whether a peer may send {@code code} in a close frame: 1000-1003, 1007-1014 (RFC 6455 and the IANA
     * registry: 1012 restart, 1013 try again later, 1014 bad gateway), and 3000-4999 (registered and
     * private use). 1004-1006, 1015 and everything else below 3000 or above 4999 are invalid (-> 1002).
     */
    public static boolean isValidOnTheWire(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }
}
