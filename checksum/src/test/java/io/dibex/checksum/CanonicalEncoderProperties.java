package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.ObjectKind;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The engine's encoder against {@link ReferenceEncoding}, a plain rendering of the specification:
 * the same digest for objects drawn from a wide space (any string, lone surrogates and strings
 * longer than the encoder's buffer included, decimals of any size and scale, many names and
 * layouts, enough of them to overwrite the encoder's caches), one thread or several at once.
 */
class CanonicalEncoderProperties {

    private static final ExchangePlan PLAN = ExchangePlan.builder("Encoder").central("Офис").node("Аптека1", "Офис")
            .kind(ObjectKind.catalog("Номенклатура").build())
            .register("Остатки", MigrationPolicy.MIGRATE)
            .register("Себестоимость", MigrationPolicy.LOCAL)
            .build();

    /** Names of every shape: ASCII, Cyrillic, prefixes of each other, the longest allowed. */
    private static final List<String> NAMES = names();

    private static List<String> names() {
        List<String> names = new ArrayList<>(List.of("A", "Ab", "B", "a", "_", "Z9", "Code", "Date", "Сумма",
                "Сумма1", "СуммаДокумента", "Количество", "Номенклатура", "Курс", "Ё", "ё", "Ж.Б-в_1", "x".repeat(128),
                "Ж".repeat(128), "Наименование", "Товары", "Услуги", "Остатки", "Себестоимость", "Продажи"));
        for (int i = 0; i < 40; i++) {
            names.add("Поле" + i);
        }
        return List.copyOf(names);
    }

    private static void assertSameDigest(DataObject o) {
        byte[] expected = ReferenceEncoding.sha256(PLAN, o);
        assertThat(PLAN.digest(o).bytes()).as("%s, reference encoding %s", o,
                HexFormat.of().formatHex(ReferenceEncoding.encode(PLAN, o))).isEqualTo(expected);
    }

    @Property(tries = 500)
    void theEncoderWritesTheBytesOfTheSpecification(@ForAll("objects") DataObject o) {
        assertSameDigest(o);
    }

    @Example
    void threadsDigestingAtOnceGetTheBytesOfTheSpecification() throws Exception {
        List<DataObject> objects = objects().sampleStream().limit(300).collect(Collectors.toList());
        List<byte[]> expected = objects.stream().map(o -> ReferenceEncoding.sha256(PLAN, o)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> runs = IntStream.range(0, 4).mapToObj(t -> pool.submit(() -> {
                int wrong = 0;
                for (int round = 0; round < 3; round++) {
                    for (int k = 0; k < objects.size(); k++) {
                        // Each thread walks the objects in its own order, so their layouts race for the caches.
                        int i = (k * (2 * t + 1) + round) % objects.size();
                        if (!java.util.Arrays.equals(PLAN.digest(objects.get(i)).bytes(), expected.get(i))) {
                            wrong++;
                        }
                    }
                }
                return wrong;
            })).toList();
            for (Future<Integer> run : runs) {
                assertThat(run.get()).as("digests that differ from the reference's").isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Provide
    Arbitrary<DataObject> objects() {
        Arbitrary<String> names = Arbitraries.of(NAMES);
        Arbitrary<String> ids = Arbitraries.oneOf(Arbitraries.create(UUID::randomUUID).map(UUID::toString),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40)
                        .filter(s -> s.chars().noneMatch(c -> Character.isISOControl(c))));
        Arbitrary<ObjectKey> keys = Combinators.combine(names, ids).as(ObjectKey::new);
        Arbitrary<Value> values = values(names, keys);
        Arbitrary<Map<String, Value>> fields = Arbitraries.maps(names, values).ofMaxSize(12);
        Arbitrary<List<Row>> rows = fields.map(Row::new).list().ofMaxSize(3);
        Arbitrary<Map<String, List<Row>>> parts = Arbitraries.maps(names, rows).ofMaxSize(3);
        return Combinators.combine(keys, fields, parts, parts).as((key, f, t, s) -> {
            DataObject.Builder b = DataObject.builder(key);
            f.forEach(b::set);
            t.forEach(b::table);
            s.forEach((register, records) -> b.recordSet(new RecordSet(register, records)));
            return b.build();
        });
    }

    private static Arbitrary<Value> values(Arbitrary<String> names, Arbitrary<ObjectKey> keys) {
        // Now and then a string too long for the encoder's buffer (over 2,729 characters).
        Arbitrary<String> strings = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.strings().all().ofMaxLength(30)),
                Tuple.of(10, Arbitraries.strings().withCharRange('\u0400', '\u04FF').ofMaxLength(30)),
                Tuple.of(1, Arbitraries.strings().all().ofMinLength(2000).ofMaxLength(4000)));
        Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(Arbitraries.longs().map(BigInteger::valueOf),
                Arbitraries.longs().between(-1000, 1000).map(BigInteger::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)),
                Arbitraries.of(BigInteger.TEN.pow(18), BigInteger.TEN.pow(18).negate(), BigInteger.TEN.pow(19),
                        BigInteger.valueOf(Long.MAX_VALUE), BigInteger.valueOf(Long.MIN_VALUE),
                        BigInteger.valueOf(999_999_999_999_999_999L), BigInteger.ZERO));
        Arbitrary<Value> decimals = Combinators.combine(unscaled, Arbitraries.integers().between(-40, 40))
                .as((u, scale) -> Value.of(new BigDecimal(u, scale)));
        return Arbitraries.oneOf(strings.map(Value::of), decimals, Arbitraries.longs().map(Value::of),
                Arbitraries.of(true, false).map(Value::of),
                Arbitraries.longs().between(-1_000_000, 1_000_000).map(d -> Value.of(LocalDate.ofEpochDay(d))),
                Arbitraries.longs().between(-10_000_000_000L, 10_000_000_000L)
                        .map(s -> Value.of(LocalDateTime.ofEpochSecond(s, (int) Math.floorMod(s, 1_000_000_000L),
                                java.time.ZoneOffset.UTC))),
                Arbitraries.longs().between(-10_000_000_000L, 10_000_000_000L)
                        .map(s -> Value.of(Instant.ofEpochSecond(s, Math.floorMod(s * 7919, 1_000_000_000L)))),
                keys.map(Value::ref),
                Combinators.combine(Arbitraries.oneOf(names, strings.filter(s -> !s.isEmpty())), names)
                        .as(Value::enumValue),
                Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.bytes().array(byte[].class).ofMaxSize(20)),
                        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(8000).ofMaxSize(9000)))
                        .map(Value::binary),
                Arbitraries.just(Value.NULL));
    }
}
