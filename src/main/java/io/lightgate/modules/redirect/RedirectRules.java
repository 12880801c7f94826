package io.lightgate.modules.redirect;

import io.lightgate.config.ConfigValue;
import io.lightgate.config.ValueType;
import io.lightgate.http.Percent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One block's {@code url.redirect} list, compiled when the config is read: regex and target, in config order.
 * Like lighttpd (with its default url normalisation) the regex and the target are normalised to match the
 * normalised request target: a %xx is upper-cased, a non-ASCII character becomes its UTF-8 %XX bytes (in the
 * target "%%xx" and "%%XX", as '%' is the condition-capture sign there).
 */
public record RedirectRules(List<Rule> rules) {

    /** lighttpd keeps 20 match offsets: $0 and up to 19 groups. */
    static final int MAX_GROUPS = 19;

    /** A regex and its target (a byte string, see {@link TargetTemplate}); an empty target stops the search. */
    public record Rule(String regex, Pattern pattern, String target) { }

    /** The first rule whose regex finds a match in {@code subject}, with its groups; null when none does. */
    public Match firstMatch(String subject) {
        for (Rule rule : rules) {
            Matcher m = rule.pattern().matcher(subject);
            if (m.find()) {
                List<String> groups = new ArrayList<>(m.groupCount() + 1);
                for (int i = 0; i <= m.groupCount(); i++) {
                    groups.add(m.group(i));
                }
                return new Match(rule, groups);
            }
        }
        return null;
    }

    public record Match(Rule rule, List<String> groups) { }

    /** {@code url.redirect}: an array of "regex" => "target" strings (lighttpd's T_CONFIG_ARRAY_KVSTRING). */
    public static final ValueType<RedirectRules> TYPE = value -> {
        if (!(value instanceof ConfigValue.Arr array)) {
            throw new ValueType.TypeMismatch("expected a list of \"regex\" => \"target\" strings, got "
                    + value.typeName());
        }
        List<Rule> rules = new ArrayList<>(array.entries().size());
        for (ConfigValue.Arr.Entry e : array.entries()) {
            if (e.key() == null || !(e.value() instanceof ConfigValue.Str target)) {
                throw new ValueType.TypeMismatch("expected a list of \"regex\" => \"target\" strings like "
                        + "( \"^/old/(.*)\" => \"/new/$1\" ), got an element "
                        + (e.key() == null ? "without a key" : "\"" + e.key() + "\" => " + e.value().typeName()));
            }
            rules.add(compile(e.key(), target.value()));
        }
        return new RedirectRules(List.copyOf(rules));
    };

    static Rule compile(String regex, String target) throws ValueType.TypeMismatch {
        String normalRegex = normalizeRegex(regex);
        Pattern pattern;
        try {
            pattern = Pattern.compile(normalRegex);
        } catch (PatternSyntaxException e) {
            throw new ValueType.TypeMismatch("regex \"" + regex + "\" does not compile: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " at offset " + e.getIndex() : ""));
        }
        if (pattern.matcher("").groupCount() > MAX_GROUPS) {
            throw new ValueType.TypeMismatch("too many captures in regex \"" + regex + "\" (at most " + MAX_GROUPS
                    + "; use (?:...) instead of (...))");
        }
        return new Rule(regex, pattern, normalizeTarget(target));
    }

    /** pcre_keyvalue_burl_normalize_key: %xx upper-cased, non-ASCII as %XX UTF-8 bytes. */
    static String normalizeRegex(String regex) {
        return normalize(regex, "%");
    }

    /** pcre_keyvalue_burl_normalize_value: %%xx upper-cased, non-ASCII as %%XX UTF-8 bytes. */
    static String normalizeTarget(String target) {
        return normalize(target, "%%");
    }

    private static String normalize(String s, String sign) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if (b > 0x7F) {
                Percent.appendHex(out.append(sign), b);
            } else if (startsWith(bytes, i, sign) && i + sign.length() + 1 < bytes.length
                    && Percent.hexValue((char) bytes[i + sign.length()]) >= 0
                    && Percent.hexValue((char) bytes[i + sign.length() + 1]) >= 0) {
                out.append(sign)
                        .append(Character.toUpperCase((char) bytes[i + sign.length()]))
                        .append(Character.toUpperCase((char) bytes[i + sign.length() + 1]));
                i += sign.length() + 1;
            } else {
                out.append((char) b);
            }
        }
        return out.toString();
    }

    private static boolean startsWith(byte[] bytes, int at, String sign) {
        for (int j = 0; j < sign.length(); j++) {
            if (at + j >= bytes.length || bytes[at + j] != sign.charAt(j)) {
                return false;
            }
        }
        return true;
    }
}
