package io.dibex.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.DibexException;
import io.dibex.MalformedMessageException;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ObjectBytesTest {

    private static final ObjectKey KEY = ObjectKey.of("Item", "k1");

    @Test
    @DisplayName("an object round-trips exactly: field order, decimal scale, every type, parts and record sets")
    void roundTripsExactly() {
        DataObject o = DataObject.builder(KEY)
                .set("Zeta", Value.of("z 😀\r\n"))
                .set("Price", Value.of(new BigDecimal("1.50")))
                .set("Whole", Value.of(new BigDecimal("1E+3")))
                .set("Count", Value.of(Long.MIN_VALUE))
                .set("Flag", Value.of(false))
                .set("Day", Value.of(LocalDate.of(1999, 12, 31)))
                .set("When", Value.of(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_789)))
                .set("At", Value.of(Instant.ofEpochSecond(-5, 7)))
                .set("Ref", Value.ref(ObjectKey.of("Other", "x")))
                .set("Status", Value.enumValue("Status", "Posted"))
                .set("Blob", Value.binary(new byte[] {0, (byte) 0xff}))
                .set("Empty", Value.of(""))
                .set("Nothing", Value.NULL)
                .addRow("Goods", Row.of("Qty", Value.of(new BigDecimal("2.000"))))
                .table("Services", List.of())
                .recordSet(new RecordSet("Stock", List.of(Row.of("Qty", Value.of(new BigDecimal("-2.0"))))))
                .build();
        byte[] bytes = ObjectBytes.encode(o);
        assertThat(bytes[0]).isEqualTo((byte) ObjectBytes.FORMAT);
        DataObject back = ObjectBytes.decode(bytes, "test");
        assertThat(back).isEqualTo(o);
        assertThat(back.fields().keySet()).containsExactlyElementsOf(o.fields().keySet());
        assertThat(((Value.Decimal) back.get("Price")).value().scale()).isEqualTo(2);
    }

    @Test
    @DisplayName("bytes that are not exactly one encoded object are refused, naming the source")
    void refusesOtherBytes() {
        byte[] good = ObjectBytes.encode(DataObject.builder(KEY).set("A", Value.of("a")).build());
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] otherFormat = good.clone();
        otherFormat[0] = 2;
        for (byte[] bad : List.of(trailing, truncated, otherFormat, new byte[0])) {
            assertThatThrownBy(() -> ObjectBytes.decode(bad, "row Item/k1"))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("row Item/k1");
        }
    }

    @Test
    @DisplayName("a string UTF-8 cannot carry is refused when encoding")
    void refusesALoneSurrogate() {
        DataObject o = DataObject.builder(KEY).set("A", Value.of("x\uD800y")).build();
        assertThatThrownBy(() -> ObjectBytes.encode(o)).isInstanceOf(DibexException.class)
                .hasMessageContaining("lone surrogate");
    }
}
