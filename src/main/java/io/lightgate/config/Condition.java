package io.lightgate.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A block's condition ({@code $HTTP["url"] =~ "^/ws/"}), ready to test against a request. Regexes are
 * compiled once; a remote-ip {@code ==}/{@code !=} value is parsed once as an address or CIDR network.
 */
final class Condition {

    /** The condition fields lighttpd knows; the name as written is kept for printing. */
    enum Field {
        URL, HOST, REMOTE_IP, SCHEME, QUERY_STRING, REQUEST_METHOD, REFERER, USER_AGENT, LANGUAGE, COOKIE,
        REQUEST_HEADER, SERVER_SOCKET;

        /** The field for {@code $<variable>["<name>"]}, or null when lighttpd has no such field. */
        static Field of(String variable, String name) {
            return switch (variable) {
                case "HTTP" -> switch (name) {
                    case "url" -> URL;
                    case "host" -> HOST;
                    case "remote-ip", "remoteip" -> REMOTE_IP;
                    case "scheme" -> SCHEME;
                    case "query-string", "querystring" -> QUERY_STRING;
                    case "request-method" -> REQUEST_METHOD;
                    case "referer" -> REFERER;
                    case "user-agent", "useragent" -> USER_AGENT;
                    case "language" -> LANGUAGE;
                    case "cookie" -> COOKIE;
                    default -> null;
                };
                case "REQUEST_HEADER" -> name.isEmpty() ? null : REQUEST_HEADER;
                case "SERVER" -> name.equals("socket") ? SERVER_SOCKET : null;
                default -> null;
            };
        }
    }

    enum Operator {
        EQ("=="), NE("!="), MATCH("=~"), NOMATCH("!~"), PREFIX("=^"), SUFFIX("=$");

        final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    private final String variable;
    private final String name;
    private final Field field;
    private final Operator operator;
    private final String value;
    private final Pattern regex;
    private final IpNetwork network;

    private Condition(String variable, String name, Field field, Operator operator, String value,
            Pattern regex, IpNetwork network) {
        this.variable = variable;
        this.name = name;
        this.field = field;
        this.operator = operator;
        this.value = value;
        this.regex = regex;
        this.network = network;
    }

    /**
     * Builds a condition; {@code at} locates errors. Like lighttpd, a regex that is only an anchored literal
     * becomes the cheaper ==, =^ or =$ test.
     */
    static Condition create(String variable, String name, Operator operator, String value, Token at,
            Token valueAt) throws ConfigException {
        Field field = Field.of(variable, name);
        if (field == null) {
            throw at.error("unknown condition field $" + variable + "[\"" + name + "\"]; expected $HTTP[\"url\"|"
                    + "\"host\"|\"remote-ip\"|\"scheme\"|\"query-string\"|\"request-method\"|\"referer\"|"
                    + "\"user-agent\"|\"language\"|\"cookie\"], $REQUEST_HEADER[\"<name>\"] or $SERVER[\"socket\"]");
        }
        if (operator == Operator.MATCH) {
            Condition literal = literalForm(variable, name, field, value);
            if (literal != null) {
                return literal;
            }
        }
        Pattern regex = null;
        if (operator == Operator.MATCH || operator == Operator.NOMATCH) {
            try {
                regex = Pattern.compile(value);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw valueAt.error("invalid regex \"" + value + "\": " + e.getDescription()
                        + (e.getIndex() >= 0 ? " at offset " + e.getIndex() : ""));
            }
        }
        IpNetwork network = null;
        if (field == Field.REMOTE_IP && (operator == Operator.EQ || operator == Operator.NE)) {
            network = IpNetwork.parse(value);
            if (network == null) {
                throw valueAt.error("invalid IP address or CIDR network \"" + value
                        + "\" (expected e.g. \"10.0.0.1\", \"10.0.0.0/8\" or \"::1/128\")");
            }
        }
        return new Condition(variable, name, field, operator, value, regex, network);
    }

