package io.dibex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageReader;
import io.dibex.codec.MessageWriter;
import io.dibex.memory.InMemoryStorage;
import io.dibex.memory.InMemoryTransport;
import io.dibex.model.ValueType;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A node refuses a plan that needs what its codec cannot carry (SPEC §4). */
class NodeCapabilitiesTest {

    /** The binary codec, declaring only some capabilities. */
    private static MessageCodec carrying(Set<MessageCodec.Capability> capabilities) {
        MessageCodec binary = MessageCodec.binary();
        return new MessageCodec() {
            @Override
            public String name() {
                return "limited";
            }

            @Override
            public MessageWriter writer(OutputStream out, ExchangePlan plan, MessageHeader header) {
                return binary.writer(out, plan, header);
            }

            @Override
            public MessageReader reader(InputStream in, ExchangePlan plan, String source) {
                return binary.reader(in, plan, source);
            }

            @Override
            public Set<Capability> capabilities() {
                return capabilities;
            }
        };
    }

    private static ExchangePlan.Builder plan() {
        return ExchangePlan.builder("Trade").central("C").node("B1", "C")
                .kind(ObjectKind.catalog("Item").build());
    }

    private static Node build(ExchangePlan plan, MessageCodec codec) {
        return Node.builder(plan, "C").storage(new InMemoryStorage()).transport(new InMemoryTransport()).codec(codec)
                .build();
    }

    @Test
    @DisplayName("the binary codec carries everything, so every plan builds on it")
    void binaryCarriesEverything() {
        assertThat(MessageCodec.binary().capabilities()).containsExactlyInAnyOrder(MessageCodec.Capability.values());
        assertThat(build(plan().poisonPolicy(PoisonPolicy.QUARANTINE).routing((o, n) -> true).build(),
                MessageCodec.binary()).name()).isEqualTo("C");
    }

    @Test
    @DisplayName("quarantine needs rejected keys: refused on a codec without them, naming the policy and the codec (R6)")
    void quarantineNeedsRejectedKeys() {
        ExchangePlan quarantine = plan().poisonPolicy(PoisonPolicy.QUARANTINE).build();

        assertThatThrownBy(() -> build(quarantine, carrying(EnumSet.complementOf(EnumSet.of(
                MessageCodec.Capability.REJECTED_KEYS)))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node C cannot serve plan Trade with codec limited")
                .hasMessageContaining("QUARANTINE needs rejected keys");
        assertThat(build(quarantine, carrying(EnumSet.of(MessageCodec.Capability.REJECTED_KEYS))).name())
                .isEqualTo("C");
    }

    @Test
    @DisplayName("routing other than everywhere needs retractions: refused on a codec without them (R9)")
    void routingNeedsRetractions() {
        ExchangePlan routed = plan().routing((object, node) -> !node.equals("B1")).build();

        assertThatThrownBy(() -> build(routed, carrying(EnumSet.noneOf(MessageCodec.Capability.class))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs retractions (R9)");
        assertThat(build(routed, carrying(EnumSet.of(MessageCodec.Capability.RETRACTIONS))).name()).isEqualTo("C");
    }

    @Test
    @DisplayName("reconciliation settings need repair flags and control items: refused on a codec without them (SPEC §5)")
    void reconciliationNeedsControlItems() {
        ExchangePlan reconciled = ExchangePlan.builder("Trade").central("C").node("B1", "C")
                .kind(ObjectKind.document("Doc").field("Date", ValueType.DATE).field("Owner", ValueType.STRING).build())
                .reconciliation(Reconciliation.builder().owner(d -> Optional.of("C")).build())
                .build();

        assertThatThrownBy(() -> build(reconciled, carrying(EnumSet.complementOf(EnumSet.of(
                MessageCodec.Capability.CONTROL_ITEMS)))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node C cannot serve plan Trade with codec limited")
                .hasMessageContaining("reconciliation settings need repair flags and control items");
        assertThat(build(reconciled, carrying(EnumSet.of(MessageCodec.Capability.CONTROL_ITEMS))).name())
                .isEqualTo("C");
    }

    @Test
    @DisplayName("a plan that needs neither builds on a codec that carries nothing beyond the header and states")
    void plainPlanNeedsNothing() {
        assertThat(build(plan().build(), carrying(EnumSet.noneOf(MessageCodec.Capability.class))).name())
                .isEqualTo("C");
    }
}
