package io.lightgate.config;

/**
 * A config error. With a position its message reads {@code file:line:column: message} (lighttpd prints
 * "source: ... line: ... pos: ..."; we print the form editors and compilers use). Exit status 255.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final int column;
    private final String detail;

    public ConfigException(String file, int line, int column, String detail) {
        super(file + ":" + line + ":" + column + ": " + detail);
        this.file = file;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    /** An error without a position (for example a missing required key). */
    public ConfigException(String detail) {
        super(detail);
        this.file = null;
        this.line = 0;
        this.column = 0;
        this.detail = detail;
    }

    public String file() { return file; }
    public int line() { return line; }
    public int column() { return column; }
    public String detail() { return detail; }
}