    private static Condition literalForm(String variable, String name, Field field, String regex) {
        boolean anchoredStart = regex.startsWith("^");
        boolean anchoredEnd = regex.endsWith("$") && regex.length() > (anchoredStart ? 1 : 0);
        String body = regex.substring(anchoredStart ? 1 : 0, regex.length() - (anchoredEnd ? 1 : 0));
        if (!anchoredStart && anchoredEnd && body.startsWith("\\.") && isLiteral(body.substring(2))) {
            return new Condition(variable, name, field, Operator.SUFFIX, body.substring(1), null, null);
        }
        if (!isLiteral(body) || !(anchoredStart || anchoredEnd)) {
            return null;
        }
        Operator op = anchoredStart && anchoredEnd ? Operator.EQ : anchoredStart ? Operator.PREFIX : Operator.SUFFIX;
        IpNetwork network = null;
        if (field == Field.REMOTE_IP && op == Operator.EQ) {
            network = IpNetwork.parse(body);
            if (network == null) {
                return null;
            }
        }
        return new Condition(variable, name, field, op, body, null, network);
    }

    private static boolean isLiteral(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (".\\()[]*+?{}|^$".indexOf(s.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    Field field() { return field; }
    Operator operator() { return operator; }
    String value() { return value; }

    /** {@code $HTTP["url"] =^ "/ws/"}: the text -p prints and blocks are merged by. */
    String text() {
        return "$" + variable + "[\"" + Printer.escape(name) + "\"] " + operator.symbol + " \"" + Printer.escape(value) + "\"";
    }

    /**
     * Tests the request; on a matching {@code =~} returns its groups through {@code captures[0]}.
     */
    boolean matches(RequestFacts facts, List<String>[] captures) {
        String actual = fieldValue(facts);
        return switch (operator) {
            case EQ -> equalsValue(actual);
            case NE -> !equalsValue(actual);
            case PREFIX -> actual.startsWith(value);
            case SUFFIX -> actual.endsWith(value);
            case NOMATCH -> !regex.matcher(actual).find();
            case MATCH -> {
                Matcher m = regex.matcher(actual);
                if (!m.find()) {
                    yield false;
                }
                String[] groups = new String[m.groupCount() + 1];
                for (int i = 0; i < groups.length; i++) {
                    String g = m.group(i);
                    groups[i] = g == null ? "" : g;
                }
                captures[0] = List.of(groups);
                yield true;
            }
        };
    }

    private boolean equalsValue(String actual) {
        return switch (field) {
            case REMOTE_IP -> network.contains(actual);
            case HOST -> stripPort(actual).equalsIgnoreCase(value);
            default -> actual.equals(value);
        };
    }

    /** "example.org:8080" -> "example.org", "[::1]:80" -> "[::1]". */
    static String stripPort(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.indexOf(':');
        return colon >= 0 && host.indexOf(':', colon + 1) < 0 ? host.substring(0, colon) : host;
    }

    private String fieldValue(RequestFacts facts) {
        String v = switch (field) {
            case URL -> facts.url();
            case HOST -> facts.host();
            case REMOTE_IP -> facts.remoteIp();
            case SCHEME -> facts.scheme();
            case QUERY_STRING -> facts.queryString();
            case REQUEST_METHOD -> facts.requestMethod();
            case REFERER -> facts.header("Referer");
            case USER_AGENT -> facts.header("User-Agent");
            case LANGUAGE -> facts.header("Accept-Language");
            case COOKIE -> facts.header("Cookie");
            case REQUEST_HEADER -> facts.header(name);
            case SERVER_SOCKET -> facts.serverSocket();
        };
        return v == null ? "" : v;
    }

    /** An address or CIDR network (IPv4 or IPv6), parsed without name lookups. */
    record IpNetwork(byte[] address, int prefixBits) {

        static IpNetwork parse(String text) {
            int slash = text.indexOf('/');
            String addr = slash < 0 ? text : text.substring(0, slash);
            byte[] bytes = literal(addr);
            if (bytes == null) {
                return null;
            }
            int bits = bytes.length * 8;
            if (slash >= 0) {
                String p = text.substring(slash + 1);
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                    return null;
                }
                bits = Integer.parseInt(p);
                if (bits > bytes.length * 8) {
                    return null;
                }
            }
            return new IpNetwork(bytes, bits);
        }

        static byte[] literal(String s) {
            if (s.isEmpty() || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                return null; // only literals: never a name lookup
            }
            try {
                return InetAddress.ofLiteral(s).getAddress();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        boolean contains(String remoteIp) {
            byte[] other = literal(remoteIp);
            if (other == null || other.length != address.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (other[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (other[full] & mask) == (address[full] & mask);
        }
    }
}
