package io.lightgate.config;

import io.lightgate.config.Token.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent parser for lighttpd's config grammar (reference §9.2). Builds the block tree directly:
 * values are evaluated while parsing, as lighttpd does, so variables and {@code +=} see what came before.
 */
final class Parser {
    /** Nested include/include_shell levels before we call it a loop. */
    static final int MAX_INCLUDE_DEPTH = 16;
    /** The "file" of var.CWD and var.PID, which a config (such as -p output) may set once more. */
    static final String PREDEFINED = "(predefined)";

    private final ParseState state;
    private final Tokenizer tokenizer;
    private final int includeDepth;
    /** Nested arrays and blocks before we refuse (keeps deep input from overflowing the stack). */
    static final int MAX_NESTING = 100;

    private Token current;
    private int nesting;
    private Token lookahead;

    /** What all files of one config share: the block list and where includes resolve. */
    static final class ParseState {
        final List<Block> blocks = new ArrayList<>();
        final Includes includes;
        /** Blocks by parent id, previous-branch id and condition text: the same text means the same block. */
        final Map<String, Block> byText = new HashMap<>();

        ParseState(Includes includes) {
            this.includes = includes;
            blocks.add(new Block(0, null, null, null));
        }

        Block global() {
            return blocks.get(0);
        }
    }

    Parser(ParseState state, String file, String text, int includeDepth) throws ConfigException {
        this.state = state;
        this.tokenizer = new Tokenizer(file, text);
        this.includeDepth = includeDepth;
        this.current = tokenizer.next();
    }

    /** Parses the whole text into {@code block} (the global block, or the block an include appeared in). */
    void parseInto(Block block) throws ConfigException {
        parseStatements(block, false);
        if (current.kind() != Kind.EOF) {
            throw current.error("unexpected " + current.describe() + " (no block to close)");
        }
    }

    private Token advance() throws ConfigException {
        Token t = current;
        if (lookahead != null) {
            current = lookahead;
            lookahead = null;
        } else {
            current = tokenizer.next();
        }
        return t;
    }

    private Token peek() throws ConfigException {
        if (lookahead == null) {
            lookahead = tokenizer.next();
        }
        return lookahead;
    }

    private Token expect(Kind kind, String what) throws ConfigException {
        if (current.kind() != kind) {
            throw current.error("expected " + what + ", got " + current.describe());
        }
        return advance();
    }

    /** Statements up to '}' (not consumed) or end of file. */
    private void parseStatements(Block block, boolean insideGlobal) throws ConfigException {
        while (true) {
            switch (current.kind()) {
                case EOL -> advance();
                case EOF, RBRACE -> {
                    return;
                }
                case NAME -> {
                    if (block.isGlobal() && current.text().equals("config") && peek().kind() == Kind.LBRACE) {
                        parseConfigWrapper();
                    } else {
                        parseAssignment(block);
                    }
                }
                case DOLLAR -> {
                    if (insideGlobal) {
                        throw current.error("conditions are not allowed inside global { ... }");
                    }
                    parseConditionChain(block);
                }
                case INCLUDE, INCLUDE_SHELL -> parseInclude(block);
                case GLOBAL -> parseGlobal();
                case ELSE -> throw current.error("'" + current.text() + "' without a preceding condition block");
                default -> throw current.error("expected a key, a condition, include or '}', got " + current.describe());
            }
        }
    }

    /** {@code config { ... }}: the wrapper -p prints around the global block, so -p output parses again. */
    private void parseConfigWrapper() throws ConfigException {
        advance();
        expect(Kind.LBRACE, "'{' after config");
        parseStatements(state.global(), false);
        expect(Kind.RBRACE, "'}' closing config { ... }");
    }

    private void parseGlobal() throws ConfigException {
        advance();
        skipEols();
        expect(Kind.LBRACE, "'{' after global");
        parseStatements(state.global(), true);
        expect(Kind.RBRACE, "'}' closing global { ... }");
    }

    private void skipEols() throws ConfigException {
        while (current.kind() == Kind.EOL) {
            advance();
        }
    }

    private static String fullKey(String name) {
        return name.indexOf('.') < 0 ? "var." + name : name;
    }

