package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.checksum.CompactReconciliation.Branch;
import io.dibex.checksum.CompactReconciliation.MessageType;
import io.dibex.checksum.CompactReconciliation.Office;
import io.dibex.checksum.CompactReconciliation.Reply;
import io.dibex.checksum.CompactReconciliation.Settings;
import io.dibex.checksum.CompactReconciliation.Step;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Malformed, truncated and hostile bytes: each is refused with a {@link SketchFormatException}, in bounded memory. */
class SketchBytesTest {

    private static final Settings FORCE_FALLBACK = new Settings(4, 1.0, 0, 3);
    private static final Map<MessageType, byte[]> VALID = new EnumMap<>(MessageType.class);
    private static Sets sets;

    /** One exchange through every message type, each message kept. */
    @BeforeAll
    static void messages() {
        sets = Sets.of(300, 40, List.of("Реализация", "Возврат"), 17);
        Office office = new Office(sets.office::iterator, FORCE_FALLBACK);
        Branch branch = new Branch(sets.branch::iterator, FORCE_FALLBACK);
        byte[] m = office.request();
        while (true) {
            VALID.put(MessageType.of(m), m);
            Step s = branch.receive(m);
            if (!(s instanceof Reply r)) {
                break;
            }
            VALID.put(MessageType.of(r.message()), r.message());
            m = office.answer(r.message());
        }
        assertThat(VALID).containsOnlyKeys(MessageType.values());
    }

    private static Office office() {
        return new Office(sets.office::iterator, FORCE_FALLBACK);
    }

    private static Branch branch() {
        return new Branch(sets.branch::iterator, FORCE_FALLBACK);
    }

    /** Gives the message to the side that takes its type. */
    private static Object deliver(MessageType type, byte[] bytes) {
        return switch (type) {
            case ESTIMATE, NAIVE_ASK -> office().answer(bytes);
            default -> branch().receive(bytes);
        };
    }

    @Test
    @DisplayName("every truncation of every message type is refused")
    void truncations() {
        VALID.forEach((type, bytes) -> {
            for (int n = 0; n < bytes.length; n++) {
                byte[] cut = Arrays.copyOf(bytes, n);
                assertThatThrownBy(() -> deliver(type, cut)).as("%s cut to %d of %d bytes", type, n, bytes.length)
                        .isInstanceOf(SketchFormatException.class);
            }
        });
    }

    @Test
    @DisplayName("a trailing byte after any message is refused")
    void trailingBytes() {
        VALID.forEach((type, bytes) -> {
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            assertThatThrownBy(() -> deliver(type, longer)).as("%s", type).isInstanceOf(SketchFormatException.class)
                    .hasMessageContaining("after the end");
        });
    }

    @Test
    @DisplayName("flipped bits give an outcome or a SketchFormatException, never another failure")
    void bitFlips() {
        Random random = new Random(5);
        VALID.forEach((type, bytes) -> {
            for (int i = 0; i < 400; i++) {
                byte[] b = bytes.clone();
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                try {
                    deliver(type, b);
                } catch (SketchFormatException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        });
    }

    @Test
    @DisplayName("random bytes are refused")
    void randomBytes() {
        Random random = new Random(6);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            if (b.length > 1) {
                b[0] = (byte) CompactReconciliation.VERSION;
                b[1] = (byte) (1 + random.nextInt(5));
            }
            try {
                deliver(b.length > 1 ? MessageType.of(b) : MessageType.REQUEST, b);
            } catch (SketchFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    @DisplayName("a header claiming millions of cells over a few bytes is refused before anything is allocated")
    void hugeCellCount() {
        Bytes.Out out = new Bytes.Out(32).u8(CompactReconciliation.VERSION).u8(1).varint(10).bytes(0, 8).bytes(0, 8);
        out.varint(0);
        out.varint(Iblt.MAX_CELLS).i32(1);
        assertThatThrownBy(() -> branch().receive(out.toByteArray())).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("truncated").hasMessageContaining(Integer.toString(Iblt.MAX_CELLS) + " IBLT cells");
        Bytes.Out over = new Bytes.Out(32).u8(CompactReconciliation.VERSION).u8(1).varint(10).bytes(0, 8).bytes(0, 8);
        over.varint(0);
        over.varint(1L << 40).i32(1);
        assertThatThrownBy(() -> branch().receive(over.toByteArray())).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("over the limit of " + Iblt.MAX_CELLS);
    }

    @Test
    @DisplayName("a naive list claiming more entries than its bytes can hold is refused")
    void hugeNaiveCount() {
        byte[] b = new Bytes.Out(16).u8(CompactReconciliation.VERSION).u8(5).varint(1L << 33).toByteArray();
        assertThatThrownBy(() -> branch().receive(b)).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("entry count");
    }

    @Test
    @DisplayName("too many kinds, a kind that is not UTF-8, a kind twice: refused")
    void hostileKindTables() {
        Bytes.Out many = new Bytes.Out(32).u8(CompactReconciliation.VERSION).u8(1).varint(1).bytes(0, 8).bytes(0, 8);
        many.varint(Elements.MAX_KINDS + 1);
        assertThatThrownBy(() -> branch().receive(many.toByteArray())).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("kind count");
        Bytes.Out bad = new Bytes.Out(32).u8(CompactReconciliation.VERSION).u8(1).varint(1).bytes(0, 8).bytes(0, 8);
        bad.varint(1).varint(2).u8(0xC3).u8(0x28);
        assertThatThrownBy(() -> branch().receive(bad.toByteArray())).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("not UTF-8");
        Bytes.Out twice = new Bytes.Out(32).u8(CompactReconciliation.VERSION).u8(1).varint(1).bytes(0, 8).bytes(0, 8);
        twice.varint(2).string("Заказ").string("Заказ");
        assertThatThrownBy(() -> branch().receive(twice.toByteArray())).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("twice");
    }

    @Test
    @DisplayName("an unknown version or type, or a message sent to the wrong side, is refused")
    void wrongVersionTypeOrSide() {
        assertThatThrownBy(() -> MessageType.of(new byte[] {2, 1})).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> MessageType.of(new byte[] {1, 9})).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("type 9");
        assertThatThrownBy(() -> office().answer(VALID.get(MessageType.REQUEST))).isInstanceOf(
                SketchFormatException.class).hasMessageContaining("got REQUEST");
        assertThatThrownBy(() -> branch().receive(VALID.get(MessageType.ESTIMATE))).isInstanceOf(
                SketchFormatException.class).hasMessageContaining("got ESTIMATE");
    }

    @Test
    @DisplayName("a naive list out of key order is refused as malformed")
    void naiveListOutOfOrder() {
        byte[] naive = VALID.get(MessageType.NAIVE);
        // Entries after the first are of a known kind: index (1 byte), form 0, UUID, digest = 50 bytes.
        int first = naive.length - (sets.office.size() - 1) * 50;
        byte[] swapped = naive.clone();
        System.arraycopy(naive, first + 50, swapped, first, 50);
        System.arraycopy(naive, first, swapped, first + 50, 50);
        assertThatThrownBy(() -> branch().receive(swapped)).isInstanceOf(SketchFormatException.class)
                .hasMessageContaining("does not come after");
    }
}
