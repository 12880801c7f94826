package io.lightgate.gateway;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import io.lightgate.config.ValueType.TypeMismatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns one host block ({@code ( "host" => ..., "port" => ... )}) into a {@link HostConfig} with lighttpd's
 * types, defaults and errors (gw_backend.c: gw_set_defaults_backend). Unknown option names are ignored as
 * lighttpd does; a name with '_' is an error, since it is almost always a misspelt option.
 */
final class HostConfigParser {
    /** sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;
    static final int MAX_LABEL = 128;

    private final Gateway.Options options;
    private final String moduleKey;

    HostConfigParser(String moduleKey, Gateway.Options options) {
        this.moduleKey = moduleKey;
        this.options = options;
    }

    HostConfig parse(String label, ConfigValue.Arr block, Consumer<String> warnings) throws TypeMismatch {
        if (label != null && label.length() > MAX_LABEL) {
            throw new TypeMismatch("label longer than " + MAX_LABEL + " characters: \"" + label.substring(0, 20) + "...\"");
        }
        String host = null;
        Integer port = null;
        String socket = null;
        String binPathText = null;
        Map<String, String> binEnvironment = Map.of();
        List<String> binCopyEnvironment = null;
        int minProcs = HostConfig.DEFAULT_PROCS;
        int maxProcs = HostConfig.DEFAULT_PROCS;
        int maxLoadPerProc = HostConfig.DEFAULT_MAX_LOAD_PER_PROC;
        int idleTimeout = HostConfig.DEFAULT_IDLE_TIMEOUT;
        int disableTime = HostConfig.DEFAULT_DISABLE_TIME;
        int killSignal = HostConfig.DEFAULT_KILL_SIGNAL;
        int listenBacklog = HostConfig.DEFAULT_LISTEN_BACKLOG;
        boolean checkLocal = true;
        HostConfig.Mode mode = HostConfig.Mode.RESPONDER;
        String docroot = null;
        String stripRequestUri = null;
        boolean brokenScriptFilename = false;
        boolean fixRootScriptname = false;
        boolean xSendfile = false;
        boolean allowXSendFile = false;
        List<String> xSendfileDocroot = List.of();
        boolean tcpFinPropagate = false;
        int connectTimeout = HostConfig.DEFAULT_CONNECT_TIMEOUT;
        int writeTimeout = 0;
        int readTimeout = 0;
        boolean upgrade = false;

        for (ConfigValue.Arr.Entry e : block.entries()) {
            String name = e.key();
            if (name == null) {
                throw new TypeMismatch("expected \"option\" => value in a host block, got an element without a name");
            }
            if (name.indexOf('_') >= 0) {
                throw new TypeMismatch("option \"" + name + "\" contains '_': use '-' not '_'");
            }
            ConfigValue v = e.value();
            try {
                switch (name) {
                    case "host" -> host = ValueType.STRING.convert(v);
                    case "port" -> port = ValueType.SHORT.convert(v);
                    case "socket" -> socket = ValueType.STRING.convert(v);
                    case "bin-path" -> binPathText = ValueType.STRING.convert(v);
                    case "bin-environment" -> binEnvironment = ValueType.STRING_MAP.convert(v);
                    case "bin-copy-environment" -> binCopyEnvironment = ValueType.STRING_LIST.convert(v);
                    case "min-procs" -> minProcs = ValueType.SHORT.convert(v);
                    case "max-procs" -> maxProcs = ValueType.SHORT.convert(v);
                    case "max-load-per-proc" -> maxLoadPerProc = ValueType.SHORT.convert(v);
                    case "idle-timeout" -> idleTimeout = ValueType.SHORT.convert(v);
                    case "disable-time" -> disableTime = ValueType.SHORT.convert(v);
                    case "kill-signal" -> killSignal = ValueType.SHORT.convert(v);
                    case "listen-backlog" -> listenBacklog = ValueType.INT.convert(v);
                    case "check-local" -> checkLocal = ValueType.BOOL.convert(v);
                    case "mode" -> mode = mode(ValueType.STRING.convert(v), warnings);
                    case "docroot" -> docroot = ValueType.STRING.convert(v);
                    case "strip-request-uri" -> stripRequestUri = stripTrailingSlash(ValueType.STRING.convert(v));
                    case "broken-scriptfilename" -> brokenScriptFilename = ValueType.BOOL.convert(v);
                    case "fix-root-scriptname" -> fixRootScriptname = ValueType.BOOL.convert(v);
                    case "x-sendfile" -> xSendfile = ValueType.BOOL.convert(v);
                    case "allow-x-send-file" -> allowXSendFile = ValueType.BOOL.convert(v);
                    case "x-sendfile-docroot" -> xSendfileDocroot = sendfileRoots(ValueType.STRING_LIST.convert(v));
                    case "tcp-fin-propagate" -> tcpFinPropagate = ValueType.BOOL.convert(v);
                    case "connect-timeout" -> connectTimeout = ValueType.INT.convert(v);
                    case "write-timeout" -> writeTimeout = ValueType.INT.convert(v);
                    case "read-timeout" -> readTimeout = ValueType.INT.convert(v);
                    case "upgrade" -> upgrade = ValueType.BOOL.convert(v);
                    default -> { } // lighttpd ignores unknown host options
                }
            } catch (TypeMismatch m) {
                throw new TypeMismatch("option \"" + name + "\": " + m.getMessage());
            }
        }

        if (host != null && host.startsWith("/")) {
            if (socket != null) {
                throw new TypeMismatch("host \"" + host + "\" is a socket path and socket is set too");
            }
            socket = host;
            host = null;
        }
        List<String> binPath = binPathText == null ? List.of() : argv(binPathText);
        if (binPathText != null && binPath.isEmpty()) {
            throw new TypeMismatch("option \"bin-path\" is empty");
        }
        if (socket != null) {
            if (host != null || port != null) {
                throw new TypeMismatch("either host/port or socket may be set, not both");
            }
            if (socket.isEmpty()) {
                throw new TypeMismatch("option \"socket\" is empty");
            }
            int longest = socket.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + (binPath.isEmpty() ? 0 : 1 + Integer.toString(Math.max(0, maxProcs - 1)).length());
            if (longest > MAX_SOCKET_PATH) {
                throw new TypeMismatch("socket path is too long (" + longest + " bytes, at most " + MAX_SOCKET_PATH
                        + "): " + socket);
            }
        } else {
            if (host == null && port == null && binPath.isEmpty()) {
                throw new TypeMismatch("host, socket or bin-path must be set");
            }
            if (host == null || host.isEmpty()) {
                host = HostConfig.DEFAULT_HOST;
            }
            if (port == null || port == 0) {
                port = HostConfig.DEFAULT_PORT;
            }
        }
        if (binPath.isEmpty()) {
            // a remote (or external) host is one proc
            maxProcs = 1;
            minProcs = 1;
        } else {
            maxProcs = Math.max(1, maxProcs);
            minProcs = Math.min(minProcs, maxProcs);
        }
        if (options.checkLocalForcedOff()) {
            checkLocal = false;
        }
        if (mode == HostConfig.Mode.AUTHORIZER && options.authorizerRejected()) {
            throw new TypeMismatch("mode \"authorizer\" is not supported in " + moduleKey);
        }
        return new HostConfig(label, host, socket == null ? port : 0, socket, binPath, binEnvironment,
                binCopyEnvironment, minProcs, maxProcs, maxLoadPerProc, idleTimeout, disableTime, killSignal,
                listenBacklog, checkLocal, mode, docroot, stripRequestUri, brokenScriptFilename, fixRootScriptname,
                xSendfile, allowXSendFile, xSendfileDocroot, tcpFinPropagate, connectTimeout, writeTimeout,
                readTimeout, upgrade);
    }

    /** bin-path split on spaces and tabs, no quoting (lighttpd's rule). */
    static List<String> argv(String binPath) {
        List<String> out = new ArrayList<>();
        for (String part : binPath.split("[ \t]+")) {
            if (!part.isEmpty()) {
                out.add(part);
            }
        }
        return List.copyOf(out);
    }

    private HostConfig.Mode mode(String text, Consumer<String> warnings) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "authorizer" -> HostConfig.Mode.AUTHORIZER;
            case "responder" -> HostConfig.Mode.RESPONDER;
            default -> {
                warnings.accept(moduleKey + ": unknown mode \"" + text + "\" (using \"responder\")");
                yield HostConfig.Mode.RESPONDER;
            }
        };
    }

    private static String stripTrailingSlash(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }

    private static List<String> sendfileRoots(List<String> roots) throws TypeMismatch {
        for (String r : roots) {
            if (!r.startsWith("/")) {
                throw new TypeMismatch("path must start with '/': \"" + r + "\"");
            }
        }
        return roots;
    }

}