    private void parseAssignment(Block block) throws ConfigException {
        Token keyToken = advance();
        String key = fullKey(keyToken.text());
        Token op = current;
        if (op.kind() != Kind.ASSIGN && op.kind() != Kind.APPEND && op.kind() != Kind.FORCE_ASSIGN) {
            throw op.error("expected '=', '+=' or ':=' after " + keyToken.text() + ", got " + op.describe());
        }
        advance();
        ConfigValue value = parseExpression(block);
        endOfStatement();
        if (key.startsWith("env.")) {
            throw keyToken.error("cannot assign " + key + ": env.* variables are read-only");
        }
        Block.Assignment existing = block.assignments.get(key);
        switch (op.kind()) {
            case ASSIGN -> {
                if (existing != null && !existing.file().equals(PREDEFINED)) {
                    throw keyToken.error("Duplicate config variable " + key + " in block " + block.label()
                            + " (first set at " + existing.file() + ":" + existing.line() + ":" + existing.column()
                            + "; use := to replace or += to append)");
                }
            }
            case APPEND -> {
                Block.Assignment visible = block.lookup(key);
                if (visible != null) {
                    value = Values.merge(visible.value(), value, op);
                }
            }
            default -> { }
        }
        block.assignments.put(key, new Block.Assignment(key, value, keyToken.file(), keyToken.line(), keyToken.column()));
    }

    /** After a value: a line end, '}' or the start of another statement (lighttpd needs no line end there). */
    private void endOfStatement() throws ConfigException {
        switch (current.kind()) {
            case EOL, EOF, RBRACE, NAME, DOLLAR, INCLUDE, INCLUDE_SHELL, GLOBAL -> { }
            case STRING, INTEGER, LPAREN -> throw current.error("expected end of line or '+' before "
                    + current.describe() + " (two values in a row need '+' between them)");
            default -> throw current.error("expected end of line after the value, got " + current.describe());
        }
    }

    private ConfigValue parseExpression(Block scope) throws ConfigException {
        ConfigValue value = parseValue(scope);
        while (current.kind() == Kind.PLUS) {
            Token plus = advance();
            value = Values.merge(value, parseValue(scope), plus);
        }
        return value;
    }

    private ConfigValue parseValue(Block scope) throws ConfigException {
        Token t = current;
        switch (t.kind()) {
            case STRING -> {
                advance();
                return new ConfigValue.Str(t.text());
            }
            case INTEGER -> {
                advance();
                try {
                    return new ConfigValue.Int(Long.parseLong(t.text()));
                } catch (NumberFormatException e) {
                    throw t.error("integer " + t.text() + " is too large");
                }
            }
            case NAME -> {
                advance();
                return variable(scope, t);
            }
            case LPAREN -> {
                return parseArray(scope);
            }
            default -> throw t.error("expected a value (string, integer, variable or array), got " + t.describe());
        }
    }

    private ConfigValue variable(Block scope, Token t) throws ConfigException {
        String key = fullKey(t.text());
        if (key.startsWith("env.")) {
            String name = key.substring(4);
            String v = System.getenv(name);
            if (v == null) {
                throw t.error("undefined environment variable " + name + " (" + key + ")");
            }
            return new ConfigValue.Str(v);
        }
        Block.Assignment a = scope.lookup(key);
        if (a == null) {
            throw t.error("undefined config variable " + key);
        }
        return a.value();
    }

    private void enter(Token at) throws ConfigException {
        if (++nesting > MAX_NESTING) {
            throw at.error("nested deeper than " + MAX_NESTING + " levels");
        }
    }

    private ConfigValue parseArray(Block scope) throws ConfigException {
        enter(current);
        try {
            return parseArrayElements(scope);
        } finally {
            nesting--;
        }
    }

    private ConfigValue parseArrayElements(Block scope) throws ConfigException {
        advance(); // '('
        List<ConfigValue.Arr.Entry> entries = new ArrayList<>();
        Map<String, Token> keys = new HashMap<>();
        while (true) {
            switch (current.kind()) {
                case RPAREN -> {
                    advance();
                    return new ConfigValue.Arr(entries);
                }
                case COMMA -> {
                    advance();
                    continue;
                }
                case EOF -> throw current.error("expected ')' to close the array, got end of file");
                default -> { }
            }
            Token elementStart = current;
            ConfigValue first = parseExpression(scope);
            if (current.kind() == Kind.ARROW) {
                Token arrow = advance();
                String key = switch (first) {
                    case ConfigValue.Str s -> s.value();
                    case ConfigValue.Int i -> Long.toString(i.value());
                    case ConfigValue.Arr a -> throw arrow.error("an array key must be a string or an integer, got an array");
                };
                Token previous = keys.putIfAbsent(key, elementStart);
                if (previous != null) {
                    throw elementStart.error("duplicate array key \"" + key + "\" (first at line " + previous.line()
                            + ", column " + previous.column() + ")");
                }
                entries.add(new ConfigValue.Arr.Entry(key, parseExpression(scope)));
            } else {
                entries.add(new ConfigValue.Arr.Entry(null, first));
            }
            switch (current.kind()) {
                case COMMA, RPAREN -> { }
                case EOF -> throw current.error("expected ')' to close the array, got end of file");
                case ASSIGN -> throw current.error("use '=>' for keyed array elements, not '='");
                case STRING, INTEGER, NAME, LPAREN -> throw current.error("expected ',' or ')' before "
                        + current.describe() + " (missing comma after the previous value?)");
                default -> throw current.error("expected ',' or ')' in array, got " + current.describe());
            }
        }
    }

