package io.lightgate.config;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Entry points of lighttpd's config language (reference §9): tokenizer, parser and include handling.
 * Every error is a {@link ConfigException}, positioned at the offending token where there is one.
 */
public final class ConfigParser {
    private ConfigParser() { }

    /** Parses a config file; relative includes resolve against its directory. */
    public static ConfigTree parseFile(Path file) throws ConfigException {
        Includes.Source source = Includes.readFile(file, file.toString());
        Path dir = file.toAbsolutePath().getParent();
        return parse(source, dir == null ? Path.of("/") : dir);
    }

    /** {@code -f -}: the config read from standard input; relative includes resolve against {@code cwd}. */
    public static ConfigTree parseStream(InputStream in, Path cwd) throws ConfigException {
        return parse(Includes.readStream(in, "(stdin)"), cwd);
    }

    /** Config text with a name for messages (tests, the built-in demo). */
    public static ConfigTree parseText(String name, String text, Path baseDir) throws ConfigException {
        return parse(new Includes.Source(name, text), baseDir);
    }

    private static ConfigTree parse(Includes.Source source, Path baseDir) throws ConfigException {
        Parser.ParseState state = new Parser.ParseState(new Includes(baseDir));
        Block global = state.global();
        String cwd = System.getProperty("user.dir");
        global.assignments.put("var.CWD", new Block.Assignment("var.CWD", new ConfigValue.Str(cwd), Parser.PREDEFINED, 0, 0));
        global.assignments.put("var.PID", new Block.Assignment("var.PID",
                new ConfigValue.Int(ProcessHandle.current().pid()), Parser.PREDEFINED, 0, 0));
        new Parser(state, source.name(), source.text(), 0).parseInto(global);
        return new ConfigTree(state.blocks);
    }
}
