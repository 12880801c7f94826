package io.lightgate.modules.staticfile;

import io.lightgate.http.HttpText;
import java.util.ArrayList;
import java.util.List;

/**
 * The Range header (RFC 9110 §14.2) as lighttpd evaluates it (http_range.c): the unit must be
 * {@code bytes} (any case), otherwise the header is ignored; each range-spec that is malformed or
 * starts at or past the end is skipped; at most {@value #MAX_RANGES} specs are read; none left means
 * 416. Ranges that overlap or lie less than {@value #MERGE_GAP} bytes apart are merged (a part header
 * costs about that much); the rest keep request order.
 */
public final class ByteRanges {
    private ByteRanges() { }

    static final int MAX_RANGES = 10;
    static final int MERGE_GAP = 80;

    /** An inclusive byte range {@code first..last} of a representation. */
    public record Range(long first, long last) {
        public long length() { return last - first + 1; }
    }

    /** What a Range header asks of a representation of a given length. */
    public sealed interface Outcome permits Ignore, Unsatisfiable, Satisfiable { }

    /** Serve the whole representation (unknown unit, or nothing to range over). */
    public record Ignore() implements Outcome { }

    /** 416, with a Content-Range that names only the length. */
    public record Unsatisfiable() implements Outcome { }

    /** 206: one range, or several for multipart/byteranges. */
    public record Satisfiable(List<Range> ranges) implements Outcome {
        public Satisfiable { ranges = List.copyOf(ranges); }
    }

    public static Outcome evaluate(String header, long length) {
        if (length == 0 || header.length() < 6 || !header.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Ignore();
        }
        List<Range> ranges = new ArrayList<>();
        int specs = 0;
        for (String spec : header.substring(6).split(",", -1)) {
            if (specs++ == MAX_RANGES) {
                break;
            }
            Range r = parseSpec(spec, length);
            if (r != null) {
                ranges.add(r);
            }
        }
        if (ranges.isEmpty()) {
            return new Unsatisfiable();
        }
        return new Satisfiable(ranges.size() == 1 ? ranges : coalesce(ranges));
    }

    /** One byte-range-spec or suffix-byte-range-spec; null when malformed or unsatisfiable. */
    static Range parseSpec(String raw, long length) {
        String spec = HttpText.trimOws(raw);
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String firstText = HttpText.trimOws(spec.substring(0, dash));
        String lastText = HttpText.trimOws(spec.substring(dash + 1));
        if (firstText.isEmpty()) {
            long suffix = digits(lastText);
            if (suffix <= 0) {
                return null; // "-0" and "-" select nothing
            }
            return new Range(Math.max(0, length - suffix), length - 1);
        }
        long first = digits(firstText);
        if (first < 0 || first >= length) {
            return null;
        }
        if (lastText.isEmpty()) {
            return new Range(first, length - 1);
        }
        long last = digits(lastText);
        if (last < first) {
            return null;
        }
        return new Range(first, Math.min(last, length - 1));
    }

    /** Merges overlapping and nearly adjacent ranges into the earlier one, keeping request order. */
    static List<Range> coalesce(List<Range> in) {
        List<Range> out = new ArrayList<>(in);
        boolean merged = true;
        while (merged) {
            merged = false;
            outer:
            for (int i = 0; i < out.size(); i++) {
                for (int j = i + 1; j < out.size(); j++) {
                    Range a = out.get(i);
                    Range b = out.get(j);
                    boolean apart = a.first() <= b.first()
                            ? a.last() < b.first() - MERGE_GAP
                            : b.last() < a.first() - MERGE_GAP;
                    if (!apart) {
                        out.set(i, new Range(Math.min(a.first(), b.first()), Math.max(a.last(), b.last())));
                        out.remove(j);
                        merged = true;
                        break outer;
                    }
                }
            }
        }
        return out;
    }

    /** A non-negative decimal (1*DIGIT), or -1 when malformed or too large for a long. */
    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return s.length() > 18 && s.chars().allMatch(c -> c >= '0' && c <= '9') ? Long.MAX_VALUE : -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