    private void parseConditionChain(Block parent) throws ConfigException {
        Block previous = null;
        while (true) {
            Block block;
            if (current.kind() == Kind.DOLLAR) {
                block = parseConditionHead(parent, previous);
            } else {
                // plain else: always true when every earlier branch failed; ends the chain
                block = blockFor(parent, previous, null, "else");
                skipEols();
                parseBody(block);
                return;
            }
            parseBody(block);
            previous = block;
            // an else may follow after line ends; anything else ends the chain (line ends are no-ops)
            skipEols();
            if (current.kind() != Kind.ELSE) {
                return;
            }
            advance();
            if (current.kind() != Kind.DOLLAR && current.kind() != Kind.LBRACE) {
                throw current.error("expected a condition or '{' after else, got " + current.describe());
            }
        }
    }

    private Block parseConditionHead(Block parent, Block previous) throws ConfigException {
        Token dollar = advance();
        Token variable = expect(Kind.NAME, "a condition variable after '$' (HTTP, REQUEST_HEADER or SERVER)");
        expect(Kind.LBRACKET, "'[' after $" + variable.text());
        Token nameAt = current;
        ConfigValue name = parseExpression(parent);
        if (!(name instanceof ConfigValue.Str fieldName)) {
            throw nameAt.error("the field name in $" + variable.text() + "[...] must be a string, got " + name.typeName());
        }
        expect(Kind.RBRACKET, "']' after the field name");
        Token opToken = current;
        Condition.Operator op = switch (opToken.kind()) {
            case EQ -> Condition.Operator.EQ;
            case NE -> Condition.Operator.NE;
            case MATCH -> Condition.Operator.MATCH;
            case NOMATCH -> Condition.Operator.NOMATCH;
            case PREFIX -> Condition.Operator.PREFIX;
            case SUFFIX -> Condition.Operator.SUFFIX;
            default -> throw opToken.error("expected a comparison (==, !=, =~, !~, =^ or =$), got " + opToken.describe());
        };
        advance();
        Token valueAt = current;
        ConfigValue value = parseExpression(parent);
        if (!(value instanceof ConfigValue.Str s)) {
            throw valueAt.error("the right side of a condition must be a string, got " + value.typeName());
        }
        Condition condition = Condition.create(variable.text(), fieldName.value(), op, s.value(), dollar, valueAt);
        return blockFor(parent, previous, condition, condition.text());
    }

    /** The block for a condition; the same condition text at the same place is the same block, as in lighttpd. */
    private Block blockFor(Block parent, Block previous, Condition condition, String text) {
        String key = parent.id + "/" + (previous == null ? "-" : previous.id) + "/" + text;
        Block block = state.byText.get(key);
        if (block == null) {
            block = new Block(state.blocks.size(), parent, condition, previous);
            state.blocks.add(block);
            state.byText.put(key, block);
            parent.children.add(block);
            if (previous != null && previous.next == null) {
                previous.next = block;
            }
        }
        return block;
    }

    private void parseBody(Block block) throws ConfigException {
        skipEols();
        enter(current);
        expect(Kind.LBRACE, "'{' to open the block of " + block.label());
        parseStatements(block, false);
        expect(Kind.RBRACE, "'}' closing the block of " + block.label());
        nesting--;
    }

    private void parseInclude(Block block) throws ConfigException {
        Token keyword = advance();
        Token argAt = current;
        ConfigValue arg = parseExpression(block);
        endOfStatement();
        if (!(arg instanceof ConfigValue.Str s)) {
            throw argAt.error(keyword.text() + " needs a string, got " + arg.typeName());
        }
        if (includeDepth + 1 > MAX_INCLUDE_DEPTH) {
            throw keyword.error(keyword.text() + " \"" + s.value() + "\": includes nested deeper than "
                    + MAX_INCLUDE_DEPTH + " levels (include loop?)");
        }
        List<Includes.Source> sources = keyword.kind() == Kind.INCLUDE
                ? state.includes.files(s.value(), keyword)
                : List.of(state.includes.shell(s.value(), keyword));
        for (Includes.Source source : sources) {
            new Parser(state, source.name(), source.text(), includeDepth + 1).parseInto(block);
        }
    }
}
