package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.codec.MessageWriter;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.xml.XmlCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The canonical digest against SPEC §5, as properties over objects of a small space ({@link Gen}):
 * two states have equal digests exactly when they have equal content.
 */
class CanonicalDigestProperties {

    private static final ObjectKey KEY = ObjectKey.of("Номенклатура", "1");

    private static Digest digest(DataObject o) {
        return Gen.PLAN.digest(o);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void twoValuesGiveEqualDigestsExactlyWhenTheyAreEqual(@ForAll("allValues") Value a, @ForAll("allValues") Value b) {
        DataObject x = DataObject.builder(KEY).set("A", a).build();
        DataObject y = DataObject.builder(KEY).set("A", b).build();
        assertThat(digest(x).equals(digest(y))).as("%s vs %s", x, y).isEqualTo(Gen.sameContent(x, y));
    }

    @Property(tries = 2000, edgeCases = EdgeCasesMode.NONE)
    void distinctStringsGiveDistinctDigests(@ForAll("concatenations") String a, @ForAll("concatenations") String b) {
        DataObject x = DataObject.builder(KEY).set("A", a).build();
        DataObject y = DataObject.builder(KEY).set("A", b).build();
        Statistics.collect(a.equals(b) ? "equal strings" : "different strings");
        assertThat(digest(x).equals(digest(y))).as("%s vs %s", escaped(a), escaped(b)).isEqualTo(a.equals(b));
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE)
    void twoStatesHaveEqualDigestsExactlyWhenTheirContentIsEqual(@ForAll("pairs") Tuple2<DataObject, DataObject> pair) {
        DataObject a = pair.get1();
        DataObject b = pair.get2();
        boolean same = Gen.sameContent(a, b);
        Statistics.collect(same ? "equal content" : "different content");
        assertThat(digest(a).equals(digest(b))).as("%s%nvs %s", a, b).isEqualTo(same);
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void orderScaleZoneAndLocalRecordSetsNeverChangeTheDigest(@ForAll("objects") DataObject o,
            @ForAll @IntRange(min = 1, max = 5) int extraZeros) {
        DataObject other = Gen.representedOtherwise(o, extraZeros);
        assertThat(Gen.sameContent(o, other)).isTrue();
        assertThat(digest(other)).as("%s%nvs %s", o, other).isEqualTo(digest(o));
    }

    @Property
    void aMigrateRecordSetIsPartOfTheStateAndALocalOneIsNot(@ForAll("objects") DataObject o,
            @ForAll("rows") List<Row> records) {
        DataObject withStock = o.toBuilder().recordSet(new RecordSet(Gen.STOCK, records)).build();
        DataObject withCost = o.toBuilder().recordSet(new RecordSet(Gen.COST, records)).build();
        assertThat(digest(withCost)).as("LOCAL records are outside the digest").isEqualTo(digest(o));
        boolean same = Gen.sameContent(o, withStock);
        Statistics.collect(same ? "the same MIGRATE set again" : "a new or changed MIGRATE set");
        assertThat(digest(withStock).equals(digest(o))).as("MIGRATE records are inside the digest").isEqualTo(same);
    }

    @Property(tries = 100)
    void readingAnObjectFromXmlKeepsItsDigest(@ForAll("xmlObjects") DataObject o) {
        for (XmlCodec codec : List.of(XmlCodec.seed(), XmlCodec.v8msg())) {
            DataObject read = roundTrip(codec, o);
            assertThat(digest(read)).as("%s via %s: %s", o, codec.name(), read).isEqualTo(digest(o));
        }
    }

    @Provide
    Arbitrary<Value> allValues() {
        return Arbitraries.of(Gen.allValues(Gen.STRINGS));
    }

    /** Up to three of the awkward strings joined: a pair of halves makes a character outside the BMP. */
    @Provide
    Arbitrary<String> concatenations() {
        return Arbitraries.of(Gen.STRINGS).list().ofMaxSize(3).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<DataObject> objects() {
        return Gen.objects();
    }

    @Provide
    Arbitrary<DataObject> xmlObjects() {
        return Gen.xmlObjects();
    }

    @Provide
    Arbitrary<List<Row>> rows() {
        return Arbitraries.maps(Arbitraries.of("A", "Сумма"), Gen.values(Arbitraries.of(Gen.STRINGS))).ofMaxSize(2)
                .map(Row::new).list().ofMaxSize(2);
    }

    /** Independent pairs (mostly different), and pairs of one state in two representations. */
    @Provide
    Arbitrary<Tuple2<DataObject, DataObject>> pairs() {
        Arbitrary<Tuple2<DataObject, DataObject>> independent = Gen.objects().tuple2();
        Arbitrary<Tuple2<DataObject, DataObject>> represented = net.jqwik.api.Combinators
                .combine(Gen.objects(), Arbitraries.integers().between(1, 3))
                .as((o, z) -> Tuple.of(o, Gen.representedOtherwise(o, z)));
        return Arbitraries.frequencyOf(Tuple.of(4, independent), Tuple.of(1, represented));
    }

    private static String escaped(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.chars().forEach(c -> b.append(c < 0x20 || c > 0x7E ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.append('"').toString();
    }

    static DataObject roundTrip(XmlCodec codec, DataObject o) {
        MessageHeader header = new MessageHeader(Gen.PLAN.name(), "Аптека1", "Офис", 1, UUID.randomUUID(), 0, null,
                false, List.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MessageWriter w = codec.writer(out, Gen.PLAN, header)) {
            w.write(new MessageItem.Upsert(o));
            w.finish();
        }
        try (MessageReader r = codec.reader(new ByteArrayInputStream(out.toByteArray()), Gen.PLAN, "test")) {
            MessageItem item = r.next();
            assertThat(r.next()).isNull();
            return ((MessageItem.Upsert) item).object();
        }
    }
}
