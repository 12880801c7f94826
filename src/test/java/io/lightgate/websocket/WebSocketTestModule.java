package io.lightgate.websocket;

import io.lightgate.http.ByteStream;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.Response;
import io.lightgate.server.ModuleRegistry;
import io.netty.buffer.ByteBuf;

/**
 * A test-scope module ("mod_wstest") that performs the RFC 6455 handshake on {@code /ws/...} and serves the
 * connection through {@link WebSocketStream}, standing in for a backend:
 * {@code /ws/echo} echoes the payload; {@code /ws/end} echoes the first read then ends its output (as a backend
 * EOF: CLOSE 1001); {@code /ws/abort} ends abnormally at the first read (as a backend error: CLOSE 1011).
 * Query flags: {@code binary} (binary frames), {@code split} (echo byte by byte, one write each, to split UTF-8
 * sequences), {@code ping=N} (ping interval), {@code linger=MS} (wait for the client's CLOSE that long).
 * Text output that had to go out as binary is logged once as "(mod_wstest) not UTF-8".
 */
final class WebSocketTestModule implements Module {

    static ModuleRegistry registry() {
        return ModuleRegistry.builtIn().register("mod_wstest", WebSocketTestModule::new);
    }

    static final String CONFIG = "server.modules = (\"mod_wstest\")\n";

    @Override
    public String name() {
        return "mod_wstest";
    }

    @Override
    public Hook uriClean(Exchange ex) {
        String path = ex.request().path();
        if (!path.startsWith("/ws/")) {
            return Hook.GO_ON;
        }
        var headers = ex.request().headers();
        String key = headers.get("Sec-WebSocket-Key");
        if (!Handshake.hasToken(headers.get("Upgrade"), "websocket") || !Handshake.isValidKey(key)) {
            ex.respondError(400);
            return Hook.HANDLED;
        }
        String query = ex.request().query() == null ? "" : ex.request().query();
        WebSocketStream.Options options = WebSocketStream.Options.of(ex.config())
                .withBinary(flag(query, "binary"))
                .withPingInterval(number(query, "ping", 0))
                .withOnNotUtf8(() -> ex.errorLog().write("mod_wstest", "not UTF-8: sent as a binary frame"));
        int linger = number(query, "linger", -1);
        if (linger >= 0) {
            options = new WebSocketStream.Options(options.binary(), options.pingIntervalSeconds(),
                    options.maxReadIdleSeconds(), linger, options.onNotUtf8());
        }
        Response switching = new Response(101);
        switching.headers().set("Upgrade", "websocket");
        switching.headers().set("Sec-WebSocket-Accept", Handshake.acceptValue(key));
        WebSocketStream.Options chosen = options;
        boolean split = flag(query, "split");
        ex.upgrade(switching, client -> serve(path, new WebSocketStream(client, chosen), split));
        return Hook.HANDLED;
    }

    private static void serve(String path, WebSocketStream ws, boolean split) {
        ws.listen(new ByteStream.Listener() {
            @Override
            public void onData(ByteBuf data) {
                switch (path) {
                    case "/ws/abort" -> {
                        data.release();
                        ws.closeAbnormally();
                    }
                    case "/ws/end" -> {
                        ws.write(data);
                        ws.flush();
                        ws.shutdownOutput();
                    }
                    default -> {
                        if (split) {
                            while (data.isReadable()) {
                                ws.write(data.readRetainedSlice(1));
                                ws.flush();
                            }
                            data.release();
                        } else {
                            ws.write(data);
                            ws.flush();
                        }
                    }
                }
            }

            @Override
            public void onEndOfInput() {
                ws.shutdownOutput();
            }

            @Override
            public void onWritabilityChanged(boolean writable) {
                ws.setReadable(writable);
            }

            @Override
            public void onClosed() { }
        });
    }

    private static boolean flag(String query, String name) {
        for (String part : query.split("&")) {
            if (part.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static int number(String query, String name, int otherwise) {
        for (String part : query.split("&")) {
            if (part.startsWith(name + "=")) {
                return Integer.parseInt(part.substring(name.length() + 1));
            }
        }
        return otherwise;
    }
}
