package io.dibex.checksum;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.model.DataObject;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical encoding of {@code docs/canonical-digest.md}, written as plainly as the document
 * reads and sharing no code with {@code io.dibex.internal.Canonical}: sorted maps, a data stream,
 * {@code stripTrailingZeros}, strings code point by code point. The engine's encoder, which
 * caches names and takes fast paths, must give the same bytes.
 */
final class ReferenceEncoding {

    private ReferenceEncoding() {
    }

    /** The SHA-256 of {@link #encode}. */
    static byte[] sha256(ExchangePlan plan, DataObject o) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(encode(plan, o));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] encode(ExchangePlan plan, DataObject o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(1);
            string(out, o.key().kind());
            string(out, o.key().id());
            fields(out, o.fields());
            parts(out, new TreeMap<>(o.tables()));
            Map<String, List<Row>> sets = new TreeMap<>();
            for (RecordSet s : o.recordSets()) {
                if (plan.policyOf(s.register()) == MigrationPolicy.MIGRATE) {
                    sets.put(s.register(), s.records());
                }
            }
            parts(out, sets);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void parts(DataOutputStream out, Map<String, List<Row>> sorted) throws IOException {
        out.writeInt(sorted.size());
        for (Map.Entry<String, List<Row>> part : sorted.entrySet()) {
            string(out, part.getKey());
            out.writeInt(part.getValue().size());
            for (Row row : part.getValue()) {
                fields(out, row.fields());
            }
        }
    }

    private static void fields(DataOutputStream out, Map<String, Value> fields) throws IOException {
        TreeMap<String, Value> sorted = new TreeMap<>(fields);
        out.writeInt(sorted.size());
        for (Map.Entry<String, Value> field : sorted.entrySet()) {
            string(out, field.getKey());
            value(out, field.getValue());
        }
    }

    private static void value(DataOutputStream out, Value v) throws IOException {
        switch (v.type()) {
            case STRING -> {
                out.writeByte(0);
                string(out, ((Value.Text) v).value());
            }
            case DECIMAL -> {
                out.writeByte(1);
                BigDecimal d = ((Value.Decimal) v).value();
                BigDecimal n = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
                byte[] unscaled = n.unscaledValue().toByteArray();
                out.writeInt(n.scale());
                out.writeInt(unscaled.length);
                out.write(unscaled);
            }
            case LONG -> {
                out.writeByte(2);
                out.writeLong(((Value.Int64) v).value());
            }
            case BOOLEAN -> {
                out.writeByte(3);
                out.writeByte(((Value.Bool) v).value() ? 1 : 0);
            }
            case DATE -> {
                out.writeByte(4);
                out.writeLong(((Value.Date) v).value().toEpochDay());
            }
            case DATE_TIME -> {
                out.writeByte(5);
                out.writeLong(((Value.DateTime) v).value().toLocalDate().toEpochDay());
                out.writeLong(((Value.DateTime) v).value().toLocalTime().toNanoOfDay());
            }
            case INSTANT -> {
                out.writeByte(6);
                out.writeLong(((Value.Timestamp) v).value().getEpochSecond());
                out.writeInt(((Value.Timestamp) v).value().getNano());
            }
            case REFERENCE -> {
                out.writeByte(7);
                string(out, ((Value.Ref) v).key().kind());
                string(out, ((Value.Ref) v).key().id());
            }
            case ENUM -> {
                out.writeByte(8);
                string(out, ((Value.EnumValue) v).enumeration());
                string(out, ((Value.EnumValue) v).name());
            }
            case BINARY -> {
                out.writeByte(9);
                byte[] b = ((Value.Binary) v).bytes();
                out.writeInt(b.length);
                out.write(b);
            }
            case NULL -> out.writeByte(10);
            default -> throw new AssertionError(v.type());
        }
    }

    /**
     * UTF-8 of each code point; {@code codePointAt} gives a lone surrogate's own value, which is
     * then three bytes like any code point of the BMP (the generalized UTF-8 of the document).
     */
    private static void string(DataOutputStream out, String s) throws IOException {
        ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                utf8.write(cp);
            } else if (cp < 0x800) {
                utf8.write(0xC0 | cp >> 6);
                utf8.write(0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                utf8.write(0xE0 | cp >> 12);
                utf8.write(0x80 | cp >> 6 & 0x3F);
                utf8.write(0x80 | cp & 0x3F);
            } else {
                utf8.write(0xF0 | cp >> 18);
                utf8.write(0x80 | cp >> 12 & 0x3F);
                utf8.write(0x80 | cp >> 6 & 0x3F);
                utf8.write(0x80 | cp & 0x3F);
            }
        }
        out.writeInt(utf8.size());
        utf8.writeTo(out);
    }
}
