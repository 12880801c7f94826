package io.lightgate.config;

import io.lightgate.config.Token.Kind;

/**
 * Splits config text into tokens (reference §9.1). Newlines inside parentheses and commas outside them are
 * dropped here, so the parser sees neither; consecutive line ends collapse into one EOL token.
 */
final class Tokenizer {
    private static final char NBSP = '\u00a0';

    private final String file;
    private final String text;
    private int pos;
    private int line = 1;
    private int parenDepth;
    private boolean lastWasEol = true;

    Tokenizer(String file, String text) {
        this.file = file;
        this.text = text;
    }

    Token next() throws ConfigException {
        while (true) {
            skipBlanksAndComments();
            if (pos >= text.length()) {
                return make(Kind.EOF, "", line, pos);
            }
            char c = text.charAt(pos);
            if (c == '\n' || c == '\r') {
                int startLine = line;
                int startPos = pos;
                consumeNewline();
                if (parenDepth > 0 || lastWasEol) {
                    continue;
                }
                lastWasEol = true;
                return new Token(Kind.EOL, "\n", file, startLine, startPos - lineStartBefore(startPos) + 1);
            }
            if (c == ',' && parenDepth == 0) {
                pos++;
                continue; // lighttpd skips a comma outside parentheses
            }
            Token t = readToken(c);
            if (t == null) {
                continue; // "if" before "$": ignored
            }
            lastWasEol = false;
            return t;
        }
    }

    private int lineStartBefore(int at) {
        int i = at;
        while (i > 0 && text.charAt(i - 1) != '\n' && text.charAt(i - 1) != '\r') {
            i--;
        }
        return i;
    }

    private void skipBlanksAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == NBSP) {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private void consumeNewline() {
        if (text.charAt(pos) == '\r' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
            pos++;
        }
        pos++;
        line++;
    }

    private Token make(Kind kind, String s, int atLine, int atPos) {
        return new Token(kind, s, file, atLine, atPos - lineStartBefore(atPos) + 1);
    }

    private Token op(Kind kind, int length) {
        Token t = make(kind, text.substring(pos, pos + length), line, pos);
        pos += length;
        return t;
    }

    private Token readToken(char c) throws ConfigException {
        char n = pos + 1 < text.length() ? text.charAt(pos + 1) : 0;
        switch (c) {
            case '"':
                return readString();
            case '(':
                parenDepth++;
                return op(Kind.LPAREN, 1);
            case ')':
                if (parenDepth > 0) {
                    parenDepth--;
                }
                return op(Kind.RPAREN, 1);
            case '{':
                return op(Kind.LBRACE, 1);
            case '}':
                return op(Kind.RBRACE, 1);
            case '[':
                return op(Kind.LBRACKET, 1);
            case ']':
                return op(Kind.RBRACKET, 1);
            case '$':
                return op(Kind.DOLLAR, 1);
            case ',':
                return op(Kind.COMMA, 1);
            case '+':
                return n == '=' ? op(Kind.APPEND, 2) : op(Kind.PLUS, 1);
            case ':':
                if (n == '=') {
                    return op(Kind.FORCE_ASSIGN, 2);
                }
                break;
            case '!':
                if (n == '=') {
                    return op(Kind.NE, 2);
                }
                if (n == '~') {
                    return op(Kind.NOMATCH, 2);
                }
                break;
            case '=':
                return switch (n) {
                    case '=' -> op(Kind.EQ, 2);
                    case '~' -> op(Kind.MATCH, 2);
                    case '^' -> op(Kind.PREFIX, 2);
                    case '$' -> op(Kind.SUFFIX, 2);
                    case '>' -> op(Kind.ARROW, 2);
                    default -> op(Kind.ASSIGN, 1);
                };
            default:
                if (isNameChar(c)) {
                    return readWord();
                }
        }
        throw make(Kind.EOF, "", line, pos).error("unexpected character '" + printable(c) + "'");
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c);
    }

    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }

    private Token readWord() {
        int start = pos;
        while (pos < text.length() && isNameChar(text.charAt(pos))) {
            pos++;
        }
        String word = text.substring(start, pos);
        Token.Kind kind = switch (word) {
            case "include" -> Kind.INCLUDE;
            case "include_shell" -> Kind.INCLUDE_SHELL;
            case "global" -> Kind.GLOBAL;
            case "else", "elif", "elsif", "elseif" -> Kind.ELSE;
            default -> word.chars().allMatch(ch -> ch >= '0' && ch <= '9') ? Kind.INTEGER : Kind.NAME;
        };
        if (word.equals("if") && nextNonBlankIsDollar()) {
            return null;
        }
        return make(kind, word, line, start);
    }

    private boolean nextNonBlankIsDollar() {
        int i = pos;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == NBSP)) {
            i++;
        }
        return i < text.length() && text.charAt(i) == '$';
    }

    /** A string; the only escape is \" (every other backslash stays). Strings may span lines. */
    private Token readString() throws ConfigException {
        int startLine = line;
        int start = pos;
        Token at = make(Kind.STRING, "", startLine, start);
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length()) {
                throw at.error("unterminated string (missing closing quote)");
            }
            char c = text.charAt(pos);
            if (c == '\\' && pos + 1 < text.length() && text.charAt(pos + 1) == '"') {
                sb.append('"');
                pos += 2;
            } else if (c == '"') {
                pos++;
                return new Token(Kind.STRING, sb.toString(), file, at.line(), at.column());
            } else if (c == '\n' || c == '\r') {
                int before = pos;
                consumeNewline();
                sb.append(text, before, pos);
            } else {
                sb.append(c);
                pos++;
            }
        }
    }
}
