package io.lightgate.gateway;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.http.Exchange;
import io.lightgate.http.ModuleContext;
import io.lightgate.log.ErrorLog;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One module's gateway layer (lighttpd's gw_backend): its {@code <m>.server}, {@code .balance}, {@code .debug}
 * and {@code .map-extensions} keys, the hosts of every config block and their state. A module creates one per
 * instance, returns {@link #configKeys()} from its own, calls {@link #configure} from its configure and
 * {@link #stop} from its stop.
 */
public final class Gateway {

    /**
     * How the owning module treats hosts.
     *
     * @param checkLocalForcedOff true for wstunnel/proxy: check-local is off and keys match the URL path
     * @param authorizerRejected  true for wstunnel/proxy: {@code "mode" => "authorizer"} is a start-up error
     */
    public record Options(boolean checkLocalForcedOff, boolean authorizerRejected) {
        /** What mod_wstunnel and mod_proxy use. */
        public static final Options URI_STAGE = new Options(true, true);
        /**
         * What mod_scgi and mod_fastcgi use: check-local as configured (then keys are matched in the subrequest
         * stage), authorizer hosts allowed.
         */
        public static final Options CGI_FAMILY = new Options(false, false);
    }

    /** The four keys of a module prefix; created once per prefix so that reloads do not mint new keys. */
    private record Keys(ConfigKey<GatewayServers> server, ConfigKey<String> balance, ConfigKey<Integer> debug,
                        ConfigKey<Map<String, String>> mapExtensions) { }

    private static final Map<String, Keys> KEYS = new ConcurrentHashMap<>();

    private final String prefix;
    private final Options options;
    private final Keys keys;
    private final String logSource;
    private ProcLauncher launcher = new io.lightgate.gateway.spawn.SpawningLauncher();
    private final List<ProcSet> launched = new ArrayList<>();

    public Gateway(String prefix, Options options) {
        this.prefix = prefix;
        this.options = options;
        this.logSource = "mod_" + prefix;
        this.keys = KEYS.computeIfAbsent(prefix + "/" + options, p -> new Keys(
                ConfigKey.of(prefix + ".server", Scope.CONNECTION, GatewayServers.type(prefix + ".server", options), null),
                ConfigKey.of(prefix + ".balance", Scope.CONNECTION, ValueType.STRING, "fair"),
                ConfigKey.of(prefix + ".debug", Scope.CONNECTION, ValueType.INT, 0),
                ConfigKey.of(prefix + ".map-extensions", Scope.CONNECTION, ValueType.STRING_MAP, Map.of())));
    }

    public String prefix() { return prefix; }

    public Options options() { return options; }

    /** {@code <prefix>.server}, {@code .balance}, {@code .debug}, {@code .map-extensions}. */
    public List<ConfigKey<?>> configKeys() {
        return List.of(keys.server(), keys.balance(), keys.debug(), keys.mapExtensions());
    }

    public ConfigKey<GatewayServers> serverKey() { return keys.server(); }
    public ConfigKey<String> balanceKey() { return keys.balance(); }
    public ConfigKey<Integer> debugKey() { return keys.debug(); }
    public ConfigKey<Map<String, String>> mapExtensionsKey() { return keys.mapExtensions(); }

    /** Who starts bin-path procs: by default the spawn layer; tests may swap it. Before configure. */
    public void procLauncher(ProcLauncher launcher) {
        this.launcher = launcher;
    }

    /**
     * Validates every block's values and prepares every block's hosts: bin-path must name an executable
     * regular file, host names are resolved (blocking, once, as lighttpd), bin-path procs are launched
     * (not with {@code -tt}). Unknown balance values and lighttpd's warnings are logged.
     */
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        ErrorLog log = context.errorLog();
        for (String balance : config.valuesInAllBlocks(keys.balance())) {
            if (Balance.byName(balance) == null) {
                log.write(logSource, keys.balance().name() + ": unknown value \"" + balance
                        + "\" (using \"fair\"); expected fair, least-connection, round-robin, hash or sticky");
            }
        }
        Map<String, ProcSet> byProgram = new HashMap<>();
        try {
            for (GatewayServers servers : config.valuesInAllBlocks(keys.server())) {
                servers.warnings().forEach(w -> log.write(logSource, w));
                for (Extension ext : servers.extensions()) {
                    for (BackendHost host : ext.hosts()) {
                        prepare(ext, host, context, byProgram);
                    }
                }
            }
        } catch (ConfigException | RuntimeException e) {
            // start-up fails: children already started for earlier hosts must not outlive it
            stop();
            throw e;
        }
    }

    private void prepare(Extension ext, BackendHost host, ModuleContext context, Map<String, ProcSet> byProgram)
            throws ConfigException {
        HostConfig hc = host.config();
        String where = keys.server().name() + " \"" + ext.key() + "\" host " + host;
        List<BackendAddress> addresses;
        try {
            addresses = host.addresses();
        } catch (UnknownHostException e) {
            throw new ConfigException(where + ": cannot resolve host \"" + hc.host() + "\"");
        }
        ProcSet procs = ProcSet.EXTERNAL;
        if (hc.hasBinPath()) {
            Path program = Path.of(hc.binPath().getFirst());
            if (!Files.isRegularFile(program) || !Files.isExecutable(program)) {
                throw new ConfigException(where + ": bin-path \"" + program + "\" is not an executable regular file");
            }
            if (!context.testOnly()) {
                // one process group per program and addresses, however many blocks name it (lighttpd shares them too)
                String id = hc.binPath() + " " + addresses;
                procs = byProgram.get(id);
                if (procs == null) {
                    procs = launcher.launch(hc, addresses, context);
                    byProgram.put(id, procs);
                    launched.add(procs);
                }
            }
        }
        host.prepare(addresses, procs);
    }

    /** The responder route for this request (see {@link #route(Exchange, HostConfig.Mode)}). */
    public Route route(Exchange exchange) {
        return route(exchange, HostConfig.Mode.RESPONDER);
    }

    /**
     * The route of {@code mode} for this request under its config: map-extensions first (a suffix mapped onto an
     * existing key), then the first key in config order that matches. Prefix keys match the URL path; suffix keys
     * match the URL path, or the physical path once the core resolved it (subrequest stage; not for modules whose
     * check-local is forced off), as gw_check_extension. Null: not claimed.
     */
    public Route route(Exchange exchange, HostConfig.Mode mode) {
        RequestConfig config = exchange.config();
        GatewayServers servers = config.get(keys.server());
        if (servers == null || servers.extensions(mode).isEmpty()) {
            return null;
        }
        String urlPath = exchange.request().path();
        String path = options.checkLocalForcedOff() || exchange.physical() == null
                ? urlPath : exchange.physical().path().toString();
        Extension ext = null;
        for (Map.Entry<String, String> m : config.get(keys.mapExtensions()).entrySet()) {
            if (path.endsWith(m.getKey())) {
                ext = servers.byKey(mode, m.getValue());
                if (ext != null) {
                    break;
                }
            }
        }
        if (ext == null) {
            ext = servers.match(mode, urlPath, path);
            if (ext == null) {
                return null;
            }
        }
        Balance balance = Balance.byName(config.get(keys.balance()));
        return new GatewayRoute(ext, balance == null ? Balance.LEAST_CONNECTION : balance, logSource);
    }

    /** {@code <prefix>.debug} for this request (mod_wstunnel: 1 err, 2 warn, 3 info, 4 debug). */
    public int debugLevel(RequestConfig config) {
        return config.get(keys.debug());
    }

    /**
     * Shutdown or reload: stops every proc set this gateway launched. Backend connections already open stay
     * with their tunnels (a graceful restart does not cut them).
     */
    public void stop() {
        for (ProcSet p : launched) {
            p.stop();
        }
        launched.clear();
    }
}
