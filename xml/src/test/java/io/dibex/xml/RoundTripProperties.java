package io.dibex.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.ExchangePlan;
import io.dibex.InvalidValueException;
import io.dibex.ObjectKind;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based round trips (SPEC §4): any header and any items, written in either dialect and
 * read back through whole buffers, one byte per read and odd chunks, are exactly what was written:
 * every value type, field and row order, null against the empty string, any character XML 1.0
 * allows, decimals of any scale, instants and local date-times across their whole ranges.
 */
class RoundTripProperties {

    /** A plan whose metadata makes the v8msg writer use bare values, typed values and conventions alike. */
    static final ExchangePlan PLAN = ExchangePlan.builder("Props").central("C").node("B1", "C")
            .kind(ObjectKind.catalog("Item")
                    .field("Code", ValueType.STRING).field("Price", ValueType.DECIMAL).field("Qty", ValueType.LONG)
                    .field("Flag", ValueType.BOOLEAN).field("Day", ValueType.DATE).field("When", ValueType.DATE_TIME)
                    .field("At", ValueType.INSTANT).field("Owner", ValueType.REFERENCE)
                    .field("Item", ValueType.REFERENCE).field("Status", ValueType.ENUM)
                    .field("Blob", ValueType.BINARY).field("Nothing", ValueType.NULL)
                    .field("Lines.Qty", ValueType.LONG).field("Lines.Item", ValueType.REFERENCE).build())
            .kind(ObjectKind.document("Sale").field("Date", ValueType.DATE_TIME).field("Amount", ValueType.DECIMAL)
                    .build())
            .kind(ObjectKind.catalog("Номенклатура").field("Номенклатура", ValueType.REFERENCE).build())
            .build();

    private static final List<String> KINDS = List.of("Item", "Sale", "Номенклатура", "Unknown.Kind", "Other");
    private static final List<String> FIELDS = List.of("Code", "Price", "Qty", "Flag", "Day", "When", "At", "Owner",
            "Item", "Status", "Blob", "Nothing", "Date", "Number", "Description", "DeletionMark", "IsFolder", "Posted",
            "Parent", "Ref", "Recorder", "Period", "Active", "MovementType", "Amount", "Номенклатура", "Сумма", "x",
            "_a.b-c", "Lines");
    private static final List<String> TABLES = List.of("Lines", "Goods", "Товары", "Rows");
    private static final List<String> REGISTERS = List.of("Stock", "Cost", "Остатки");
    private static final List<String> ENUMERATIONS = List.of("Status", "AccumulationRecordType", "Виды");

    // ---- the properties

    @Property
    void seedMessagesRoundTripExactly(@ForAll("headers") MessageHeader header,
            @ForAll("itemLists") List<MessageItem> items) {
        roundTrip(XmlCodec.seed(), header, items);
    }

    @Property
    void v8msgMessagesRoundTripExactly(@ForAll("headers") MessageHeader header,
            @ForAll("itemLists") List<MessageItem> items) {
        roundTrip(XmlCodec.v8msg(), header, items);
    }

    @Property
    void withoutAdditionsContentSurvivesAndIdsAreImplied(@ForAll("plainHeaders") MessageHeader header,
            @ForAll("plainItemLists") List<MessageItem> items) {
        for (XmlDialect dialect : XmlDialect.values()) {
            XmlCodec codec = XmlCodec.builder(dialect).additions(false).build();
            byte[] bytes = Streams.write(codec, PLAN, header, items);
            Streams.Message read = Streams.read(codec, PLAN, bytes, Streams.Input.WHOLE);
            assertThat(read.header().messageId()).isEqualTo(XmlCodec.impliedMessageId(header.plan(), header.from(),
                    header.to(), header.messageNo()));
            assertThat(read.header().receivedNo()).isEqualTo(header.receivedNo());
            assertThat(read.items()).hasSameSizeAs(items);
            for (int i = 0; i < items.size(); i++) {
                MessageItem sent = items.get(i);
                MessageItem got = read.items().get(i);
                assertThat(got.key()).isEqualTo(sent.key());
                if (sent instanceof MessageItem.Upsert u) {
                    // A negative scale needs dx:scale: the number arrives whole, so the content (digest) is equal.
                    assertThat(PLAN.digest(((MessageItem.Upsert) got).object())).isEqualTo(PLAN.digest(u.object()));
                } else {
                    assertThat(got).isEqualTo(sent);
                }
            }
        }
    }

