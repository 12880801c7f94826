package io.lightgate.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Reason phrases as lighttpd prints them, and lighttpd's small XHTML error page. */
public final class HttpStatus {
    private HttpStatus() { }

    // Where lighttpd's phrase differs from Netty's (older RFC 2616 names).
    private static final Map<Integer, String> LIGHTTPD_PHRASES = Map.of(
            413, "Payload Too Large",
            414, "URI Too Long",
            416, "Range Not Satisfiable",
            422, "Unprocessable Entity");

    public static String reason(int status) {
        String p = LIGHTTPD_PHRASES.get(status);
        return p != null ? p : HttpResponseStatus.valueOf(status).reasonPhrase();
    }

    /** lighttpd's error page for {@code status} (Content-Type text/html). */
    public static String errorPage(int status) {
        String title = status + " " + reason(status);
        return "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
                + "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
                + "         \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
                + "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
                + " <head>\n"
                + "  <title>" + title + "</title>\n"
                + " </head>\n"
                + " <body>\n"
                + "  <h1>" + title + "</h1>\n"
                + " </body>\n"
                + "</html>\n";
    }

    /** A complete error response: status, text/html, lighttpd's page as body. */
    public static Response errorResponse(int status, ByteBufAllocator alloc) {
        byte[] page = errorPage(status).getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf body = alloc.buffer(page.length).writeBytes(page);
        Response r = new Response(status).body(new Response.Bytes(body));
        r.headers().set("Content-Type", "text/html");
        return r;
    }
}
