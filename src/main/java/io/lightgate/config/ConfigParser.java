package io.lightgate.config;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Entry points of lighttpd's config language (reference §9): tokenizer, parser and include handling.
 * CONTRACT (implemented by the config work): signatures are fixed, bodies are filled in.
 */
public final class ConfigParser {
    private ConfigParser() { }

    /** Parses a config file; relative includes resolve against its directory. */
    public static ConfigTree parseFile(Path file) throws ConfigException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** {@code -f -}: the config read from standard input; relative includes resolve against {@code cwd}. */
    public static ConfigTree parseStream(InputStream in, Path cwd) throws ConfigException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Config text with a name for messages (tests, the built-in demo). */
    public static ConfigTree parseText(String name, String text, Path baseDir) throws ConfigException {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
