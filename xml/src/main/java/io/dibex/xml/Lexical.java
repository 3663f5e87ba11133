package io.dibex.xml;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.UUID;

/**
 * The lexical forms of values on the wire, parsed strictly and written in one form each. Parsers
 * work on a range of a character buffer, so that a typed value never becomes a String first, and
 * throw {@link IllegalArgumentException} saying what is wrong; the readers add where.
 *
 * <ul>
 *   <li>Header numbers: {@code [1-9][0-9]{0,18}} fitting a long ({@code 0} too where allowed).</li>
 *   <li>Decimals: {@code xs:decimal} without exponent: {@code [+-]?} digits with at most one
 *       {@code .}, at least one digit; the scale is the number of digits after the point.</li>
 *   <li>Longs: {@code [+-]?[0-9]+} fitting a long. Booleans: {@code true}, {@code false}, {@code 1},
 *       {@code 0}.</li>
 *   <li>Dates {@code YYYY-MM-DD}, date-times {@code YYYY-MM-DDThh:mm:ss[.f{1,9}]}, instants the same
 *       with {@code Z} or {@code ±hh:mm}; years of four digits or more, negative with {@code -}.</li>
 *   <li>UUIDs: {@code 8-4-4-4-12} hex digits.</li>
 * </ul>
 */
final class Lexical {

    /** The all-zero UUID: 1C's empty reference. */
    static final String ZERO_UUID = "00000000-0000-0000-0000-000000000000";
    /** 1C's empty date. */
    static final LocalDate EMPTY_DATE = LocalDate.of(1, 1, 1);
    /** 1C's empty date-time. */
    static final LocalDateTime EMPTY_DATE_TIME = EMPTY_DATE.atStartOfDay();

    private static final char[] LONG_MAX = Long.toString(Long.MAX_VALUE).toCharArray();
    /**
     * The most digits a decimal may have on the wire. Reading a number takes time quadratic in its
     * digits (1,600,000 digits take half a minute), so the format bounds it; 4096 digits are far
     * more than any database column or 1C number holds.
     */
    static final int MAX_DECIMAL_DIGITS = 4096;
    private static final int SECONDS_PER_DAY = 86_400;

    private Lexical() {
    }

    // ---- numbers

    /**
     * A header number: {@code [1-9][0-9]{0,18}} fitting a long, or {@code 0} when allowed.
     *
     * @return the number, or -1 when the text is not one
     */
    static long headerNumber(char[] c, int len, boolean allowZero) {
        if (len == 1 && c[0] == '0') {
            return allowZero ? 0 : -1;
        }
        if (len < 1 || len > 19 || c[0] < '1' || c[0] > '9') {
            return -1;
        }
        for (int i = 1; i < len; i++) {
            if (c[i] < '0' || c[i] > '9') {
                return -1;
            }
        }
        if (len == 19) {
            for (int i = 0; i < 19; i++) {
                if (c[i] != LONG_MAX[i]) {
                    if (c[i] > LONG_MAX[i]) {
                        return -1;
                    }
                    break;
                }
            }
        }
        long v = 0;
        for (int i = 0; i < len; i++) {
            v = v * 10 + (c[i] - '0');
        }
        return v;
    }

