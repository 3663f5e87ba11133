package io.dibex.internal;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The canonical encoding of an object's state and its SHA-256 digest (SPEC §4, §5).
 *
 * <p>Independent of field order (fields, tabular parts and record sets are sorted by name), of
 * the scale of an equal decimal (trailing zeros stripped), of the zone of an equal instant
 * (epoch seconds and nanos); sensitive to every change of content, row order included. Record
 * sets of {@link MigrationPolicy#LOCAL} registers are left out (R11). The byte layout is
 * specified in {@code docs/canonical-digest.md}.
 *
 * <p>Names repeat in every object and row, so their encoded bytes are kept in two small caches
 * shared by all threads: one by name, and one by <em>layout</em> (the field names of a map in
 * their order), which also keeps the layout's sorted order. Both are bounded arrays of immutable
 * entries, overwritten on a collision; a miss only means encoding again. Values are never cached.
 */
public final class Canonical {

    /** The digest of an absent object: what a deletion or a retraction registers (R2, R4). */
    public static final Digest ABSENT = Digest.ABSENT;

    private static final int VERSION = 1;

    private static final RecordSet[] NO_SETS = {};

    // The tag of a value is its type's ordinal; docs/canonical-digest.md fixes the numbers, and its
    // test vectors fail if ValueType's order ever changes.
    private static final int STRING = ValueType.STRING.ordinal();
    private static final int DECIMAL = ValueType.DECIMAL.ordinal();
    private static final int LONG = ValueType.LONG.ordinal();
    private static final int BOOLEAN = ValueType.BOOLEAN.ordinal();
    private static final int DATE = ValueType.DATE.ordinal();
    private static final int DATE_TIME = ValueType.DATE_TIME.ordinal();
    private static final int INSTANT = ValueType.INSTANT.ordinal();
    private static final int REFERENCE = ValueType.REFERENCE.ordinal();
    private static final int ENUM = ValueType.ENUM.ordinal();
    private static final int BINARY = ValueType.BINARY.ordinal();
    private static final int NULL = ValueType.NULL.ordinal();

    private Canonical() {
    }

    /** The digest of {@code object}'s state under {@code plan}'s migration policies. */
    public static Digest digest(ExchangePlan plan, DataObject object) {
        Sink sink = SINKS.get();
        sink.start(null);
        encode(plan, object, sink);
        return Digest.of(sink.finish());
    }

    /**
     * Writes the canonical encoding of {@code object} to {@code out}: the bytes whose SHA-256 is
     * its digest (for the benchmarks and for tests that show the bytes).
     */
    public static void encode(ExchangePlan plan, DataObject object, OutputStream out) throws IOException {
        Sink sink = SINKS.get();
        sink.start(out);
        try {
            encode(plan, object, sink);
            sink.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            sink.start(null);
        }
    }

    private static void encode(ExchangePlan plan, DataObject object, Sink out) {
        out.writeByte(VERSION);
        out.name(object.key().kind());
        out.string(object.key().id());
        fields(out, object.fields());
        tables(out, object.tables());
        List<RecordSet> all = object.recordSets();
        int count = 0;
        RecordSet[] sets = all.isEmpty() ? NO_SETS : new RecordSet[all.size()];
        for (int i = 0; i < all.size(); i++) {
            RecordSet set = all.get(i);
            if (plan.policyOf(set.register()) == MigrationPolicy.MIGRATE) {
                sets[count++] = set;
            }
        }
        if (count > 1) {
            Arrays.sort(sets, 0, count, (a, b) -> a.register().compareTo(b.register()));
        }
        out.writeInt(count);
        for (int i = 0; i < count; i++) {
            out.name(sets[i].register());
            rows(out, sets[i].records());
        }
    }

    private static void tables(Sink out, Map<String, List<Row>> tables) {
        int count = tables.size();
        out.writeInt(count);
        if (count == 0) {
            return;
        }
        Tables t = new Tables(count);
        tables.forEach(t);
        if (count > 1) {
            t.sort();
        }
        for (int i = 0; i < count; i++) {
            out.name(t.names[i]);
            rows(out, t.rows(i));
        }
    }

    private static void rows(Sink out, List<Row> rows) {
        int count = rows.size();
        out.writeInt(count);
        for (int i = 0; i < count; i++) {
            fields(out, rows.get(i).fields());
        }
    }

    private static void fields(Sink out, Map<String, Value> fields) {
        int count = fields.size();
        out.writeInt(count);
        if (count == 0) {
            return;
        }
        Collect map = new Collect(count);
        fields.forEach(map);
        Layout layout = Layout.of(map.names, map.hash);
        int[] order = layout.order;
        byte[][] encoded = layout.encoded;
        Value[] values = map.values;
        for (int k = 0; k < order.length; k++) {
            out.write(encoded[k]);
            value(out, values[order[k]]);
        }
    }

    private static void value(Sink out, Value v) {
        if (v instanceof Value.Text t) {
            out.writeByte(STRING);
            out.string(t.value());
        } else if (v instanceof Value.Decimal d) {
            out.writeByte(DECIMAL);
            decimal(out, d.value());
        } else if (v instanceof Value.Ref r) {
            out.writeByte(REFERENCE);
            out.name(r.key().kind());
            out.string(r.key().id());
        } else if (v instanceof Value.Int64 l) {
            out.writeByte(LONG);
            out.writeLong(l.value());
        } else if (v instanceof Value.Bool b) {
            out.writeByte(BOOLEAN);
            out.writeByte(b.value() ? 1 : 0);
        } else if (v instanceof Value.Date d) {
            out.writeByte(DATE);
            out.writeLong(d.value().toEpochDay());
        } else if (v instanceof Value.DateTime t) {
            out.writeByte(DATE_TIME);
            out.writeLong(t.value().toLocalDate().toEpochDay());
            out.writeLong(t.value().toLocalTime().toNanoOfDay());
        } else if (v instanceof Value.Timestamp t) {
            out.writeByte(INSTANT);
            out.writeLong(t.value().getEpochSecond());
            out.writeInt(t.value().getNano());
        } else if (v instanceof Value.EnumValue e) {
            out.writeByte(ENUM);
            out.name(e.enumeration());
            out.name(e.name());
        } else if (v instanceof Value.Binary b) {
            out.writeByte(BINARY);
            byte[] bytes = b.bytes();
            out.writeInt(bytes.length);
            out.write(bytes, 0, bytes.length);
        } else {
            // Value.Null: the tag alone.
            out.writeByte(NULL);
        }
    }

    /** Scale, then the unscaled value in the fewest two's complement bytes, trailing zeros stripped. */
    private static void decimal(Sink out, BigDecimal d) {
        int scale = d.scale();
        if (d.precision() <= 18 && scale > Integer.MIN_VALUE + 20) {
            // The common case without BigInteger: the same bytes as stripTrailingZeros below. Under
            // 19 digits the unscaled value fits a long; moving the point by the scale gives it
            // without the BigInteger that unscaledValue() would allocate.
            long u = d.scaleByPowerOfTen(scale).longValue();
            if (u == 0) {
                scale = 0;
            }
            while (u != 0 && u % 10 == 0) {
                u /= 10;
                scale--;
            }
            out.writeInt(scale);
            out.unscaled(u);
            return;
        }
        BigDecimal n = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
        byte[] bytes = n.unscaledValue().toByteArray();
        out.writeInt(n.scale());
        out.writeInt(bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    /**
     * Encodes s[from, to) into {@code b} from {@code p}, which has room for 3 bytes a char, and
     * returns where the bytes end.
     */
    private static int chars(String s, int from, int to, byte[] b, int p) {
        int i = from;
        // ASCII first, the usual case of ids, codes and numbers: one byte a char, no other test.
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                break;
            }
            b[p++] = (byte) c;
        }
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | c >> 6);
                b[p++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xF0 | cp >> 18);
                b[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | cp & 0x3F);
            } else {
                b[p++] = (byte) (0xE0 | c >> 12);
                b[p++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return p;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The length prefix and UTF-8 (generalized, see {@link Sink#string}) of a string. */
    private static byte[] encoded(String s) {
        byte[] b = new byte[3 * s.length() + 4];
        int end = chars(s, 0, s.length(), b, 4);
        Sink.putInt(b, 0, end - 4);
        return Arrays.copyOf(b, end);
    }

    /**
     * A name's encoded bytes, cached by the name: kinds, tabular parts, registers and enumerations
     * recur in every object. {@link Names#MAX_LENGTH} bounds a cached name, so the cache stays under
     * a megabyte whatever the input. Unsynchronized, as {@link Names}' cache is: an entry is
     * immutable (its fields final), so a racing reader sees either a whole entry or another one.
     */
    private static final class Name {
        private static final Name[] CACHE = new Name[1024];

        final String name;
        final byte[] encoded;

        private Name(String name) {
            this.name = name;
            this.encoded = encoded(name);
        }

        /** The encoded bytes of {@code s}, or null when {@code s} is too long to cache. */
        static byte[] of(String s) {
            int slot = s.hashCode() & (CACHE.length - 1);
            Name known = CACHE[slot];
            if (known != null && (known.name == s || known.name.equals(s))) {
                return known.encoded;
            }
            if (s.length() > Names.MAX_LENGTH) {
                return null;
            }
            Name fresh = new Name(s);
            CACHE[slot] = fresh;
            return fresh.encoded;
        }
    }

    /**
     * The field names of a map in their order, with those names sorted and their encoded bytes in
     * that order. Maps of one layout (every row of a tabular part, every object of a kind) share
     * one entry. The cache holds {@value #SLOTS} layouts of at most {@value #MAX_FIELDS} fields
     * whose names have at most {@value #MAX_CHARS} characters in all: under 8 MB whatever the
     * input, and about a kilobyte for a typical layout. A larger layout is sorted and encoded each
     * time. Unsynchronized, like {@link Name}: entries are immutable.
     *
     * <p>Finding a cached layout stores no reference anywhere but in objects made for the call: the
     * scratch arrays of a long-lived per-thread object would cost a garbage collector's write
     * barrier on every store, more than the rest of the lookup.
     */
    private static final class Layout {
        private static final int SLOTS = 1024;
        private static final int MAX_FIELDS = 64;
        private static final int MAX_CHARS = 512;
        private static final Layout[] CACHE = new Layout[SLOTS];

        final int hash;
        /** The names in the map's order. */
        final String[] names;
        /** order[k]: the position in the map of the k-th name by {@link String#compareTo}. */
        final int[] order;
        /** encoded[k]: the length prefix and UTF-8 of the k-th name in sorted order. */
        final byte[][] encoded;

        private Layout(int hash, String[] names) {
            this.hash = hash;
            this.names = names;
            Integer[] byName = new Integer[names.length];
            for (int i = 0; i < byName.length; i++) {
                byName[i] = i;
            }
            Arrays.sort(byName, (a, b) -> names[a].compareTo(names[b]));
            this.order = new int[names.length];
            this.encoded = new byte[names.length][];
            for (int k = 0; k < names.length; k++) {
                order[k] = byName[k];
                byte[] cached = Name.of(names[order[k]]);
                encoded[k] = cached != null ? cached : encoded(names[order[k]]);
            }
        }

        /** The layout of a map's names, given in the map's order with their {@link Collect#hash}. */
        static Layout of(String[] names, int h) {
            int slot = (h ^ h >>> 16) & (SLOTS - 1);
            Layout known = CACHE[slot];
            if (known != null && known.hash == h && known.matches(names)) {
                return known;
            }
            Layout fresh = new Layout(h, names);
            int chars = 0;
            for (String name : names) {
                chars += name.length();
            }
            if (names.length <= MAX_FIELDS && chars <= MAX_CHARS) {
                CACHE[slot] = fresh;
            }
            return fresh;
        }

        private boolean matches(String[] other) {
            if (names.length != other.length) {
                return false;
            }
            for (int i = 0; i < other.length; i++) {
                String a = names[i];
                String b = other[i];
                if (a != b && !a.equals(b)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Collects a map's fields in their order, with a hash of the names, into arrays made for the
     * call: stores into the scratch arrays of a long-lived per-thread object measured slower.
     */
    private static final class Collect implements BiConsumer<String, Value> {
        final String[] names;
        final Value[] values;
        int hash;
        private int n;

        Collect(int count) {
            names = new String[count];
            values = new Value[count];
            hash = count;
        }

        @Override
        public void accept(String name, Value value) {
            names[n] = name;
            values[n] = value;
            hash = 31 * hash + name.hashCode();
            n++;
        }
    }

    /** Collects an object's tabular parts, then sorts them by name. */
    private static final class Tables implements BiConsumer<String, List<Row>> {
        final String[] names;
        private final List<?>[] rows;
        private int n;

        Tables(int count) {
            names = new String[count];
            rows = new List<?>[count];
        }

        @Override
        public void accept(String name, List<Row> value) {
            names[n] = name;
            rows[n] = value;
            n++;
        }

        void sort() {
            // Insertion sort: an object has a handful of tabular parts.
            for (int i = 1; i < n; i++) {
                String name = names[i];
                List<?> r = rows[i];
                int j = i - 1;
                while (j >= 0 && names[j].compareTo(name) > 0) {
                    names[j + 1] = names[j];
                    rows[j + 1] = rows[j];
                    j--;
                }
                names[j + 1] = name;
                rows[j + 1] = r;
            }
        }

        @SuppressWarnings("unchecked")
        List<Row> rows(int i) {
            return (List<Row>) rows[i];
        }
    }

    /** One per thread: looking up a MessageDigest costs more than hashing a small object. */
    private static final ThreadLocal<Sink> SINKS = ThreadLocal.withInitial(Sink::new);

    /**
     * Collects the encoding in a fixed buffer and passes it on, full buffer by full buffer, to the
     * SHA-256 or to an output stream: memory stays bounded whatever the object's size.
     */
    private static final class Sink {
        private final byte[] buf = new byte[8192];
        private int n;
        private MessageDigest md;
        private OutputStream out;

        void start(OutputStream target) {
            this.out = target;
            if (target == null) {
                if (md == null) {
                    md = newSha256();
                }
                md.reset();
            }
            n = 0;
        }

        byte[] finish() {
            flush();
            return md.digest();
        }

        void flush() {
            if (out != null) {
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                md.update(buf, 0, n);
            }
            n = 0;
        }

        private void room(int bytes) {
            if (buf.length - n < bytes) {
                flush();
            }
        }

        void writeByte(int b) {
            room(1);
            buf[n++] = (byte) b;
        }

        void writeInt(int v) {
            room(4);
            putInt(buf, n, v);
            n += 4;
        }

        private static void putInt(byte[] b, int at, int v) {
            b[at] = (byte) (v >>> 24);
            b[at + 1] = (byte) (v >>> 16);
            b[at + 2] = (byte) (v >>> 8);
            b[at + 3] = (byte) v;
        }

        void writeLong(long v) {
            room(8);
            putInt(buf, n, (int) (v >>> 32));
            putInt(buf, n + 4, (int) v);
            n += 8;
        }

        /** The length, then {@code u} in the fewest big-endian two's complement bytes that keep its sign. */
        void unscaled(long u) {
            int length = (64 - Long.numberOfLeadingZeros(u < 0 ? ~u : u)) / 8 + 1;
            room(4 + length);
            putInt(buf, n, length);
            int p = n + 4;
            for (int i = length - 1; i >= 0; i--) {
                buf[p++] = (byte) (u >>> (8 * i));
            }
            n = p;
        }

        void write(byte[] b) {
            write(b, 0, b.length);
        }

        void write(byte[] b, int off, int len) {
            if (len > buf.length - n) {
                flush();
                if (len > buf.length) {
                    if (out != null) {
                        try {
                            out.write(b, off, len);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    } else {
                        md.update(b, off, len);
                    }
                    return;
                }
            }
            System.arraycopy(b, off, buf, n, len);
            n += len;
        }

        /** A name, or any string that recurs: its encoded bytes from the cache. */
        void name(String s) {
            byte[] encoded = Name.of(s);
            if (encoded != null) {
                write(encoded);
            } else {
                string(s);
            }
        }

        /**
         * The string's length in bytes, then its characters in UTF-8, where a surrogate that is not
         * half of a pair is encoded as the code point of its value (three bytes, as WTF-8 does), so
         * that different strings never encode alike. {@code String.getBytes} would write '?'.
         */
        void string(String s) {
            int chars = s.length();
            if (3L * chars + 4 <= buf.length) {
                room(3 * chars + 4);
                int at = n;
                n += 4;
                n = chars(s, 0, chars, buf, n);
                putInt(buf, at, n - at - 4);
                return;
            }
            writeInt(utf8Length(s));
            for (int i = 0; i < chars; ) {
                room(3 * 1025 + 1);
                int end = Math.min(chars, i + 1024);
                if (end < chars && Character.isHighSurrogate(s.charAt(end - 1))) {
                    end++; // keep a pair in one piece
                }
                n = chars(s, i, end, buf, n);
                i = end;
            }
        }

        private static int utf8Length(String s) {
            int length = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    length += 1;
                } else if (c < 0x800) {
                    length += 2;
                } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    length += 4;
                    i++;
                } else {
                    length += 3;
                }
            }
            return length;
        }
    }
}
