package io.dibex.checksum;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.ObjectKind;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Objects for the digest properties, drawn from a deliberately small space: few names, few short
 * strings, few numbers. Two objects drawn independently then often have equal content or differ in
 * a single place, which is where an encoding that is not injective, or not canonical, shows.
 *
 * <p>{@link #sameContent} is the oracle: equal content as SPEC §5 defines it, decided on the
 * model itself, without any encoding.
 */
final class Gen {

    /** Registers of the plan: two that migrate, one that stays local. */
    static final String STOCK = "Остатки";
    static final String SALES = "Продажи";
    static final String COST = "Себестоимость";

    static final ExchangePlan PLAN = ExchangePlan.builder("Digests").central("Офис").node("Аптека1", "Офис")
            .kind(ObjectKind.catalog("Номенклатура").build())
            .kind(ObjectKind.document("Реализация").build())
            .register(STOCK, MigrationPolicy.MIGRATE)
            .register(SALES, MigrationPolicy.MIGRATE)
            .register(COST, MigrationPolicy.LOCAL)
            .build();

    /**
     * Strings that collide under a careless encoding: empty, '?' and the lone surrogates a
     * replacing encoder turns into '?', CR, LF and CRLF, NFC and NFD forms, a character outside
     * the BMP and its two halves, and strings whose concatenations coincide.
     */
    static final List<String> STRINGS = List.of("", "a", "ab", "b", "?", "??", "\uD800", "\uDC00", "\uDC00\uD800",
            "\r", "\n", "\r\n", "\u00E9", "e\u0301", "\uD83D\uDE00", "\uD83D", "\uDE00", "А", "Аспирин", "\u0000");

    /** The subset of {@link #STRINGS} that XML 1.0 can carry. */
    static final List<String> XML_STRINGS = List.of("", "a", "ab", "b", "?", "\r", "\n", "\r\n", "\u00E9",
            "e\u0301", "\uD83D\uDE00", "А", "Аспирин", " a ", "&<>\"'");

    private static final List<String> FIELDS = List.of("A", "Ab", "Сумма", "Комментарий");
    private static final List<String> TABLES = List.of("Товары", "Услуги");
    private static final List<String> REGISTERS = List.of(STOCK, SALES, COST);

    private Gen() {
    }

    /** Objects from the small space, any string included. */
    static Arbitrary<DataObject> objects() {
        return objects(Arbitraries.of(STRINGS));
    }

    /** Objects from the small space whose strings XML can carry. */
    static Arbitrary<DataObject> xmlObjects() {
        return objects(Arbitraries.of(XML_STRINGS));
    }

    static Arbitrary<DataObject> objects(Arbitrary<String> strings) {
        Arbitrary<ObjectKey> keys = Combinators.combine(Arbitraries.of("Номенклатура", "Реализация"),
                Arbitraries.of("1", "2", "11")).as(ObjectKey::new);
        Arbitrary<Value> values = values(strings);
        Arbitrary<Map<String, Value>> fields = Arbitraries.maps(Arbitraries.of(FIELDS), values).ofMaxSize(3);
        Arbitrary<List<Row>> rows = fields.map(Row::new).list().ofMaxSize(3);
        Arbitrary<Map<String, List<Row>>> tables = Arbitraries.maps(Arbitraries.of(TABLES), rows).ofMaxSize(2);
        Arbitrary<Map<String, List<Row>>> sets = Arbitraries.maps(Arbitraries.of(REGISTERS), rows).ofMaxSize(3);
        return Combinators.combine(keys, fields, tables, sets).as((key, f, t, s) -> {
            DataObject.Builder b = DataObject.builder(key);
            f.forEach(b::set);
            t.forEach(b::table);
            s.forEach((register, records) -> b.recordSet(new RecordSet(register, records)));
            return b.build();
        });
    }

    /** Values of every type, each from a handful of choices that include equal values in other forms. */
    static Arbitrary<Value> values(Arbitrary<String> strings) {
        return Arbitraries.oneOf(strings.map(Value::of), Arbitraries.of(nonStrings()));
    }

    /** Every value of the small space: each string of {@code strings} and every value of another type. */
    static List<Value> allValues(List<String> strings) {
        List<Value> all = new ArrayList<>();
        strings.forEach(s -> all.add(Value.of(s)));
        all.addAll(nonStrings());
        return all;
    }

    private static List<Value> nonStrings() {
        List<Value> v = new ArrayList<>();
        for (String d : List.of("0", "0.00", "1", "1.0", "1.5", "1.50", "-1.5", "15", "0.15", "1E+1", "10", "100.0",
                "-0.000", "123456789012345678901234567890.5", "255", "-256", "128", "-128")) {
            v.add(Value.of(new BigDecimal(d)));
        }
        for (long l : new long[] {0, 1, -1, 10, 15, 255, -256, Long.MAX_VALUE, Long.MIN_VALUE}) {
            v.add(Value.of(l));
        }
        v.add(Value.of(true));
        v.add(Value.of(false));
        for (LocalDate d : List.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 2), LocalDate.of(1970, 1, 1))) {
            v.add(Value.of(d));
        }
        for (LocalDateTime t : List.of(LocalDateTime.of(2026, 1, 1, 0, 0), LocalDateTime.of(2026, 1, 1, 9, 0),
                LocalDateTime.of(2026, 1, 1, 9, 0, 0, 1), LocalDateTime.of(1970, 1, 1, 0, 0))) {
            v.add(Value.of(t));
        }
        // The same instants written in several zones, and their neighbours.
        for (String t : List.of("2026-01-01T09:00:00Z", "2026-01-01T12:00:00+03:00", "2026-01-01T04:00:00-05:00",
                "2026-01-01T09:00:00.000000001Z", "1970-01-01T00:00:00Z", "1970-01-01T03:00:00+03:00")) {
            v.add(Value.of(java.time.OffsetDateTime.parse(t).toInstant()));
        }
        for (String kind : List.of("Номенклатура", "Реализация")) {
            for (String id : List.of("1", "11", "2", "Реализация")) {
                v.add(Value.ref(ObjectKey.of(kind, id)));
            }
        }
        for (String e : List.of("СтавкиНДС", "Виды", "Номенклатура")) {
            for (String name : List.of("НДС20", "НДС10", "a", "1")) {
                v.add(Value.enumValue(e, name));
            }
        }
        for (byte[] b : List.of(new byte[0], new byte[] {0}, new byte[] {0, 0}, new byte[] {'a'}, new byte[] {-1},
                "Аспирин".getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            v.add(Value.binary(b));
        }
        v.add(Value.NULL);
        return v;
    }

    /** Equal content by SPEC §5: order of fields, tables and record sets, decimal scale and LOCAL sets do not count. */
    static boolean sameContent(DataObject a, DataObject b) {
        return a.key().equals(b.key()) && sameFields(a.fields(), b.fields())
                && sameTables(a.tables(), b.tables()) && sameTables(migrating(a), migrating(b));
    }

    private static Map<String, List<Row>> migrating(DataObject o) {
        Map<String, List<Row>> sets = new LinkedHashMap<>();
        for (RecordSet s : o.recordSets()) {
            if (PLAN.policyOf(s.register()) == MigrationPolicy.MIGRATE) {
                sets.put(s.register(), s.records());
            }
        }
        return sets;
    }

    private static boolean sameTables(Map<String, List<Row>> a, Map<String, List<Row>> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String name : a.keySet()) {
            List<Row> x = a.get(name);
            List<Row> y = b.get(name);
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!sameFields(x.get(i).fields(), y.get(i).fields())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean sameFields(Map<String, Value> a, Map<String, Value> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String name : a.keySet()) {
            if (!sameValue(a.get(name), b.get(name))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameValue(Value a, Value b) {
        if (a instanceof Value.Decimal x && b instanceof Value.Decimal y) {
            return x.value().compareTo(y.value()) == 0;
        }
        return Objects.equals(a, b);
    }

    /**
     * The same content in another representation: fields, tables and record sets in reverse
     * order (rows keep theirs), every decimal with more trailing zeros, and the LOCAL set
     * replaced by other records.
     */
    static DataObject representedOtherwise(DataObject o, int extraZeros) {
        DataObject.Builder b = DataObject.builder(o.key());
        reversed(new ArrayList<>(o.fields().entrySet())).forEach(e -> b.set(e.getKey(), rescaled(e.getValue(), extraZeros)));
        reversed(new ArrayList<>(o.tables().entrySet())).forEach(e -> b.table(e.getKey(), rows(e.getValue(), extraZeros)));
        List<RecordSet> sets = reversed(new ArrayList<>(o.recordSets()));
        for (RecordSet s : sets) {
            b.recordSet(new RecordSet(s.register(), rows(s.records(), extraZeros)));
        }
        b.recordSet(new RecordSet(COST, List.of(Row.of("Сумма", Value.of(new BigDecimal("9.99")), "Комментарий",
                Value.of("учёт только в центре")))));
        return b.build();
    }

    private static List<Row> rows(List<Row> rows, int extraZeros) {
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Value> f = new LinkedHashMap<>();
            reversed(new ArrayList<>(r.fields().entrySet())).forEach(e -> f.put(e.getKey(), rescaled(e.getValue(), extraZeros)));
            out.add(new Row(f));
        }
        return out;
    }

    private static Value rescaled(Value v, int extraZeros) {
        if (v instanceof Value.Decimal d) {
            return Value.of(d.value().setScale(d.value().scale() + extraZeros));
        }
        return v;
    }

    private static <T> List<T> reversed(List<T> list) {
        java.util.Collections.reverse(list);
        return list;
    }
}
