package io.lightgate.modules.staticfile;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 §5.6.7): IMF-fixdate out; all three formats in, told apart by length as
 * lighttpd does (http_date.c): exactly 29 characters is IMF-fixdate, longer is RFC 850, shorter is
 * asctime. Field values are not range-checked but normalised (like timegm), as lighttpd does.
 */
public final class HttpDates {
    private HttpDates() { }

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String[] DAYS = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    private static final String[] MONTHS =
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    private record Cached(long seconds, String text) { }

    // most responses in a second carry the same few dates; one entry saves the formatting
    private static volatile Cached last = new Cached(Long.MIN_VALUE, "");

    /** IMF-fixdate for {@code epochSeconds}, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
    public static String format(long epochSeconds) {
        Cached c = last;
        if (c.seconds() == epochSeconds) {
            return c.text();
        }
        String text = IMF_FIXDATE.format(java.time.Instant.ofEpochSecond(epochSeconds));
        last = new Cached(epochSeconds, text);
        return text;
    }

    /** Seconds since the epoch, or null when {@code s} is not an HTTP-date. */
    public static Long parse(String s) {
        if (s.length() == 29) {
            return imfFixdate(s);
        }
        return s.length() > 29 ? rfc850(s) : asctime(s);
    }

    private static Long imfFixdate(String s) {
        // Sun, 06 Nov 1994 08:49:37 GMT
        if (dayIndex(s, 0) < 0 || s.charAt(3) != ',' || s.charAt(4) != ' ' || s.charAt(7) != ' '
                || s.charAt(11) != ' ' || !s.startsWith(" GMT", 25)) {
            return null;
        }
        int mday = digits(s, 5, 2);
        int mon = monthIndex(s, 8);
        int year = digits(s, 12, 4);
        return time(s, 16, year, mon, mday);
    }

    private static Long rfc850(String s) {
        // Sunday, 06-Nov-94 08:49:37 GMT
        if (dayIndex(s, 0) < 0) {
            return null;
        }
        int comma = s.indexOf(',');
        if (comma < 0 || s.length() != comma + 24 || s.charAt(comma + 1) != ' ' || s.charAt(comma + 4) != '-'
                || s.charAt(comma + 8) != '-' || !s.startsWith(" GMT", comma + 20)) {
            return null;
        }
        int mday = digits(s, comma + 2, 2);
        int mon = monthIndex(s, comma + 5);
        int yy = digits(s, comma + 9, 2);
        if (yy < 0) {
            return null;
        }
        int current = LocalDateTime.now(ZoneOffset.UTC).getYear();
        int year = current - current % 100 + yy;
        if (year > current + 50) {
            year -= 100;
        }
        return time(s, comma + 11, year, mon, mday);
    }

    private static Long asctime(String s) {
        // Sun Nov  6 08:49:37 1994
        if (s.length() != 24 || dayIndex(s, 0) < 0 || s.charAt(3) != ' ' || s.charAt(7) != ' '
                || s.charAt(19) != ' ') {
            return null;
        }
        int mon = monthIndex(s, 4);
        int mday = s.charAt(8) == ' ' ? digits(s, 9, 1) : digits(s, 8, 2);
        int year = digits(s, 20, 4);
        return time(s, 10, year, mon, mday);
    }

    /** Parses " HH:MM:SS" at {@code at} and combines it with the date, normalising like timegm. */
    private static Long time(String s, int at, int year, int mon, int mday) {
        if (s.charAt(at) != ' ' || s.charAt(at + 3) != ':' || s.charAt(at + 6) != ':') {
            return null;
        }
        int h = digits(s, at + 1, 2);
        int m = digits(s, at + 4, 2);
        int sec = digits(s, at + 7, 2);
        if (year < 0 || mon < 0 || mday < 0 || h < 0 || m < 0 || sec < 0) {
            return null;
        }
        return LocalDateTime.of(year, 1, 1, 0, 0).plusMonths(mon).plusDays(mday - 1L)
                .plusHours(h).plusMinutes(m).plusSeconds(sec).toEpochSecond(ZoneOffset.UTC);
    }

    private static int digits(String s, int at, int n) {
        int v = 0;
        for (int i = at; i < at + n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int dayIndex(String s, int at) {
        for (int i = 0; i < DAYS.length; i++) {
            if (s.startsWith(DAYS[i], at)) {
                return i;
            }
        }
        return -1;
    }

    private static int monthIndex(String s, int at) {
        for (int i = 0; i < MONTHS.length; i++) {
            if (s.startsWith(MONTHS[i], at)) {
                return i;
            }
        }
        return -1;
    }
}