    @Property
    void aStringIsWrittenExactlyWhenXml10CanCarryIt(@ForAll("anyStrings") String s) {
        DataObject object = DataObject.builder(ObjectKey.of("Item", "1")).set("Code", s).set("x", s).build();
        List<MessageItem> items = List.of(new MessageItem.Upsert(object));
        for (XmlCodec codec : List.of(XmlCodec.seed(), XmlCodec.v8msg())) {
            if (XmlChecks.firstIllegal(s) < 0) {
                byte[] bytes = Streams.write(codec, PLAN, header(), items);
                assertThat(Streams.read(codec, PLAN, bytes, Streams.Input.ONE_BYTE_PER_READ).items())
                        .containsExactlyElementsOf(items);
            } else {
                assertThatThrownBy(() -> Streams.write(codec, PLAN, header(), items))
                        .isInstanceOf(InvalidValueException.class).hasMessageContaining("XML 1.0 cannot carry");
            }
        }
    }

    private static void roundTrip(XmlCodec codec, MessageHeader header, List<MessageItem> items) {
        byte[] bytes = Streams.write(codec, PLAN, header, items);
        for (Streams.Input input : Streams.Input.values()) {
            Streams.Message read = Streams.read(codec, PLAN, bytes, input);
            assertThat(read.header()).as("%s header", input).isEqualTo(header);
            // DataObject.equals compares fields, tabular parts, rows and record sets in order, scale included.
            assertThat(read.items()).as("%s items", input).containsExactlyElementsOf(items);
        }
    }

    private static MessageHeader header() {
        return new MessageHeader("Props", "C", "B1", 1, UUID.randomUUID(), 0, null, false, List.of());
    }

    // ---- generators