    /** An {@code xs:decimal} without exponent; the scale is the number of fraction digits. */
    static BigDecimal decimal(char[] c, int off, int len) {
        int end = off + len;
        int i = off;
        boolean negative = false;
        if (i < end && (c[i] == '+' || c[i] == '-')) {
            negative = c[i] == '-';
            i++;
        }
        int digits = 0;
        int scale = -1;
        long unscaled = 0;
        for (; i < end; i++) {
            char ch = c[i];
            if (ch >= '0' && ch <= '9') {
                digits++;
                if (scale >= 0) {
                    scale++;
                }
                if (digits <= 18) {
                    unscaled = unscaled * 10 + (ch - '0');
                }
            } else if (ch == '.' && scale < 0) {
                scale = 0;
            } else {
                throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len))
                        + " is not a decimal: write [+-]digits[.digits] with no exponent, sign other than a leading one,"
                        + " or spaces");
            }
        }
        if (digits == 0) {
            throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " is not a decimal: it has no digit");
        }
        if (digits > MAX_DECIMAL_DIGITS) {
            throw new IllegalArgumentException("a decimal of " + digits + " digits is longer than the format's "
                    + MAX_DECIMAL_DIGITS);
        }
        if (scale < 0) {
            scale = 0;
        }
        if (digits <= 18) {
            return BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
        }
        // Checked above to be the xs:decimal form, which BigDecimal reads as the same number and scale.
        return new BigDecimal(c, off, len);
    }

    /** The number of digits of a decimal's plain form (without exponent). */
    static long plainDigits(BigDecimal d) {
        long precision = d.precision();
        long scale = d.scale();
        if (scale <= 0) {
            return precision - scale;
        }
        return scale >= precision ? scale + 1 : precision;
    }

    /** The decimal's plain digits; a negative scale is written as the whole number it is. */
    static String decimal(BigDecimal d) {
        return d.toPlainString();
    }

    /** A long: {@code [+-]?[0-9]+}. */
    static long parseLong(char[] c, int off, int len) {
        int end = off + len;
        int i = off;
        boolean negative = false;
        if (i < end && (c[i] == '+' || c[i] == '-')) {
            negative = c[i] == '-';
            i++;
        }
        if (i == end) {
            throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " is not an integer");
        }
        long v = 0;
        for (; i < end; i++) {
            char ch = c[i];
            if (ch < '0' || ch > '9') {
                throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " is not an integer");
            }
            // Accumulate negatively: Long.MIN_VALUE has no positive counterpart.
            long next = v * 10 - (ch - '0');
            if (v < Long.MIN_VALUE / 10 || next > v) {
                throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " does not fit a long");
            }
            v = next;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " does not fit a long");
            }
            v = -v;
        }
        return v;
    }

    /** A boolean: {@code true}, {@code false}, {@code 1} or {@code 0}. */
    static boolean parseBoolean(char[] c, int off, int len) {
        if (is(c, off, len, "true") || is(c, off, len, "1")) {
            return true;
        }
        if (is(c, off, len, "false") || is(c, off, len, "0")) {
            return false;
        }
        throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " is not a boolean: write true or false");
    }

    /** Whether the range holds exactly {@code s}. */
    static boolean is(char[] c, int off, int len, String s) {
        if (len != s.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (c[off + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // ---- UUIDs

    /** A UUID in the {@code 8-4-4-4-12} form, either case. */
    static UUID uuid(char[] c, int off, int len) {
        if (len != 36) {
            throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " is not a UUID");
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 36; i++) {
            char ch = c[off + i];
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (ch != '-') {
                    throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " is not a UUID");
                }
                continue;
            }
            int v = Character.digit(ch, 16);
            if (v < 0 || ch > 'f') {
                throw new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " is not a UUID");
            }
            if (i < 18) {
                hi = (hi << 4) | v;
            } else {
                lo = (lo << 4) | v;
            }
        }
        return new UUID(hi, lo);
    }

    // ---- dates and times

    /** A parsed date-time: the local fields, and the offset in seconds if one was written. */
    static final class DateTime {
        final long year;
        final int month;
        final int day;
        final int hour;
        final int minute;
        final int second;
        final int nano;
        final boolean hasTime;
        final boolean hasOffset;
        final int offsetSeconds;

        DateTime(long year, int month, int day, int hour, int minute, int second, int nano, boolean hasTime,
                boolean hasOffset, int offsetSeconds) {
            this.year = year;
            this.month = month;
            this.day = day;
            this.hour = hour;
            this.minute = minute;
            this.second = second;
            this.nano = nano;
            this.hasTime = hasTime;
            this.hasOffset = hasOffset;
            this.offsetSeconds = offsetSeconds;
        }

        boolean isMidnight() {
            return hour == 0 && minute == 0 && second == 0 && nano == 0;
        }

        LocalDate date() {
            if (year < LocalDate.MIN.getYear() || year > LocalDate.MAX.getYear()) {
                throw new IllegalArgumentException("year " + year + " is out of range");
            }
            return LocalDate.of((int) year, month, day);
        }

        LocalDateTime localDateTime() {
            return LocalDateTime.of(date(), LocalTime.of(hour, minute, second, nano));
        }

        Instant instant() {
            long seconds = Math.addExact(Math.multiplyExact(epochDay(year, month, day), SECONDS_PER_DAY),
                    hour * 3600L + minute * 60L + second - offsetSeconds);
            if (seconds < Instant.MIN.getEpochSecond() || seconds > Instant.MAX.getEpochSecond()) {
                throw new IllegalArgumentException("the instant is out of range");
            }
            return Instant.ofEpochSecond(seconds, nano);
        }
    }

    /**
     * A date ({@code YYYY-MM-DD}) or a date-time ({@code YYYY-MM-DDThh:mm:ss[.fraction][offset]}).
     *
     * @param timeRequired whether a date alone is refused
     */
    static DateTime dateTime(char[] c, int off, int len, boolean timeRequired) {
        int end = off + len;
        int i = off;
        boolean negative = false;
        if (i < end && c[i] == '-') {
            negative = true;
            i++;
        }
        int yearStart = i;
        while (i < end && c[i] >= '0' && c[i] <= '9') {
            i++;
        }
        int yearDigits = i - yearStart;
        if (yearDigits < 4 || yearDigits > 10 || yearDigits > 4 && c[yearStart] == '0') {
            throw bad(c, off, len, "the year must have four digits or more, without leading zeros past four");
        }
        long year = 0;
        for (int k = yearStart; k < i; k++) {
            year = year * 10 + (c[k] - '0');
        }
        if (negative) {
            year = -year;
        }
        int month = two(c, off, len, i + 1, end, '-');
        int day = two(c, off, len, i + 4, end, '-');
        i += 6;
        if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
            throw bad(c, off, len, "there is no such day");
        }
        if (i == end) {
            if (timeRequired) {
                throw bad(c, off, len, "a time is required: write YYYY-MM-DDThh:mm:ss");
            }
            return new DateTime(year, month, day, 0, 0, 0, 0, false, false, 0);
        }
        int hour = two(c, off, len, i + 1, end, 'T');
        int minute = two(c, off, len, i + 4, end, ':');
        int second = two(c, off, len, i + 7, end, ':');
        i += 9;
        if (hour > 23 || minute > 59 || second > 59) {
            throw bad(c, off, len, "there is no such time of day");
        }
        int nano = 0;
        if (i < end && c[i] == '.') {
            i++;
            int digits = 0;
            while (i < end && c[i] >= '0' && c[i] <= '9') {
                if (++digits > 9) {
                    throw bad(c, off, len, "more than nine digits of a second cannot be kept exactly");
                }
                nano = nano * 10 + (c[i] - '0');
                i++;
            }
            if (digits == 0) {
                throw bad(c, off, len, "a '.' must be followed by digits");
            }
            for (int k = digits; k < 9; k++) {
                nano *= 10;
            }
        }
        if (i == end) {
            return new DateTime(year, month, day, hour, minute, second, nano, true, false, 0);
        }
        int offset;
        if (c[i] == 'Z' && i + 1 == end) {
            offset = 0;
        } else if ((c[i] == '+' || c[i] == '-') && i + 6 == end) {
            int oh = two(c, off, len, i + 1, end, (char) 0);
            int om = two(c, off, len, i + 4, end, ':');
            if (oh > 14 || om > 59 || oh == 14 && om > 0) {
                throw bad(c, off, len, "the offset must be within ±14:00");
            }
            offset = (oh * 3600 + om * 60) * (c[i] == '-' ? -1 : 1);
        } else {
            throw bad(c, off, len, "write the offset as Z or ±hh:mm");
        }
        return new DateTime(year, month, day, hour, minute, second, nano, true, true, offset);
    }

    /** Two digits at {@code at}, preceded by {@code sep} at {@code at - 1} unless sep is 0. */
    private static int two(char[] c, int off, int len, int at, int end, char sep) {
        if (at + 2 > end || sep != 0 && (at - 1 < off || c[at - 1] != sep)) {
            throw bad(c, off, len, "expected the form YYYY-MM-DD[Thh:mm:ss[.fraction][Z|±hh:mm]]");
        }
        char a = c[at];
        char b = c[at + 1];
        if (a < '0' || a > '9' || b < '0' || b > '9') {
            throw bad(c, off, len, "expected the form YYYY-MM-DD[Thh:mm:ss[.fraction][Z|±hh:mm]]");
        }
        return (a - '0') * 10 + (b - '0');
    }

    private static IllegalArgumentException bad(char[] c, int off, int len, String why) {
        return new IllegalArgumentException(XmlInput.quote(new String(c, off, len)) + " is not a valid date or time: "
                + why);
    }

    private static boolean isLeap(long year) {
        return Math.floorMod(year, 4) == 0 && (Math.floorMod(year, 100) != 0 || Math.floorMod(year, 400) == 0);
    }

    private static int daysIn(long year, int month) {
        switch (month) {
            case 2:
                return isLeap(year) ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** Days from 1970-01-01 to a proleptic Gregorian date, for any year (H. Hinnant's algorithm). */
    static long epochDay(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /** Appends a date's {@code YYYY-MM-DD}. */
    static void date(StringBuilder s, LocalDate d) {
        civil(s, d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    /** A date's text. */
    static String date(LocalDate d) {
        StringBuilder s = new StringBuilder(10);
        date(s, d);
        return s.toString();
    }

    /** A zone-less date-time's text: {@code YYYY-MM-DDThh:mm:ss[.fraction]}. */
    static String dateTime(LocalDateTime t) {
        StringBuilder s = new StringBuilder(29);
        date(s, t.toLocalDate());
        time(s, t.getHour(), t.getMinute(), t.getSecond(), t.getNano());
        return s.toString();
    }

    /** An instant's text in UTC: {@code YYYY-MM-DDThh:mm:ss[.fraction]Z}, for any instant. */
    static String instant(Instant i) {
        long day = Math.floorDiv(i.getEpochSecond(), SECONDS_PER_DAY);
        int secs = Math.floorMod(i.getEpochSecond(), SECONDS_PER_DAY);
        // Inverse of epochDay (H. Hinnant's algorithm).
        long z = day + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int d = (int) (doy - (153 * mp + 2) / 5 + 1);
        int m = (int) (mp < 10 ? mp + 3 : mp - 9);
        long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        StringBuilder s = new StringBuilder(32);
        civil(s, y, m, d);
        time(s, secs / 3600, secs / 60 % 60, secs % 60, i.getNano());
        return s.append('Z').toString();
    }

    private static void civil(StringBuilder s, long year, int month, int day) {
        if (year < 0) {
            s.append('-');
        }
        String y = Long.toString(Math.abs(year));
        for (int k = y.length(); k < 4; k++) {
            s.append('0');
        }
        s.append(y).append('-');
        pad2(s, month);
        s.append('-');
        pad2(s, day);
    }

    private static void time(StringBuilder s, int hour, int minute, int second, int nano) {
        s.append('T');
        pad2(s, hour);
        s.append(':');
        pad2(s, minute);
        s.append(':');
        pad2(s, second);
        if (nano != 0) {
            String f = Integer.toString(nano + 1_000_000_000).substring(1);
            int n = 9;
            while (f.charAt(n - 1) == '0') {
                n--;
            }
            s.append('.').append(f, 0, n);
        }
    }

    private static void pad2(StringBuilder s, int v) {
        if (v < 10) {
            s.append('0');
        }
        s.append(v);
    }
}
