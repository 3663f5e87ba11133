package io.dibex.internal;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The canonical encoding of an object's state and its SHA-256 digest (SPEC §4, §5).
 *
 * <p>Independent of field order (fields, tabular parts and record sets are sorted by name), of
 * the scale of an equal decimal (trailing zeros stripped), of the zone of an equal instant
 * (epoch seconds and nanos); sensitive to every change of content, row order included. Record
 * sets of {@link MigrationPolicy#LOCAL} registers are left out (R11). The byte layout is
 * specified in {@code docs/canonical-digest.md}.
 */
public final class Canonical {

    /** The digest of an absent object: what a deletion or a retraction registers (R2, R4). */
    public static final Digest ABSENT = Digest.ABSENT;

    private static final int VERSION = 1;

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
        out.string(object.key().kind());
        out.string(object.key().id());
        fields(out, object.fields());
        List<String> tables = new ArrayList<>(object.tables().keySet());
        tables.sort(null);
        out.writeInt(tables.size());
        for (String table : tables) {
            out.string(table);
            rows(out, object.tables().get(table));
        }
        List<RecordSet> sets = new ArrayList<>();
        for (RecordSet set : object.recordSets()) {
            if (plan.policyOf(set.register()) == MigrationPolicy.MIGRATE) {
                sets.add(set);
            }
        }
        sets.sort((a, b) -> a.register().compareTo(b.register()));
        out.writeInt(sets.size());
        for (RecordSet set : sets) {
            out.string(set.register());
            rows(out, set.records());
        }
    }

    private static void rows(Sink out, List<Row> rows) {
        out.writeInt(rows.size());
        for (Row row : rows) {
            fields(out, row.fields());
        }
    }

    private static void fields(Sink out, Map<String, Value> fields) {
        out.writeInt(fields.size());
        if (fields.size() == 1) {
            Map.Entry<String, Value> only = fields.entrySet().iterator().next();
            out.string(only.getKey());
            value(out, only.getValue());
            return;
        }
        String[] names = fields.keySet().toArray(new String[0]);
        Arrays.sort(names);
        for (String name : names) {
            out.string(name);
            value(out, fields.get(name));
        }
    }

    private static void value(Sink out, Value v) {
        // The tag is the type's ordinal; docs/canonical-digest.md fixes the numbers, and its test
        // vectors fail if ValueType's order ever changes.
        out.writeByte(v.type().ordinal());
        if (v instanceof Value.Text t) {
            out.string(t.value());
        } else if (v instanceof Value.Decimal d) {
            decimal(out, d.value());
        } else if (v instanceof Value.Int64 l) {
            out.writeLong(l.value());
        } else if (v instanceof Value.Bool b) {
            out.writeByte(b.value() ? 1 : 0);
        } else if (v instanceof Value.Date d) {
            out.writeLong(d.value().toEpochDay());
        } else if (v instanceof Value.DateTime t) {
            out.writeLong(t.value().toLocalDate().toEpochDay());
            out.writeLong(t.value().toLocalTime().toNanoOfDay());
        } else if (v instanceof Value.Timestamp t) {
            out.writeLong(t.value().getEpochSecond());
            out.writeInt(t.value().getNano());
        } else if (v instanceof Value.Ref r) {
            out.string(r.key().kind());
            out.string(r.key().id());
        } else if (v instanceof Value.EnumValue e) {
            out.string(e.enumeration());
            out.string(e.name());
        } else if (v instanceof Value.Binary b) {
            byte[] bytes = b.bytes();
            out.writeInt(bytes.length);
            out.write(bytes, 0, bytes.length);
        }
        // Value.Null: the type tag alone.
    }

    /** Scale, then the unscaled value in the fewest two's complement bytes, trailing zeros stripped. */
    private static void decimal(Sink out, BigDecimal d) {
        BigInteger unscaled = d.unscaledValue();
        int scale = d.scale();
        if (unscaled.bitLength() < 64 && scale > Integer.MIN_VALUE + 20) {
            // The common case without BigDecimal arithmetic: the same bytes as stripTrailingZeros below.
            long u = unscaled.longValue();
            if (u == 0) {
                scale = 0;
            }
            while (u != 0 && u % 10 == 0) {
                u /= 10;
                scale--;
            }
            int length = (64 - Long.numberOfLeadingZeros(u < 0 ? ~u : u)) / 8 + 1;
            out.writeInt(scale);
            out.writeInt(length);
            for (int i = length - 1; i >= 0; i--) {
                out.writeByte((int) (u >>> (8 * i)));
            }
            return;
        }
        BigDecimal n = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
        byte[] bytes = n.unscaledValue().toByteArray();
        out.writeInt(n.scale());
        out.writeInt(bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
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
            buf[n] = (byte) (v >>> 24);
            buf[n + 1] = (byte) (v >>> 16);
            buf[n + 2] = (byte) (v >>> 8);
            buf[n + 3] = (byte) v;
            n += 4;
        }

        void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
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
                chars(s, 0, chars);
                int length = n - at - 4;
                buf[at] = (byte) (length >>> 24);
                buf[at + 1] = (byte) (length >>> 16);
                buf[at + 2] = (byte) (length >>> 8);
                buf[at + 3] = (byte) length;
                return;
            }
            writeInt(utf8Length(s));
            for (int i = 0; i < chars; ) {
                room(3 * 1025 + 1);
                int end = Math.min(chars, i + 1024);
                if (end < chars && Character.isHighSurrogate(s.charAt(end - 1))) {
                    end++; // keep a pair in one piece
                }
                chars(s, i, end);
                i = end;
            }
        }

        /** Encodes s[from, to) into the buffer, which has room for 3 bytes a char. */
        private void chars(String s, int from, int to) {
            byte[] b = buf;
            int p = n;
            for (int i = from; i < to; i++) {
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
            n = p;
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
