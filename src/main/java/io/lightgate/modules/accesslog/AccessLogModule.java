package io.lightgate.modules.accesslog;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigKey;
import io.lightgate.config.Configuration;
import io.lightgate.config.RequestConfig;
import io.lightgate.config.Scope;
import io.lightgate.config.ValueType;
import io.lightgate.http.Exchange;
import io.lightgate.http.Module;
import io.lightgate.http.ModuleContext;
import io.lightgate.http.Response;
import io.lightgate.log.ErrorLog;
import io.lightgate.log.LogSink;
import io.lightgate.log.QueuedLogWriter;
import java.io.IOException;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * mod_accesslog: one line per finished request, in {@code accesslog.format}, to {@code accesslog.filename}
 * (a file, or "|command"). The file may differ per conditional block: each distinct target gets its own
 * writer thread. The global target is opened at start-up (an error stops start-up, as in lighttpd);
 * targets only named in conditions are opened on first use, on their writer thread.
 */
public final class AccessLogModule implements Module {

    public static final ConfigKey<String> FILENAME =
            ConfigKey.of("accesslog.filename", Scope.CONNECTION, ValueType.STRING, null);
    public static final ConfigKey<LogFormat> FORMAT =
            ConfigKey.of("accesslog.format", Scope.CONNECTION, LogFormat.TYPE, LogFormat.DEFAULT);
    /** Not supported (lightgate has no syslog output); a warning says so. */
    public static final ConfigKey<Boolean> USE_SYSLOG =
            ConfigKey.of("accesslog.use-syslog", Scope.CONNECTION, ValueType.BOOL, false);
    public static final ConfigKey<Integer> SYSLOG_LEVEL =
            ConfigKey.of("accesslog.syslog-level", Scope.CONNECTION, ValueType.SHORT, 6);
    public static final ConfigKey<String> ESCAPING =
            ConfigKey.of("accesslog.escaping", Scope.CONNECTION, ValueType.STRING, "default");

    private final ConcurrentHashMap<String, QueuedLogWriter> writers = new ConcurrentHashMap<>();
    private final LineRenderer renderer = new LineRenderer(ZoneId.systemDefault());
    private volatile ErrorLog errorLog = ErrorLog.toStderr();
    private volatile boolean stopped;

    public AccessLogModule() { }

    @Override public String name() { return "mod_accesslog"; }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return List.of(FILENAME, FORMAT, USE_SYSLOG, SYSLOG_LEVEL, ESCAPING);
    }

    @Override
    public void configure(Configuration config, ModuleContext context) throws ConfigException {
        errorLog = context.errorLog();
        if (config.global(USE_SYSLOG)) {
            errorLog.write("mod_accesslog", "accesslog.use-syslog is not supported; lines go to accesslog.filename");
        }
        String target = config.global(FILENAME);
        if (context.testOnly() || target == null || target.isBlank()) {
            return;
        }
        try {
            writers.put(target, writer(target, LogSink.open(target)));
        } catch (IOException e) {
            throw new ConfigException("opening log '" + target + "' failed: " + e.getMessage());
        }
    }

    /** The writer thread of one target; its problems go to the error log. */
    private QueuedLogWriter writer(String target, LogSink opened) {
        ErrorLog log = errorLog;
        return new QueuedLogWriter(target, opened, "accesslog " + target, new QueuedLogWriter.Problems() {
            @Override
            public byte[] dropped(long lines) {
                log.write("mod_accesslog", lines + " access log lines for " + target + " dropped (writer too slow)");
                return null;
            }

            @Override
            public void failed(String message, byte[] data, int length) {
                log.write("mod_accesslog", message);
            }
        });
    }

    @Override
    public void requestDone(Exchange exchange, Response response, long bytesIn, long bytesOut) {
        RequestConfig config = exchange.config();
        String target = config.get(FILENAME);
        if (target == null || target.isBlank() || stopped) {
            return;
        }
        byte[] line = renderer.render(config.get(FORMAT), AccessEntry.of(exchange, response, bytesIn, bytesOut),
                LogEscaping.of(config.get(ESCAPING)));
        writers.computeIfAbsent(target, t -> writer(t, null)).offer(line);
    }

    @Override
    public void reopenLogs() {
        writers.values().forEach(QueuedLogWriter::requestReopen);
    }

    @Override
    public void stop() {
        stopped = true;
        writers.values().forEach(QueuedLogWriter::stop);
        writers.clear();
    }
}
