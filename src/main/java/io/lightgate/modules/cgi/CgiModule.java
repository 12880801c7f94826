package io.lightgate.modules.cgi;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.ConfigValue;
import io.lightgate.config.Configuration;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.gateway.Tunnel;
import io.lightgate.gateway.cgi.CgiEnvOptions;
import io.lightgate.gateway.cgi.CgiEnvironment;
import io.lightgate.gateway.cgi.CgiExchange;
import io.lightgate.gateway.cgi.CgiProcess;
import io.lightgate.gateway.cgi.CgiSpawnException;
import io.lightgate.gateway.cgi.CgiVariable;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Request;
import io.lightgate.http.RequestBody;
import io.lightgate.http.RequestBodySpool;
import io.lightgate.http.UrlPath;
import io.lightgate.os.ErrnoException;
import io.lightgate.os.ExitStatus;
import io.lightgate.server.FeatureFlags;
import io.lightgate.server.ServerKeys;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * mod_cgi (reference §5): runs the file a request maps to as a CGI program when its physical path ends with a
 * {@code cgi.assign} suffix, in the subrequest-start hook (after the core found the file). The program gets the
 * environment of reference §8 plus LD_PRELOAD/LD_LIBRARY_PATH, its directory as cwd, the request body on stdin (a
 * chunked one is read whole first by {@link RequestBodySpool}, for CONTENT_LENGTH) and
 * {@code server.breakagelog} (else lightgate's stderr) as stderr; its output is answered by {@link CgiExchange}.
 * With {@code cgi.upgrade} a request carrying Upgrade starts the program at once with stdin kept open, and a
 * 101 + Upgrade answer becomes a byte tunnel. The program is terminated (SIGTERM, then SIGKILL) when the answer
 * is done or the client leaves, and reaped on the connection's event loop.
 */
public final class CgiModule implements Module {
    static final String NAME = "mod_cgi";

    static final ConfigKey<Map<String, String>> ASSIGN =
            ConfigKey.of("cgi.assign", Scope.CONNECTION, ValueType.STRING_MAP, Map.of());
    static final ConfigKey<Boolean> EXECUTE_X_ONLY =
            ConfigKey.of("cgi.execute-x-only", Scope.CONNECTION, ValueType.BOOL, false);
    static final ConfigKey<Boolean> X_SENDFILE =
            ConfigKey.of("cgi.x-sendfile", Scope.CONNECTION, ValueType.BOOL, false);
    static final ConfigKey<List<String>> X_SENDFILE_DOCROOT =
            ConfigKey.of("cgi.x-sendfile-docroot", Scope.CONNECTION, CgiModule::sendfileRoots, List.of());
    static final ConfigKey<Boolean> LOCAL_REDIR =
            ConfigKey.of("cgi.local-redir", Scope.CONNECTION, ValueType.BOOL, false);
    static final ConfigKey<Boolean> UPGRADE =
            ConfigKey.of("cgi.upgrade", Scope.CONNECTION, ValueType.BOOL, false);
    static final ConfigKey<CgiLimits> LIMITS =
            ConfigKey.of("cgi.limits", Scope.CONNECTION, CgiLimits.TYPE, CgiLimits.NONE);

    private static final Set<PosixFilePermission> EXECUTE = Set.of(PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

    private final List<CgiVariable> inherited = CgiEnvironment.inheritedForCgi(System.getenv());
    private volatile BreakageLog breakageLog = BreakageLog.inherit();
    private java.time.Duration killGrace = CgiProcess.DEFAULT_KILL_GRACE;
    private io.lightgate.log.ErrorLog serverLog;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return List.of(ASSIGN, EXECUTE_X_ONLY, X_SENDFILE, X_SENDFILE_DOCROOT, LOCAL_REDIR, UPGRADE, LIMITS);
    }

    /** For tests: how long a terminated program has between SIGTERM and SIGKILL. */
    void killGrace(java.time.Duration grace) {
        this.killGrace = grace;
    }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        serverLog = context.errorLog();
        // accepted for compatibility: lightgate always streams the body to the program's stdin pipe (a chunked
        // body after it was spooled whole), never hands it a temp file
        FeatureFlags.parse(config.global(ServerKeys.FEATURE_FLAGS)).flag("cgi.tempfile-accum", true);
        String file = config.global(ServerKeys.BREAKAGELOG);
        if (file != null && !file.isEmpty() && !context.testOnly()) {
            try {
                breakageLog = BreakageLog.open(Path.of(file));
            } catch (ErrnoException e) {
                throw new ConfigException("opening server.breakagelog " + file + " failed: " + e.getMessage());
            }
        }
    }

    @Override
    public void reopenLogs() {
        try {
            breakageLog.reopen();
        } catch (ErrnoException e) {
            serverLog.write(NAME, "reopening server.breakagelog " + breakageLog.file() + " failed: " + e.getMessage());
        }
    }

    @Override
    public void stop() {
        breakageLog.close();
    }

    @Override
    public Hook subrequestStart(Exchange ex) {
        RequestConfig config = ex.config();
        PhysicalPath physical = ex.physical();
        Map<String, String> assign = config.get(ASSIGN);
        if (physical == null || assign.isEmpty()) {
            return Hook.GO_ON;
        }
        String script = physical.path().toString();
        String interpreter = null;
        for (Map.Entry<String, String> a : assign.entrySet()) {
            if (script.endsWith(a.getKey())) {
                interpreter = a.getValue();
                break;
            }
        }
        if (interpreter == null) {
            return Hook.GO_ON;
        }
        // only regular files, executable ones with cgi.execute-x-only; anything else is left to the next module
        try {
            PosixFileAttributes attrs = Files.readAttributes(physical.path(), PosixFileAttributes.class);
            if (!attrs.isRegularFile()
                    || config.get(EXECUTE_X_ONLY) && attrs.permissions().stream().noneMatch(EXECUTE::contains)) {
                return Hook.GO_ON;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Hook.GO_ON;
        }
        Request req = ex.request();
        boolean upgradeOn = config.get(UPGRADE);
        boolean extendedConnect = CgiEnvironment.isExtendedConnect(req);
        if (extendedConnect && !upgradeOn) {
            ex.respondError(405);
            return Hook.HANDLED;
        }
        boolean upgrade = upgradeOn && (extendedConnect
                || req.protocol() == Request.Protocol.HTTP_1_1 && req.headers().contains("Upgrade"));
        String program = interpreter;
        if (req.contentLength() == -2 && !upgrade) {
            // the CGI environment needs CONTENT_LENGTH: read a chunked body whole first, as lighttpd does
            RequestBodySpool.spool(ex, NAME, body -> start(ex, body, physical, script, program, false));
            return Hook.HANDLED;
        }
        start(ex, ex.requestBody(), physical, script, interpreter, upgrade);
        return Hook.HANDLED;
    }

    private void start(Exchange ex, RequestBody body, PhysicalPath physical, String script, String interpreter,
                       boolean upgrade) {
        RequestConfig config = ex.config();
        CgiEnvOptions envOptions = CgiEnvOptions.of(CgiEnvOptions.Flavor.CGI, physical.urlPath(), ex.pathInfo())
                .withUpgradeAllowed(upgrade)
                .withContentLength(Math.max(0, body.length()));
        if (!(CgiEnvironment.build(ex, envOptions) instanceof CgiEnvironment.Built built)) {
            ex.respondError(400); // cannot happen for mod_cgi (collisions are exported), kept for the type
            return;
        }
        List<CgiVariable> env = new ArrayList<>(built.variables());
        env.addAll(inherited);
        List<String> argv = interpreter.isEmpty() ? List.of(script) : List.of(interpreter, script);
        Path program = Path.of(argv.getFirst());
        if (!interpreter.isEmpty() && !Files.exists(program)) {
            serverLogLine(ex, "cgi.assign interpreter " + interpreter + " for " + script + " does not exist -> 500");
            ex.respondError(500);
            return;
        }
        CgiLimits limits = config.get(LIMITS);
        if (!(ex.eventLoop() instanceof IoEventLoop loop)) {
            serverLogLine(ex, script + ": the event loop is no IoEventLoop -> 500");
            ex.respondError(500);
            return;
        }
        CgiProcess process;
        try {
            process = breakageLog.withFd(fd -> CgiProcess.start(loop, ByteBufAllocator.DEFAULT,
                    CgiProcess.Command.of(program, argv, env, physical.path().getParent(), fd),
                    new CgiProcess.Limits(limits.readTimeout(), limits.writeTimeout(), killGrace)));
        } catch (CgiSpawnException e) {
            serverLogLine(ex, e.getMessage() + " -> 500");
            ex.respondError(500);
            return;
        } catch (IllegalArgumentException e) {
            serverLogLine(ex, script + ": " + e.getMessage() + " -> 500");
            ex.respondError(500);
            return;
        }
        CgiProgram backend = new CgiProgram(process, limits.finSignal(), killGrace);
        process.exit().addListener(f -> {
            if (f.getNow() instanceof ExitStatus.Signaled s && !backend.killedByUs(s.signal())) {
                serverLogLine(ex, "CGI pid " + process.pid() + " (" + script + ") died with signal " + s.signal());
            }
        });
        CgiExchange.Options options = CgiExchange.Options.of(NAME, script)
                .withUpgrade(upgrade, limits.finSignal() > 0
                        ? Tunnel.ClientEof.SHUTDOWN_BACKEND_OUTPUT : Tunnel.ClientEof.CLOSE_BOTH)
                .withLocalRedir(config.get(LOCAL_REDIR))
                .withXSendfile(config.get(X_SENDFILE), config.get(X_SENDFILE_DOCROOT))
                .withStreamResponseBody(config.get(ServerKeys.STREAM_RESPONSE_BODY));
        CgiExchange.start(ex, body, backend, options);
    }

    private static void serverLogLine(Exchange ex, String line) {
        ex.errorLog().write(NAME, line);
    }

    /** cgi.x-sendfile-docroot: each path must begin with '/'; kept simplified and ending in '/'. */
    private static List<String> sendfileRoots(ConfigValue value) throws ValueType.TypeMismatch {
        List<String> out = new ArrayList<>();
        for (String root : ValueType.STRING_LIST.convert(value)) {
            if (!root.startsWith("/")) {
                throw new ValueType.TypeMismatch("paths must begin with '/'; invalid: \"" + root + "\"");
            }
            String simple = UrlPath.simplify(root);
            out.add(simple.endsWith("/") ? simple : simple + "/");
        }
        return List.copyOf(out);
    }
}
