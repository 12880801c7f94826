package io.lightgate.config;

/** One token of the config language with where it starts (1-based line and column). */
record Token(Kind kind, String text, String file, int line, int column) {

    enum Kind {
        EOL, EOF, STRING, INTEGER, NAME,
        INCLUDE, INCLUDE_SHELL, GLOBAL, ELSE,
        ASSIGN, APPEND, FORCE_ASSIGN, PLUS, ARROW, COMMA,
        LPAREN, RPAREN, LBRACE, RBRACE, LBRACKET, RBRACKET, DOLLAR,
        EQ, NE, MATCH, NOMATCH, PREFIX, SUFFIX
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (kind) {
            case EOL -> "end of line";
            case EOF -> "end of file";
            case STRING -> '"' + abbreviate(text) + '"';
            case INTEGER, NAME -> abbreviate(text);
            default -> "'" + text + "'";
        };
    }

    ConfigException error(String message) {
        return new ConfigException(file, line, column, message);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
