package io.lightgate.testing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A tab of a {@link Chromium}: evaluates JavaScript in it and records its uncaught exceptions and
 * console.error/warn messages, which {@link #await} quotes when it gives up.
 */
public final class BrowserPage {
    private final DevTools devTools;
    private final String session;
    private final URI url;
    private final List<String> problems = new CopyOnWriteArrayList<>();

    BrowserPage(DevTools devTools, String session, URI url) {
        this.devTools = devTools;
        this.session = session;
        this.url = url;
        devTools.onEvent(this::record);
    }

    private void record(Map<String, Object> event) {
        if (!session.equals(event.get("sessionId"))) {
            return;
        }
        Map<String, Object> params = Json.object(event.getOrDefault("params", Map.of()));
        switch (String.valueOf(event.get("method"))) {
            case "Runtime.exceptionThrown" -> {
                Map<String, Object> details = Json.object(params.get("exceptionDetails"));
                Object exception = details.get("exception") instanceof Map<?, ?> e ? e.get("description") : null;
                problems.add("uncaught: " + (exception != null ? exception : details.get("text")));
            }
            case "Runtime.consoleAPICalled" -> {
                String type = String.valueOf(params.get("type"));
                if (type.equals("error") || type.equals("warning")) {
                    StringBuilder line = new StringBuilder("console." + type + ":");
                    if (params.get("args") instanceof List<?> args) {
                        for (Object a : args) {
                            Map<String, Object> arg = Json.object(a);
                            line.append(' ').append(arg.containsKey("value") ? arg.get("value") : arg.get("description"));
                        }
                    }
                    problems.add(line.toString());
                }
            }
            default -> { }
        }
    }

    /**
     * The value of {@code expression} (returned by value: string, Double, Boolean, null, Map or List). A
     * JavaScript exception is an IOException with its description.
     */
    public Object evaluate(String expression) throws IOException {
        Map<String, Object> r = devTools.call("Runtime.evaluate",
                "{\"expression\":" + Json.quote(expression) + ",\"returnByValue\":true}", session,
                Chromium.CALL_TIMEOUT);
        if (r.get("exceptionDetails") instanceof Map<?, ?> details) {
            Object e = details.get("exception") instanceof Map<?, ?> ex ? ex.get("description") : details.get("text");
            throw new IOException("evaluating " + expression + ": " + e);
        }
        return Json.object(r.get("result")).get("value");
    }

    /**
     * Evaluates {@code expression} every 50 ms until {@code done} accepts its value and returns that value;
     * after {@code timeout} an AssertionError with the last value and the page's recorded problems.
     */
    public Object await(String expression, Predicate<Object> done, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        String lastError = null;
        while (true) {
            try {
                last = evaluate(expression);
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException e) {
                // The page may be between documents; only the last attempt's failure matters.
                lastError = e.getMessage();
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("page " + url + ": " + expression + " did not reach the expected value within "
                        + timeout + "; last value: " + (lastError != null ? lastError : Json.quote(Objects.toString(last)))
                        + "; page problems: " + problems);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /** {@link #await} of an element's textContent (empty string while the element does not exist). */
    public String awaitText(String elementId, Predicate<String> done, Duration timeout) throws IOException {
        String expression = "(document.getElementById(" + Json.quote(elementId) + ")||{textContent:''}).textContent";
        return (String) await(expression, v -> v instanceof String s && done.test(s), timeout);
    }

    /** Uncaught exceptions and console errors/warnings so far. */
    public List<String> problems() {
        return List.copyOf(problems);
    }
}
