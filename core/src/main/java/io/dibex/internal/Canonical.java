package io.dibex.internal;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
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
        MessageDigest md = newSha256();
        try (DataOutputStream out = new DataOutputStream(new DigestSink(md))) {
            encode(plan, object, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Digest.of(md.digest());
    }

    /** Writes the canonical encoding of {@code object} to {@code out}. */
    public static void encode(ExchangePlan plan, DataObject object, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        string(out, object.key().kind());
        string(out, object.key().id());
        fields(out, object.fields());
        List<String> tables = new ArrayList<>(object.tables().keySet());
        tables.sort(null);
        out.writeInt(tables.size());
        for (String table : tables) {
            string(out, table);
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
            string(out, set.register());
            rows(out, set.records());
        }
    }

    private static void rows(DataOutputStream out, List<Row> rows) throws IOException {
        out.writeInt(rows.size());
        for (Row row : rows) {
            fields(out, row.fields());
        }
    }

    private static void fields(DataOutputStream out, Map<String, Value> fields) throws IOException {
        List<String> names = new ArrayList<>(fields.keySet());
        names.sort(null);
        out.writeInt(names.size());
        for (String name : names) {
            string(out, name);
            value(out, fields.get(name));
        }
    }

    private static void value(DataOutputStream out, Value v) throws IOException {
        out.writeByte(v.type().ordinal());
        if (v instanceof Value.Text t) {
            string(out, t.value());
        } else if (v instanceof Value.Decimal d) {
            BigDecimal n = d.value().signum() == 0 ? BigDecimal.ZERO : d.value().stripTrailingZeros();
            byte[] unscaled = n.unscaledValue().toByteArray();
            out.writeInt(n.scale());
            out.writeInt(unscaled.length);
            out.write(unscaled);
        } else if (v instanceof Value.Int64 l) {
            out.writeLong(l.value());
        } else if (v instanceof Value.Bool b) {
            out.writeBoolean(b.value());
        } else if (v instanceof Value.Date d) {
            out.writeLong(d.value().toEpochDay());
        } else if (v instanceof Value.DateTime t) {
            out.writeLong(t.value().toLocalDate().toEpochDay());
            out.writeLong(t.value().toLocalTime().toNanoOfDay());
        } else if (v instanceof Value.Timestamp t) {
            out.writeLong(t.value().getEpochSecond());
            out.writeInt(t.value().getNano());
        } else if (v instanceof Value.Ref r) {
            string(out, r.key().kind());
            string(out, r.key().id());
        } else if (v instanceof Value.EnumValue e) {
            string(out, e.enumeration());
            string(out, e.name());
        } else if (v instanceof Value.Binary b) {
            byte[] bytes = b.bytes();
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        // Value.Null: the type tag alone.
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Feeds written bytes straight into a digest: nothing is buffered beyond DataOutputStream's needs. */
    private static final class DigestSink extends OutputStream {
        private final MessageDigest md;

        DigestSink(MessageDigest md) {
            this.md = md;
        }

        @Override
        public void write(int b) {
            md.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            md.update(b, off, len);
        }
    }
}
