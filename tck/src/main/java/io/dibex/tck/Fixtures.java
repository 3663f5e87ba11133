package io.dibex.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Test data and assertions shared by the contracts. */
final class Fixtures {

    /** How long a writer waits for a reader that an implementation may block. */
    static final long BLOCKED_READER_WAIT_MILLIS = 250;

    private Fixtures() {
    }

    static ObjectKey key(String id) {
        return ObjectKey.of("Item", id);
    }

    /** A digest whose 32 bytes are all {@code n}: distinct per n, easy to read in failures. */
    static Digest digest(int n) {
        byte[] bytes = new byte[Digest.LENGTH];
        Arrays.fill(bytes, (byte) n);
        return Digest.of(bytes);
    }

    /** A small object of kind Item. */
    static DataObject item(String id, String description) {
        return DataObject.builder(key(id)).set("Description", description).build();
    }

    /**
     * An object using every value type, decimals whose scale matters, strings that are easy to
     * mangle, fields deliberately out of alphabetical order, tabular parts and record sets.
     */
    static DataObject rich(ObjectKey key) {
        return DataObject.builder(key)
                .set("Zeta", Value.of("last field declared first"))
                .set("Code", Value.of("00042"))
                .set("Description", Value.of("  leading and trailing spaces\r\nCR LF, tab\t, 😀 outside the BMP, ё "))
                .set("Empty", Value.of(""))
                .set("Price", Value.of(new BigDecimal("1.50")))
                .set("Zero", Value.of(new BigDecimal("0.000")))
                .set("Big", Value.of(new BigDecimal("-12345678901234567890.000000000000000001")))
                .set("Whole", Value.of(new BigDecimal("1E+3")))
                .set("Count", Value.of(Long.MIN_VALUE))
                .set("Flag", Value.of(true))
                .set("Day", Value.of(LocalDate.of(1999, 12, 31)))
                .set("When", Value.of(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_789)))
                .set("At", Value.of(Instant.ofEpochSecond(1_700_000_000L, 987_654_321)))
                .set("Owner", Value.ref(ObjectKey.of("Branch", UUID.fromString("6f1c1e6e-7d3a-4c1b-9a51-0b8e2f4d5c6a"))))
                .set("Status", Value.enumValue("Status", "Posted"))
                .set("Blob", Value.binary(new byte[] {0, 1, 2, (byte) 0xff}))
                .set("NoBlob", Value.binary(new byte[0]))
                .set("Nothing", Value.NULL)
                .addRow("Goods", Row.of("Qty", Value.of(new BigDecimal("2.000")), "Item", Value.of("b")))
                .addRow("Goods", Row.of("Item", Value.of("a"), "Qty", Value.of(new BigDecimal("10"))))
                .table("Services", List.of())
                .recordSet(new RecordSet("Stock", List.of(
                        Row.of("Recorder", Value.ref(key), "Qty", Value.of(new BigDecimal("-2.0"))))))
                .recordSet(new RecordSet("Cost", List.of()))
                .build();
    }

    /**
     * Asserts that {@code actual} is exactly {@code expected}: equal, and with fields, tabular
     * parts, rows and record sets in the same order ({@link DataObject#equals} ignores the order
     * of map entries).
     */
    static void assertExactly(DataObject actual, DataObject expected) {
        assertThat(actual).isEqualTo(expected);
        assertThat(List.copyOf(actual.fields().keySet())).as("field order of %s", expected.key())
                .containsExactlyElementsOf(expected.fields().keySet());
        assertThat(List.copyOf(actual.tables().keySet())).as("tabular part order of %s", expected.key())
                .containsExactlyElementsOf(expected.tables().keySet());
        expected.tables().forEach((name, rows) -> assertRowOrder(actual.tables().get(name), rows,
                expected.key() + " part " + name));
        for (int i = 0; i < expected.recordSets().size(); i++) {
            RecordSet e = expected.recordSets().get(i);
            assertThat(actual.recordSets().get(i).register()).as("record set order of %s", expected.key())
                    .isEqualTo(e.register());
            assertRowOrder(actual.recordSets().get(i).records(), e.records(),
                    expected.key() + " record set " + e.register());
        }
    }

    private static void assertRowOrder(List<Row> actual, List<Row> expected, String where) {
        for (int i = 0; i < expected.size(); i++) {
            assertThat(List.copyOf(actual.get(i).fields().keySet())).as("field order of row %d of %s", i, where)
                    .containsExactlyElementsOf(expected.get(i).fields().keySet());
        }
    }

    /** Collects a stream and closes it. */
    static <T> List<T> drain(Stream<T> stream) {
        try (stream) {
            return stream.collect(Collectors.toCollection(ArrayList::new));
        }
    }

    /** Shuts an executor down and waits for it, so that no test leaves a thread behind. */
    static void shutdown(ExecutorService pool) {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new AssertionError("test threads did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping test threads", e);
        }
    }
}
