package io.lightgate.modules.redirect;

import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Request;
import io.lightgate.http.Response;
import io.lightgate.server.ServerKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * mod_redirect (lighttpd 1.4.69): at uri-clean, the first {@code url.redirect} regex that matches the
 * normalised request target (path and "?query", still encoded; {@link NormalizedTarget}) answers
 * {@code url.redirect-code} (301 unless set to 100..999) with the substituted target ({@link TargetTemplate})
 * as {@code Location} and an empty body. A rule whose target is empty stops the search and lets the request
 * go on, as lighttpd does.
 */
public final class RedirectModule implements Module {

    public static final ConfigKey<RedirectRules> REDIRECT =
            ConfigKey.of("url.redirect", Scope.CONNECTION, RedirectRules.TYPE, null);
    /** 0 (or anything outside 100..999, which lighttpd turns into 0): 301. */
    public static final ConfigKey<Integer> REDIRECT_CODE =
            ConfigKey.of("url.redirect-code", Scope.CONNECTION, ValueType.SHORT, 0);

    static final int DEFAULT_STATUS = 301;

    /** A ${...} or %{...} with the toupper: modifier. */
    private static final Pattern TOUPPER = Pattern.compile("[$%]\\{[^}]*toupper:");

    /**
     * The global block's rules: they have no enclosing condition, so %N is empty for them in lighttpd even
     * when some {@code =~} block matched the request. Set by configure before any request.
     */
    private volatile RedirectRules globalRules;

    public RedirectModule() { }

    @Override public String name() { return "mod_redirect"; }

    @Override public List<ConfigKey<?>> configKeys() { return List.of(REDIRECT, REDIRECT_CODE); }

    @Override
    public void configure(Configuration config, ModuleContext context) {
        globalRules = config.global(REDIRECT);
        for (RedirectRules rules : config.valuesInAllBlocks(REDIRECT)) {
            for (RedirectRules.Rule rule : rules.rules()) {
                // what lighttpd 1.4.69 does here surprises: say so once at start-up
                if (TOUPPER.matcher(rule.target()).find()) {
                    context.errorLog().write("mod_redirect", "url.redirect \"" + rule.regex() + "\": ${toupper:...}"
                            + " lowercases in lighttpd 1.4.69, and so here");
                }
            }
        }
    }

    @Override
    public Hook uriClean(Exchange exchange) {
        RequestConfig config = exchange.config();
        RedirectRules rules = config.get(REDIRECT);
        if (rules == null || rules.rules().isEmpty()) {
            return Hook.GO_ON;
        }
        Request request = exchange.request();
        String target = NormalizedTarget.of(request.target());
        RedirectRules.Match match = rules.firstMatch(target);
        if (match == null || match.rule().target().isEmpty()) {
            return Hook.GO_ON;
        }
        int q = target.indexOf('?');
        TargetTemplate.UrlParts url = new TargetTemplate.UrlParts(request.scheme(), authority(request, config),
                localPort(request), target, q < 0 ? null : target.substring(q + 1));
        List<String> conditionGroups = rules == globalRules ? List.of() : byteStrings(config.captures());
        String location = TargetTemplate.expand(match.rule().target(), match.groups(), conditionGroups, url);
        if (hasLineBreakOrNul(location)) {
            // only a decoded URL capture (%N) can hold these; lighttpd refuses such a request with 400
            // (url-ctrls-reject) before mod_redirect runs, and they must never reach a header
            exchange.errorLog().write("mod_redirect", "control character in redirect target for " + request.target()
                    + " -> sending Status 400");
            exchange.respondError(400);
            return Hook.HANDLED;
        }
        int code = config.get(REDIRECT_CODE);
        Response response = new Response(code >= 100 && code < 1000 ? code : DEFAULT_STATUS);
        response.headers().set("Location", location); // spelled as lighttpd sends it
        exchange.respond(response);
        return Hook.HANDLED;
    }

    /** lighttpd's r->uri.authority: the Host (lower-cased by the parser), or server.name when there is none. */
    private static String authority(Request request, RequestConfig config) {
        String host = request.host();
        if (host != null && !host.isEmpty()) {
            return host;
        }
        String name = config.get(ServerKeys.NAME);
        return name == null ? "" : name; // lighttpd 1.4.69: empty without Host and server.name
    }

    private static int localPort(Request request) {
        return request.localAddress() instanceof InetSocketAddress inet ? inet.getPort() : 0;
    }

    private static boolean hasLineBreakOrNul(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return true;
            }
        }
        return false;
    }

    /** Condition captures as lighttpd's bytes: a decoded URL capture is UTF-8 text. */
    private static List<String> byteStrings(List<String> captures) {
        List<String> out = new ArrayList<>(captures.size());
        for (String s : captures) {
            out.add(s == null ? null : new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        }
        return out;
    }
}
