package io.lightgate.gateway;

import java.util.List;
import java.util.Map;

/**
 * One backend host of a {@code <m>.server} key, every option of reference §2.3 with lighttpd's defaults
 * already applied: {@code host} 127.0.0.1 and {@code port} 80 when only one of host/port/bin-path is given,
 * a {@code host} starting with '/' moved to {@code socket}, {@code max-procs} 1 without bin-path,
 * {@code min-procs} clamped to {@code max-procs}.
 *
 * @param label               the optional label ({@code "label" => ( ... )}), null when unlabelled
 * @param host                IP or host name for TCP, null for a unix socket
 * @param port                TCP port (0 for a unix socket)
 * @param socket              unix socket path, null for TCP
 * @param binPath             argv of the program to spawn (bin-path split on spaces and tabs), empty when unset
 * @param binEnvironment      variables added to or overriding the child's environment
 * @param binCopyEnvironment  when non-null, the only variables copied from our environment; null: inherit all
 * @param stripRequestUri     without its trailing '/', null when unset
 * @param xSendfileDocroot    allowed X-Sendfile roots, each starting with '/'
 * @param connectTimeout      seconds; 0 = no limit
 * @param writeTimeout        seconds; 0 = off
 * @param readTimeout         seconds; 0 = off
 */
public record HostConfig(
        String label,
        String host,
        int port,
        String socket,
        List<String> binPath,
        Map<String, String> binEnvironment,
        List<String> binCopyEnvironment,
        int minProcs,
        int maxProcs,
        int maxLoadPerProc,
        int idleTimeout,
        int disableTime,
        int killSignal,
        int listenBacklog,
        boolean checkLocal,
        Mode mode,
        String docroot,
        String stripRequestUri,
        boolean brokenScriptFilename,
        boolean fixRootScriptname,
        boolean xSendfile,
        boolean allowXSendFile,
        List<String> xSendfileDocroot,
        boolean tcpFinPropagate,
        int connectTimeout,
        int writeTimeout,
        int readTimeout,
        boolean upgrade) {

    /** lighttpd's defaults for the options a host block does not set. */
    public static final int DEFAULT_PORT = 80;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PROCS = 4;
    public static final int DEFAULT_MAX_LOAD_PER_PROC = 1;
    public static final int DEFAULT_IDLE_TIMEOUT = 60;
    public static final int DEFAULT_DISABLE_TIME = 1;
    public static final int DEFAULT_KILL_SIGNAL = 15;
    /** lighttpd uses max(SOMAXCONN, 1024); 1024 is what its docs state. */
    public static final int DEFAULT_LISTEN_BACKLOG = 1024;
    public static final int DEFAULT_CONNECT_TIMEOUT = 8;

    /** {@code mode}: what the backend is asked to do (FastCGI). */
    public enum Mode { RESPONDER, AUTHORIZER }

    public HostConfig {
        binPath = List.copyOf(binPath);
        binEnvironment = Map.copyOf(binEnvironment);
        binCopyEnvironment = binCopyEnvironment == null ? null : List.copyOf(binCopyEnvironment);
        xSendfileDocroot = List.copyOf(xSendfileDocroot);
    }

    /** Whether the host is reached over a unix socket. */
    public boolean isUnixSocket() {
        return socket != null;
    }

    /** Whether lightgate spawns this host's procs ({@code bin-path} is set). */
    public boolean hasBinPath() {
        return !binPath.isEmpty();
    }

    /** The host as lighttpd names it in logs: the socket path or host:port. */
    public String address() {
        return socket != null ? socket : (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
