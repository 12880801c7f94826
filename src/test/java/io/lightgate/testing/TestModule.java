package io.lightgate.testing;

import io.lightgate.http.ByteStream;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.Response;
import io.lightgate.http.UpgradeHandler;
import io.lightgate.server.ModuleRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A test-scope module ("mod_test") that answers in the uri-clean hook:
 * {@code /echo...} -> 200 "METHOD path query" (text/plain); {@code /slow} -> the same after 1 s;
 * {@code /upgrade} with an Upgrade header -> 101 and an echo of every byte, half-closing when the client does;
 * {@code /thread} -> 200 with the name of the thread running the hook (the connection's event loop);
 * {@code /late-upgrade} -> 101 after 0.5 s, recording in UPGRADES whether it happened or was refused;
 * {@code /inject} -> 200 with headers a careless module might set: a value with CR LF and a further
 * "header" in it, a value with NUL, a name with a space, and one valid header after them;
 * {@code /body-echo}, {@code /body-count}, {@code /stream}: streamed bodies, see {@link BodyRoutes}.
 * Every requestDone is recorded.
 */
public final class TestModule implements Module {
    public static final List<String> DONE = new CopyOnWriteArrayList<>();
    /** What became of each /late-upgrade: "upgraded" or "refused". */
    public static final List<String> UPGRADES = new CopyOnWriteArrayList<>();

    public static ModuleRegistry registry() {
        return ModuleRegistry.builtIn().register("mod_test", TestModule::new);
    }

    @Override
    public String name() {
        return "mod_test";
    }

    @Override
    public Hook uriClean(Exchange ex) {
        String path = ex.request().path();
        if (BodyRoutes.handle(ex)) {
            return Hook.HANDLED;
        }
        if (path.startsWith("/echo")) {
            ex.respond(text(ex));
            return Hook.HANDLED;
        }
        if (path.equals("/slow")) {
            ex.eventLoop().schedule(() -> ex.respond(text(ex)), 1, TimeUnit.SECONDS);
            return Hook.HANDLED;
        }
        if (path.equals("/thread")) {
            ex.respond(plain(Thread.currentThread().getName()));
            return Hook.HANDLED;
        }
        if (path.equals("/inject")) {
            Response r = plain("injected?");
            r.headers().set("X-Split", "a\r\nInjected: b");
            r.headers().set("X-Nul", "a\u0000b");
            r.headers().set("X Space", "c");
            r.headers().set("X-Wide", "\u0100");
            r.headers().set("X-Fine", "d\te");
            ex.respond(r);
            return Hook.HANDLED;
        }
        if (path.equals("/upgrade") && ex.request().headers().contains("Upgrade")) {
            Response switching = new Response(101);
            switching.headers().set("Upgrade", ex.request().headers().get("Upgrade"));
            ex.upgrade(switching, TestModule::echo);
            return Hook.HANDLED;
        }
        if (path.equals("/late-upgrade")) {
            // upgrades half a second later, as a gateway module does once its backend connected
            ex.eventLoop().schedule(() -> {
                Response switching = new Response(101);
                switching.headers().set("Upgrade", "test");
                ex.upgrade(switching, UpgradeHandler.of(c -> { UPGRADES.add("upgraded"); echo(c); },
                        () -> UPGRADES.add("refused")));
            }, 500, TimeUnit.MILLISECONDS);
            return Hook.HANDLED;
        }
        return Hook.GO_ON;
    }

    private static Response text(Exchange ex) {
        return plain(ex.request().method() + " " + ex.request().path() + " " + ex.request().query());
    }

    private static Response plain(String body) {
        Response r = new Response(200).body(new Response.Bytes(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
        r.headers().set("Content-Type", "text/plain");
        return r;
    }

    private static void echo(ByteStream client) {
        client.listen(new ByteStream.Listener() {
            @Override
            public void onData(ByteBuf data) {
                client.write(data);
                client.flush();
            }

            @Override
            public void onEndOfInput() {
                client.shutdownOutput();
            }

            @Override
            public void onWritabilityChanged(boolean writable) {
                client.setReadable(writable);
            }

            @Override
            public void onClosed() { }
        });
    }

    @Override
    public void requestDone(Exchange ex, Response response, long bytesIn, long bytesOut) {
        DONE.add(ex.request().method() + " " + ex.request().target() + " " + response.status());
    }
}