    @Provide
    Arbitrary<MessageHeader> headers() {
        Arbitrary<Long> received = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, Long.MAX_VALUE));
        return Combinators.combine(legalStrings(0, 20), legalStrings(0, 20), legalStrings(0, 20),
                Arbitraries.longs().between(1, Long.MAX_VALUE), received, Arbitraries.of(true, false),
                keys().list().ofMaxSize(3))
                .as((plan, from, to, no, rec, restored, rejected) -> new MessageHeader(plan, from, to, no,
                        UUID.randomUUID(), rec, rec == 0 ? null : UUID.randomUUID(), restored, rejected));
    }

    @Provide
    Arbitrary<MessageHeader> plainHeaders() {
        Arbitrary<Long> received = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, Long.MAX_VALUE));
        return Combinators.combine(names(), names(), names(), Arbitraries.longs().between(1, Long.MAX_VALUE), received)
                .as((plan, from, to, no, rec) -> new MessageHeader(plan, from, to, no, UUID.randomUUID(), rec,
                        rec == 0 ? null : UUID.randomUUID(), false, List.of()));
    }

    @Provide
    Arbitrary<List<MessageItem>> itemLists() {
        return items(true).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<MessageItem>> plainItemLists() {
        return items(false).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> anyStrings() {
        Arbitrary<Character> awkward = Arbitraries.of('\u0000', '\u0001', '\u0008', '\u000B', '\u001F', '\uFFFE',
                '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\t', '\n', '\r', '&', '<');
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().withChars(awkward.sample(), awkward.sample())
                        .all().ofMaxLength(8)),
                net.jqwik.api.Tuple.of(3, legalStrings(0, 12)),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().all().ofMaxLength(10)));
    }

    private Arbitrary<MessageItem> items(boolean additions) {
        List<Arbitrary<MessageItem>> kinds = new ArrayList<>();
        kinds.add(objects().map(MessageItem.Upsert::new));
        kinds.add(keys().map(MessageItem.Deletion::new));
        if (additions) {
            kinds.add(keys().map(MessageItem.Retraction::new));
        }
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, kinds.get(0)), net.jqwik.api.Tuple.of(1, kinds.get(1)),
                net.jqwik.api.Tuple.of(additions ? 1 : 0, additions ? kinds.get(2) : kinds.get(1)));
    }

    private Arbitrary<DataObject> objects() {
        Arbitrary<Map<String, Value>> fields = fieldMaps(6);
        Arbitrary<Map<String, List<Row>>> tables = Arbitraries.maps(Arbitraries.of(TABLES), rows().list().ofMaxSize(3))
                .ofMaxSize(2);
        Arbitrary<Map<String, List<Row>>> sets = Arbitraries.maps(Arbitraries.of(REGISTERS), rows().list().ofMaxSize(3))
                .ofMaxSize(2);
        return Combinators.combine(keys(), fields, tables, sets).as((key, f, t, s) -> {
            DataObject.Builder b = DataObject.builder(key);
            f.forEach(b::set);
            t.forEach(b::table);
            s.forEach((register, records) -> b.recordSet(new RecordSet(register, records)));
            return b.build();
        });
    }

    private Arbitrary<Row> rows() {
        return fieldMaps(4).map(Row::new);
    }

    private Arbitrary<Map<String, Value>> fieldMaps(int max) {
        // Any field with any value, or a declared field with a value of its type (written bare in v8msg).
        Arbitrary<Map.Entry<String, Value>> any = Combinators.combine(Arbitraries.of(FIELDS), values()).as(Map::entry);
        Arbitrary<Map.Entry<String, Value>> typed = Arbitraries.oneOf(
                legalStrings(0, 8).map(v -> Map.entry("Code", Value.of(v))),
                decimals().map(v -> Map.entry("Price", Value.of(v))),
                Arbitraries.longs().map(v -> Map.entry("Qty", Value.of(v))),
                Arbitraries.of(true, false).map(v -> Map.entry("Flag", Value.of(v))),
                dates().map(v -> Map.entry("Day", Value.of(v))),
                dates().map(v -> Map.entry("When", Value.of(v.atTime(LocalTime.of(10, 30, 0, 1_000))))),
                dates().map(v -> Map.entry("Date", Value.of(v.atStartOfDay()))),
                Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L)
                        .map(v -> Map.entry("At", Value.of(Instant.ofEpochSecond(v)))),
                keys().map(v -> Map.entry("Item", Value.ref(ObjectKey.of("Item", v.id())))),
                keys().map(v -> Map.entry("Parent", Value.ref(v))),
                keys().map(v -> Map.entry("Recorder", Value.ref(v))),
                Arbitraries.of("Receipt", "Expense").map(v -> Map.entry("MovementType",
                        Value.enumValue("AccumulationRecordType", v))),
                Arbitraries.of(true, false).map(v -> Map.entry("DeletionMark", Value.of(v))),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(v -> Map.entry("Blob", Value.binary(v))));
        // Pairs keep whatever order they come in: order must survive.
        return Arbitraries.oneOf(any, typed).list().ofMaxSize(max)
                .map(entries -> {
                    Map<String, Value> m = new LinkedHashMap<>();
                    entries.forEach(e -> m.putIfAbsent(e.getKey(), e.getValue()));
                    return m;
                });
    }

    private Arbitrary<Value> values() {
        return Arbitraries.oneOf(
                legalStrings(0, 16).map(Value::of),
                decimals().map(Value::of),
                Arbitraries.longs().map(Value::of),
                Arbitraries.of(true, false).map(Value::of),
                dates().map(Value::of),
                Combinators.combine(dates(), Arbitraries.longs().between(0, LocalTime.MAX.toNanoOfDay()))
                        .as((d, n) -> Value.of(LocalDateTime.of(d, LocalTime.ofNanoOfDay(n)))),
                Combinators.combine(Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()),
                        Arbitraries.integers().between(0, 999_999_999)).as((s, n) -> Value.of(Instant.ofEpochSecond(s, n))),
                Arbitraries.of(Instant.parse("2026-01-15T10:30:00Z"), Instant.MIN, Instant.MAX).map(Value::of),
                Arbitraries.of(LocalDate.of(1, 1, 1), LocalDate.MIN, LocalDate.MAX).map(Value::of),
                Arbitraries.just(Value.of(LocalDateTime.of(1, 1, 1, 0, 0))),
                keys().map(Value::ref),
                Combinators.combine(Arbitraries.of(ENUMERATIONS), legalStrings(1, 12)).as(Value::enumValue),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(Value::binary),
                Arbitraries.just(Value.NULL));
    }

    private Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.bigIntegers()
                .between(new BigInteger("-" + "9".repeat(40)), new BigInteger("9".repeat(40)));
        return Combinators.combine(unscaled, Arbitraries.integers().between(-6, 30)).as(BigDecimal::new);
    }

    private Arbitrary<LocalDate> dates() {
        return Arbitraries.longs().between(LocalDate.MIN.toEpochDay(), LocalDate.MAX.toEpochDay())
                .map(LocalDate::ofEpochDay);
    }

    private Arbitrary<ObjectKey> keys() {
        Arbitrary<String> ids = Arbitraries.oneOf(
                Arbitraries.create(UUID::randomUUID).map(UUID::toString),
                Arbitraries.just(Lexical.ZERO_UUID),
                legalStrings(1, 20).filter(s -> s.chars().noneMatch(Character::isISOControl)));
        return Combinators.combine(Arbitraries.of(KINDS), ids).as(ObjectKey::new);
    }

    private Arbitrary<String> names() {
        return Arbitraries.of("C", "B1", "Office", "Филиал-1", "Trade");
    }

    /**
     * Strings of characters XML 1.0 can carry, weighted towards the awkward ones: whitespace, CR,
     * markup characters, Cyrillic, and characters outside the BMP.
     */
    static Arbitrary<String> legalStrings(int min, int max) {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0x20, 0x7E)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of((int) ' ', (int) '\t', (int) '\n', (int) '\r', (int) '&',
                        (int) '<', (int) '>', (int) '"', (int) '\'', (int) ']')),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x410, 0x44F)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x80, 0xD7FF)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFD)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoints.list().ofMinSize(min).ofMaxSize(max).map(cps -> {
            StringBuilder s = new StringBuilder();
            cps.forEach(s::appendCodePoint);
            return s.toString();
        });
    }
}
