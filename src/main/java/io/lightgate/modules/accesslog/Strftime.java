package io.lightgate.modules.accesslog;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * The strftime(3) conversions used in access log time formats, in the C locale. An unknown
 * conversion is copied as written (glibc does the same).
 */
final class Strftime {
    private Strftime() { }

    /** lighttpd's default %t: "[10/Oct/2000:13:55:36 -0700]" in local time. */
    static final String CLF = "[%d/%b/%Y:%H:%M:%S %z]";

    static String format(String pattern, ZonedDateTime t) {
        StringBuilder b = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                b.append(c);
                continue;
            }
            char f = pattern.charAt(++i);
            switch (f) {
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'C' -> pad(b, t.getYear() / 100, 2, '0');
                case 'd' -> pad(b, t.getDayOfMonth(), 2, '0');
                case 'e' -> pad(b, t.getDayOfMonth(), 2, ' ');
                case 'D' -> b.append(format("%m/%d/%y", t));
                case 'F' -> b.append(format("%Y-%m-%d", t));
                case 'H' -> pad(b, t.getHour(), 2, '0');
                case 'k' -> pad(b, t.getHour(), 2, ' ');
                case 'I' -> pad(b, hour12(t), 2, '0');
                case 'l' -> pad(b, hour12(t), 2, ' ');
                case 'j' -> pad(b, t.getDayOfYear(), 3, '0');
                case 'm' -> pad(b, t.getMonthValue(), 2, '0');
                case 'M' -> pad(b, t.getMinute(), 2, '0');
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'p' -> b.append(t.getHour() < 12 ? "AM" : "PM");
                case 'R' -> b.append(format("%H:%M", t));
                case 'T' -> b.append(format("%H:%M:%S", t));
                case 'r' -> b.append(format("%I:%M:%S %p", t));
                case 'c' -> b.append(format("%a %b %e %H:%M:%S %Y", t));
                case 'x' -> b.append(format("%m/%d/%y", t));
                case 'X' -> b.append(format("%H:%M:%S", t));
                case 's' -> b.append(t.toEpochSecond());
                case 'S' -> pad(b, t.getSecond(), 2, '0');
                case 'u' -> b.append(t.getDayOfWeek().getValue());
                case 'w' -> b.append(t.getDayOfWeek().getValue() % 7);
                case 'y' -> pad(b, t.getYear() % 100, 2, '0');
                case 'Y' -> b.append(t.getYear());
                case 'z' -> offset(b, t.getOffset().getTotalSeconds());
                case 'Z' -> b.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case '%' -> b.append('%');
                default -> b.append('%').append(f);
            }
        }
        return b.toString();
    }

    private static int hour12(ZonedDateTime t) {
        int h = t.getHour() % 12;
        return h == 0 ? 12 : h;
    }

    private static void pad(StringBuilder b, int v, int width, char fill) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            b.append(fill);
        }
        b.append(s);
    }

    private static void offset(StringBuilder b, int seconds) {
        b.append(seconds < 0 ? '-' : '+');
        int abs = Math.abs(seconds) / 60;
        pad(b, abs / 60, 2, '0');
        pad(b, abs % 60, 2, '0');
    }
}
