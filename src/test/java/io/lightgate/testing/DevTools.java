package io.lightgate.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A Chrome DevTools Protocol connection over the JDK WebSocket client: {@link #call} sends a command (to the
 * browser, or to an attached target's flat session) and waits for its reply; events go to listeners.
 */
final class DevTools implements AutoCloseable {
    private final HttpClient http;
    private final WebSocket socket;
    private final Receiver receiver;
    private final AtomicInteger nextId = new AtomicInteger(1);

    private DevTools(HttpClient http, WebSocket socket, Receiver receiver) {
        this.http = http;
        this.socket = socket;
        this.receiver = receiver;
    }

    static DevTools connect(URI browserUrl, Duration timeout) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        Receiver receiver = new Receiver();
        try {
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(timeout)
                    .buildAsync(browserUrl, receiver).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new DevTools(http, ws, receiver);
        } catch (ExecutionException | TimeoutException e) {
            http.close();
            throw new IOException("DevTools: cannot connect to " + browserUrl, e);
        } catch (InterruptedException e) {
            http.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Called with every event (a message without an id): its method, params and sessionId (or null). */
    void onEvent(Consumer<Map<String, Object>> listener) {
        receiver.listeners.add(listener);
    }

    /**
     * Sends {@code method} with {@code paramsJson} (a JSON object text) to {@code sessionId} (null: the
     * browser) and returns the reply's result; a protocol error or no reply in time is an IOException.
     */
    Map<String, Object> call(String method, String paramsJson, String sessionId, Duration timeout)
            throws IOException {
        int id = nextId.getAndIncrement();
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        receiver.pending.put(id, reply);
        if (receiver.closed.isDone()) {
            reply.completeExceptionally(new IOException("DevTools connection closed"));
        }
        String message = "{\"id\":" + id + ",\"method\":" + Json.quote(method) + ",\"params\":" + paramsJson
                + (sessionId == null ? "" : ",\"sessionId\":" + Json.quote(sessionId)) + "}";
        try {
            // The JDK client allows one outstanding send; join keeps callers from overlapping.
            synchronized (socket) {
                socket.sendText(message, true).join();
            }
            Map<String, Object> answer = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer.get("error") != null) {
                throw new IOException("DevTools " + method + ": " + answer.get("error"));
            }
            return Json.object(answer.getOrDefault("result", Map.of()));
        } catch (ExecutionException | java.util.concurrent.CompletionException e) {
            throw new IOException("DevTools " + method + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("DevTools " + method + ": no reply within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            receiver.pending.remove(id);
        }
    }

    @Override
    public void close() {
        // The browser is killed right after; a close handshake would only wait for it.
        socket.abort();
        http.close();
    }

    /** Reassembles text messages and routes replies by id, events to listeners. */
    private static final class Receiver implements WebSocket.Listener {
        final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
        final List<Consumer<Map<String, Object>>> listeners = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                dispatch(Json.object(Json.parse(text)));
            }
            ws.request(1);
            return null;
        }

        private void dispatch(Map<String, Object> message) {
            if (message.get("id") instanceof Double id) {
                CompletableFuture<Map<String, Object>> f = pending.get(id.intValue());
                if (f != null) {
                    f.complete(message);
                }
                return;
            }
            for (Consumer<Map<String, Object>> l : listeners) {
                l.accept(message);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            failAll(new IOException("DevTools connection closed: " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            failAll(error);
        }

        private void failAll(Throwable why) {
            closed.complete(null);
            pending.values().forEach(f -> f.completeExceptionally(why));
        }
    }
}
