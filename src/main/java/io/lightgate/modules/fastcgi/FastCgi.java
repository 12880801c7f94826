package io.lightgate.modules.fastcgi;

/** FastCGI 1.0 constants: record types, roles, flags, protocol statuses and sizes. */
public final class FastCgi {
    private FastCgi() { }

    public static final int VERSION_1 = 1;
    /** Every record starts with an 8-byte header: version, type, request id (16 bits), content length (16 bits), padding length, reserved. */
    public static final int HEADER_BYTES = 8;
    /** Largest content of one record. */
    public static final int MAX_CONTENT = 0xFFFF;
    /** Request id of management records. */
    public static final int NULL_REQUEST_ID = 0;

    public static final int BEGIN_REQUEST = 1;
    public static final int ABORT_REQUEST = 2;
    public static final int END_REQUEST = 3;
    public static final int PARAMS = 4;
    public static final int STDIN = 5;
    public static final int STDOUT = 6;
    public static final int STDERR = 7;
    public static final int DATA = 8;
    public static final int GET_VALUES = 9;
    public static final int GET_VALUES_RESULT = 10;
    public static final int UNKNOWN_TYPE = 11;

    public static final int RESPONDER = 1;
    public static final int AUTHORIZER = 2;
    public static final int FILTER = 3;

    /** BEGIN_REQUEST flag: the application keeps the connection open after the request. */
    public static final int KEEP_CONN = 1;

    public static final int REQUEST_COMPLETE = 0;
    public static final int CANT_MPX_CONN = 1;
    public static final int OVERLOADED = 2;
    public static final int UNKNOWN_ROLE = 3;

    /** GET_VALUES variable names. */
    public static final String MAX_CONNS = "FCGI_MAX_CONNS";
    public static final String MAX_REQS = "FCGI_MAX_REQS";
    public static final String MPXS_CONNS = "FCGI_MPXS_CONNS";
}
