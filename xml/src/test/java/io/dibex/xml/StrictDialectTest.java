package io.dibex.xml;

import static io.dibex.tck.TestPlans.item;
import static io.dibex.tck.TestPlans.itemKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.PoisonPolicy;
import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageWriter;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.Storage;
import io.dibex.tck.Network;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.TestPlans;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The additions switch end to end (SPEC §4): a strict 1C reader is served, and the plan refuses what needs the additions. */
class StrictDialectTest {

    private static XmlCodec strict(XmlDialect dialect) {
        return XmlCodec.builder(dialect).additions(false).build();
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("a message without additions is read whole by a plain StAX reader and has nothing in the dibex namespace")
    void strictMessageHasNoDibexNamespace(XmlDialect dialect) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MessageHeader header = new MessageHeader("Trade", "C", "B1", 12, UUID.randomUUID(), 7, UUID.randomUUID(),
                false, List.of());
        try (MessageWriter w = strict(dialect).writer(bytes, TestPlans.trade(), header)) {
            w.write(new MessageItem.Upsert(item("A", "Аспирин", "4.20")));
            // A negative scale is an addition too: written as the whole number instead.
            w.write(new MessageItem.Upsert(item("B", "Бинт", "1E+3")));
            w.write(new MessageItem.Upsert(TestPlans.sale("S1", "B1", "12.50").toBuilder()
                    .addRow("Lines", Row.of("Item", Value.ref(itemKey("B")), "Qty", Value.of(new BigDecimal("2"))))
                    .build()));
            w.write(new MessageItem.Deletion(itemKey("D")));
            w.finish();
        }
        String text = bytes.toString(StandardCharsets.UTF_8);

        XMLInputFactory plain = XMLInputFactory.newFactory();
        plain.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XMLStreamReader r = plain.createXMLStreamReader(new ByteArrayInputStream(bytes.toByteArray()));
        Set<String> namespaces = new HashSet<>();
        List<String> texts = new ArrayList<>();
        int elements = 0;
        while (r.hasNext()) {
            if (r.next() == XMLStreamConstants.START_ELEMENT) {
                elements++;
                namespaces.add(String.valueOf(r.getNamespaceURI()));
                for (int i = 0; i < r.getNamespaceCount(); i++) {
                    namespaces.add(r.getNamespaceURI(i));
                }
                for (int i = 0; i < r.getAttributeCount(); i++) {
                    namespaces.add(String.valueOf(r.getAttributeNamespace(i)));
                }
            } else if (r.isCharacters() && !r.isWhiteSpace()) {
                texts.add(r.getText());
            }
        }
        r.close();

        assertThat(elements).as("elements the plain reader saw").isGreaterThan(20);
        assertThat(texts).contains("Аспирин", "1000", "12");
        assertThat(namespaces).doesNotContain(Wire.DX);
        assertThat(text).doesNotContain(Wire.DX).doesNotContain("dx:").doesNotContain("MessageId")
                .doesNotContain("ReceivedId");
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("without additions the codec declares no capability, with them every one")
    void capabilitiesFollowTheSwitch(XmlDialect dialect) {
        assertThat(strict(dialect).capabilities()).isEmpty();
        assertThat(XmlCodec.builder(dialect).build().capabilities()).containsExactlyInAnyOrder(
                MessageCodec.Capability.values());
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("a plan with the quarantine policy is refused when its node is built on a codec without additions (R6)")
    void quarantineIsRefusedAtBuild(XmlDialect dialect) {
        assertThatThrownBy(() -> new Network(TestPlans.tradeBuilder("Trade").poisonPolicy(PoisonPolicy.QUARANTINE)
                .build(), NetworkConfig.inMemory(strict(dialect))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot serve plan Trade with codec " + strict(dialect).name())
                .hasMessageContaining("QUARANTINE needs rejected keys")
                .hasMessageContaining("dibex's additions on");
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("a plan whose routing can retract is refused when its node is built on a codec without additions (R9)")
    void retractingRoutingIsRefusedAtBuild(XmlDialect dialect) {
        assertThatThrownBy(() -> new Network(TestPlans.routed(), NetworkConfig.inMemory(strict(dialect))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs retractions (R9)");
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("nodes exchange and acknowledge through a codec without additions, with implied ids and no false restore (R4)")
    void exchangeThroughTheStrictDialect(XmlDialect dialect) {
        Network net = new Network(TestPlans.trade(), NetworkConfig.inMemory(strict(dialect)));
        net.put("C", item("A", "Аспирин", "4.20"));
        net.put("B1", item("B", "Бинт", "1.00"));
        net.put("B11", TestPlans.sale("S1", "B11", "12.50"));

        net.settle(10);

        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("A"))).as("A at %s", node).contains(item("A", "Аспирин", "4.20"));
            assertThat(net.get(node, itemKey("B"))).as("B at %s", node).contains(item("B", "Бинт", "1.00"));
            assertThat(net.get(node, TestPlans.saleKey("S1"))).as("S1 at %s", node).isPresent();
        }
        assertThat(net.totalRegistrations()).as("every registration acknowledged").isZero();
        assertThat(net.events()).extracting(e -> e.entry().kind()).doesNotContain(JournalEntry.Kind.RESTORE,
                JournalEntry.Kind.REJECTED, JournalEntry.Kind.IMPORT_FAILED, JournalEntry.Kind.EXPORT_FAILED);
        UUID implied = MessageHeader.impliedId("Trade", "C", "B1", 1);
        assertThat(net.node("B1").peerState("C").lastLoadedId()).isNotNull();
        assertThat(MessageHeader.impliedId("Trade", "C", "B1", net.node("B1").peerState("C").lastLoadedNo()))
                .as("B1 holds C's last message under its implied id").isEqualTo(net.node("B1").peerState("C")
                        .lastLoadedId());
        assertThat(implied).isEqualTo(XmlCodec.impliedMessageId("Trade", "C", "B1", 1));
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("without additions a restored node finds out by the number its peer acknowledges, says what to re-register, and the link carries on (R4, weaker)")
    void restoreIsFoundByNumberOnly(XmlDialect dialect) {
        Network net = new Network(TestPlans.trade(), NetworkConfig.inMemory(strict(dialect)));
        net.put("B1", item("A", "a", "1"));
        net.settle(10);
        Storage backup = net.backup("B1");
        net.put("B1", item("B", "b", "1"));
        net.exchange("B1", "C");
        net.exchange("C", "B1");
        long loadedAtC = net.node("C").peerState("B1").lastLoadedNo();

        net.restore("B1", backup);
        net.put("C", item("F", "f", "1"));
        net.exchange("C", "B1");

        assertThat(net.node("B1").peerState("C").lastAllocatedNo()).as("B1's numbering moved past what C loaded")
                .isGreaterThanOrEqualTo(loadedAtC);
        assertThat(net.node("B1").journal()).filteredOn(e -> e.kind() == JournalEntry.Kind.RESTORE).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("cannot carry the restored flag")
                        .contains("register at C again everything for B1"));
        net.put("B1", item("G", "g", "1"));
        net.settle(10);
        assertThat(net.get("C", itemKey("G"))).as("B1's change after the restore reached C").isPresent();
        assertThat(net.get("B1", itemKey("F"))).as("C's change after the restore reached B1").isPresent();
    }
}
