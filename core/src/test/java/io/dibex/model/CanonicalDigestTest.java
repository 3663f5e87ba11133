package io.dibex.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.ObjectKind;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CanonicalDigestTest {

    private static final ExchangePlan PLAN = ExchangePlan.builder("P").central("C")
            .kind(ObjectKind.document("Doc").build())
            .register("Stock", MigrationPolicy.MIGRATE)
            .register("Cost", MigrationPolicy.LOCAL)
            .build();
    private static final ObjectKey KEY = ObjectKey.of("Doc", "1");

    private static Digest digest(DataObject o) {
        return PLAN.digest(o);
    }

    @Test
    @DisplayName("field order, decimal scale and an instant's zone do not change the digest")
    void representationDoesNotCount() {
        Instant at = OffsetDateTime.of(2026, 1, 1, 12, 0, 0, 0, ZoneOffset.ofHours(3)).toInstant();
        Instant sameAt = OffsetDateTime.of(2026, 1, 1, 9, 0, 0, 0, ZoneOffset.UTC).toInstant();
        DataObject a = DataObject.builder(KEY).set("Sum", Value.of(new BigDecimal("1.50")))
                .set("Name", "x").set("At", Value.of(at)).build();
        DataObject b = DataObject.builder(KEY).set("At", Value.of(sameAt)).set("Name", "x")
                .set("Sum", Value.of(new BigDecimal("1.5000"))).build();
        assertThat(a).as("equals is exact: order and scale count").isNotEqualTo(b);
        assertThat(DataObject.builder(KEY).set("X", "1").set("Y", "2").build())
                .isNotEqualTo(DataObject.builder(KEY).set("Y", "2").set("X", "1").build());
        assertThat(Row.of("X", Value.of(1L), "Y", Value.of(2L))).isNotEqualTo(Row.of("Y", Value.of(2L), "X", Value.of(1L)));
        assertThat(digest(a)).isEqualTo(digest(b));
        DataObject zero = DataObject.builder(KEY).set("Sum", Value.of(new BigDecimal("0.00"))).build();
        DataObject zero2 = DataObject.builder(KEY).set("Sum", Value.of(BigDecimal.ZERO)).build();
        assertThat(digest(zero)).isEqualTo(digest(zero2));
    }

    @Test
    @DisplayName("any change of content changes the digest: characters, types, null versus empty, row order")
    void contentCounts() {
        DataObject base = DataObject.builder(KEY).set("Name", "Аспирин")
                .addRow("Lines", Row.of("N", Value.of(1L))).addRow("Lines", Row.of("N", Value.of(2L))).build();
        List<DataObject> variants = List.of(
                base.toBuilder().set("Name", "Аспирин ").build(),
                base.toBuilder().set("Name", "аспирин").build(),
                base.toBuilder().set("Name", Value.NULL).build(),
                base.toBuilder().set("Name", "").build(),
                base.toBuilder().set("Extra", Value.NULL).build(),
                base.toBuilder().table("Lines", List.of(Row.of("N", Value.of(2L)), Row.of("N", Value.of(1L)))).build(),
                base.toBuilder().set("Name", Value.enumValue("Name", "Аспирин")).build(),
                DataObject.builder(ObjectKey.of("Doc", "2")).set("Name", "Аспирин")
                        .table("Lines", base.tables().get("Lines")).build());
        for (DataObject v : variants) {
            assertThat(digest(v)).as(v.toString()).isNotEqualTo(digest(base));
        }
        assertThat(digest(DataObject.builder(KEY).set("N", Value.of(1L)).build()))
                .isNotEqualTo(digest(DataObject.builder(KEY).set("N", Value.of(BigDecimal.ONE)).build()));
    }

    @Test
    @DisplayName("MIGRATE record sets are part of the state, LOCAL ones are not (R11)")
    void localRecordSetsAreLeftOut() {
        DataObject doc = DataObject.builder(KEY).set("N", Value.of(1L)).build();
        RecordSet stock = new RecordSet("Stock", List.of(Row.of("Qty", Value.of(5L))));
        RecordSet cost = new RecordSet("Cost", List.of(Row.of("Sum", Value.of(new BigDecimal("9.99")))));
        assertThat(digest(doc.toBuilder().recordSet(cost).build())).isEqualTo(digest(doc));
        assertThat(digest(doc.toBuilder().recordSet(stock).build())).isNotEqualTo(digest(doc));
    }

    @Test
    @DisplayName("a lone surrogate is not a '?': different strings never share a digest")
    void loneSurrogatesAreNotReplaced() {
        List<String> strings = List.of("?", "??", "\uD800", "\uDC00", "\uDC00\uD800", "\uD83D", "\uDE00",
                "\uD83D\uDE00", "a\uD800", "a?");
        java.util.Set<Digest> digests = new java.util.HashSet<>();
        for (String s : strings) {
            digests.add(digest(DataObject.builder(KEY).set("Name", s).build()));
        }
        assertThat(digests).hasSameSizeAs(strings);
    }

    @Test
    @DisplayName("a string longer than the encoder's buffer is encoded as its UTF-8, pairs split nowhere")
    void longStringsAreTheirUtf8() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 20_000; i++) {
            b.append(i % 3 == 0 ? "\uD83D\uDC8A" : i % 3 == 1 ? "ж" : "x");
        }
        String s = b.toString();
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(expected);
        out.writeByte(1);
        for (String part : List.of("Doc", "1", "")) {
            if (!part.isEmpty()) {
                byte[] utf8 = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            }
        }
        out.writeInt(1);
        out.writeInt(4);
        out.write("Name".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeByte(ValueType.STRING.ordinal());
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
        out.writeInt(0);
        out.writeInt(0);
        DataObject o = DataObject.builder(KEY).set("Name", s).build();
        java.io.ByteArrayOutputStream actual = new java.io.ByteArrayOutputStream();
        io.dibex.internal.Canonical.encode(PLAN, o, actual);
        assertThat(actual.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(digest(o).bytes()).isEqualTo(java.security.MessageDigest.getInstance("SHA-256")
                .digest(expected.toByteArray()));
    }
}
