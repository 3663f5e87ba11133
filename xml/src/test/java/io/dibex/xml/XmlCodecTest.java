package io.dibex.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.DibexException;
import io.dibex.ExchangePlan;
import io.dibex.InvalidValueException;
import io.dibex.MalformedMessageException;
import io.dibex.ObjectKind;
import io.dibex.TransportException;
import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.codec.MessageWriter;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.tck.TestPlans;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The XML codec by example: the documented layouts, exact values, the writer's and reader's contracts, 1C's variants. */
class XmlCodecTest {

    private static final ExchangePlan PLAN = TestPlans.trade();
    private static final UUID ID = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    private static final UUID RECEIVED = UUID.fromString("11111111-2222-3333-4444-555555555555");

    static XmlCodec codec(XmlDialect dialect) {
        return XmlCodec.builder(dialect).build();
    }

    private static MessageHeader header(long no) {
        return new MessageHeader("Trade", "C", "B1", no, ID, 0, null, false, List.of());
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** An object with every value type and the strings that are easy to mangle. */
    static DataObject rich() {
        ObjectKey key = ObjectKey.of(TestPlans.SALE, "6f1c1e6e-7d3a-4c1b-9a51-0b8e2f4d5c6a");
        return DataObject.builder(key)
                .set("Zeta", Value.of("last field declared first"))
                .set("Date", Value.of(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_789)))
                .set("Owner", Value.of("  leading and trailing spaces\r\nCR LF, lone CR\r, tab\t, 😀 outside the BMP, ё "))
                .set("Empty", Value.of(""))
                .set("Markup", Value.of("<a href=\"x\">&amp;</a> ]]> '"))
                .set("Amount", Value.of(new BigDecimal("1.50")))
                .set("Zero", Value.of(new BigDecimal("0.000")))
                .set("Big", Value.of(new BigDecimal("-12345678901234567890.000000000000000001")))
                .set("Whole", Value.of(new BigDecimal("1E+3")))
                .set("Count", Value.of(Long.MIN_VALUE))
                .set("Flag", Value.of(true))
                .set("Day", Value.of(LocalDate.of(1999, 12, 31)))
                .set("EmptyDay", Value.of(LocalDate.of(1, 1, 1)))
                .set("EmptyDate", Value.of(LocalDateTime.of(1, 1, 1, 0, 0)))
                .set("At", Value.of(Instant.ofEpochSecond(1_700_000_000L, 987_654_321)))
                .set("Customer", Value.ref(ObjectKey.of("Branch", UUID.fromString("6f1c1e6e-7d3a-4c1b-9a51-0b8e2f4d5c6a"))))
                .set("NoCustomer", Value.ref(ObjectKey.of("Branch", "00000000-0000-0000-0000-000000000000")))
                .set("Status", Value.enumValue("Status", "Posted"))
                .set("Blob", Value.binary(new byte[] {0, 1, 2, (byte) 0xff}))
                .set("NoBlob", Value.binary(new byte[0]))
                .set("Nothing", Value.NULL)
                .addRow("Goods", Row.of("Qty", Value.of(new BigDecimal("2.000")), "Item", Value.ref(TestPlans.itemKey("A")),
                        "Note", Value.of("")))
                .addRow("Goods", Row.of("Item", Value.of("a"), "Qty", Value.of(new BigDecimal("10"))))
                .addRow("Goods", Row.of())
                .table("Services", List.of())
                .recordSet(new RecordSet("Stock", List.of(
                        Row.of("Recorder", Value.ref(key), "Period", Value.of(LocalDateTime.of(2024, 2, 29, 23, 59)),
                                "MovementType", Value.enumValue("AccumulationRecordType", "Expense"),
                                "Qty", Value.of(new BigDecimal("-2.0"))))))
                .recordSet(new RecordSet("Cost", List.of()))
                .build();
    }

    // ---- layouts

    @Nested
    @DisplayName("the documented layouts (docs/wire-format.md)")
    class Layouts {

        @Test
        @DisplayName("v8msg: 1C's envelope, objects as 1C writes them, additions in their own namespace")
        void v8msgLayout() {
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 12, ID, 7, RECEIVED, false, List.of());
            byte[] bytes = Streams.write(XmlCodec.v8msg(), PLAN, h, List.of(
                    new MessageItem.Upsert(TestPlans.item("A", "Аспирин", "4.20")),
                    new MessageItem.Upsert(TestPlans.sale("S1", "B1", "12.50")),
                    new MessageItem.Deletion(TestPlans.itemKey("B")),
                    new MessageItem.Retraction(TestPlans.itemKey("C"))));

            assertThat(text(bytes)).isEqualTo("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <v8msg:Message xmlns:v8msg="http://v8.1c.ru/messages" \
                    xmlns:xs="http://www.w3.org/2001/XMLSchema" \
                    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
                    xmlns:v8="http://v8.1c.ru/8.1/data/enterprise/current-config" \
                    xmlns:dx="urn:dibex:exchange" dx:format="2">
                    \t<v8msg:Header>
                    \t\t<v8msg:ExchangePlan>Trade</v8msg:ExchangePlan>
                    \t\t<v8msg:To>B1</v8msg:To>
                    \t\t<v8msg:From>C</v8msg:From>
                    \t\t<v8msg:MessageNo>12</v8msg:MessageNo>
                    \t\t<v8msg:ReceivedNo>7</v8msg:ReceivedNo>
                    \t\t<dx:MessageId>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</dx:MessageId>
                    \t\t<dx:ReceivedId>11111111-2222-3333-4444-555555555555</dx:ReceivedId>
                    \t</v8msg:Header>
                    \t<v8msg:Body xmlns="http://v8.1c.ru/8.1/data/enterprise/current-config">
                    \t\t<CatalogObject.Item>
                    \t\t\t<Ref>A</Ref>
                    \t\t\t<Code>A</Code>
                    \t\t\t<Description>Аспирин</Description>
                    \t\t\t<Price>4.20</Price>
                    \t\t</CatalogObject.Item>
                    \t\t<DocumentObject.Sale>
                    \t\t\t<Ref>S1</Ref>
                    \t\t\t<Date>2026-01-15T10:30:00</Date>
                    \t\t\t<Owner>B1</Owner>
                    \t\t\t<Amount>12.50</Amount>
                    \t\t\t<Lines>
                    \t\t\t\t<Row>
                    \t\t\t\t\t<Item xsi:type="v8:CatalogRef.Item">A</Item>
                    \t\t\t\t\t<Qty xsi:type="xs:long">1</Qty>
                    \t\t\t\t\t<Sum xsi:type="xs:decimal">12.50</Sum>
                    \t\t\t\t</Row>
                    \t\t\t</Lines>
                    \t\t</DocumentObject.Sale>
                    \t\t<ObjectDeletion>
                    \t\t\t<Ref xsi:type="v8:CatalogRef.Item">B</Ref>
                    \t\t</ObjectDeletion>
                    \t\t<dx:Retraction kind="Item" id="C"/>
                    \t</v8msg:Body>
                    </v8msg:Message>
                    """);
        }

        @Test
        @DisplayName("seed: the header of seed 003, and a body where every value says its type")
        void seedLayout() {
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 12, ID, 0, null, true,
                    List.of(TestPlans.itemKey("R")));
            byte[] bytes = Streams.write(XmlCodec.seed(), PLAN, h, List.of(
                    new MessageItem.Upsert(TestPlans.sale("S1", "B1", "12.50")),
                    new MessageItem.Deletion(TestPlans.itemKey("B"))));

            assertThat(text(bytes)).isEqualTo("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <Сообщение xmlns:dx="urn:dibex:exchange" dx:format="2">
                    \t<ЗаголовокСообщения>
                    \t\t<ПланОбмена>Trade</ПланОбмена>
                    \t\t<Получатель>B1</Получатель>
                    \t\t<Отправитель>C</Отправитель>
                    \t\t<НомерСообщения>12</НомерСообщения>
                    \t\t<ПолученноеСообщение>0</ПолученноеСообщение>
                    \t\t<dx:MessageId>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</dx:MessageId>
                    \t\t<dx:Restored>true</dx:Restored>
                    \t\t<dx:Rejected kind="Item" id="R"/>
                    \t</ЗаголовокСообщения>
                    \t<ТелоСообщения>
                    \t\t<Объект Вид="Sale" Ид="S1">
                    \t\t\t<Реквизит Имя="Date" Тип="dateTime">2026-01-15T10:30:00</Реквизит>
                    \t\t\t<Реквизит Имя="Owner">B1</Реквизит>
                    \t\t\t<Реквизит Имя="Amount" Тип="decimal">12.50</Реквизит>
                    \t\t\t<ТабличнаяЧасть Имя="Lines">
                    \t\t\t\t<Строка>
                    \t\t\t\t\t<Реквизит Имя="Item" Тип="ref" Вид="Item">A</Реквизит>
                    \t\t\t\t\t<Реквизит Имя="Qty" Тип="long">1</Реквизит>
                    \t\t\t\t\t<Реквизит Имя="Sum" Тип="decimal">12.50</Реквизит>
                    \t\t\t\t</Строка>
                    \t\t\t</ТабличнаяЧасть>
                    \t\t</Объект>
                    \t\t<Удаление Вид="Item" Ид="B"/>
                    \t</ТелоСообщения>
                    </Сообщение>
                    """);
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("each item's first message number travels as dx:since, and only with the additions (R12)")
        void sinceTravelsWithTheAdditions(XmlDialect dialect) {
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, false, List.of());
            List<MessageItem> items = List.of(new MessageItem.Upsert(TestPlans.item("A", "Аспирин", "4.20"), 18),
                    new MessageItem.Deletion(TestPlans.itemKey("B"), 19),
                    new MessageItem.Retraction(TestPlans.itemKey("C"), 20),
                    new MessageItem.Upsert(TestPlans.item("D", "new", "1.00")));
            byte[] bytes = Streams.write(codec(dialect), PLAN, h, items);

            assertThat(text(bytes)).contains("dx:since=\"18\"", "dx:since=\"19\"", "dx:since=\"20\"");
            for (Streams.Input input : Streams.Input.values()) {
                assertThat(Streams.read(codec(dialect), PLAN, bytes, input).items()).as(input.name())
                        .containsExactlyElementsOf(items);
            }

            XmlCodec plain = XmlCodec.builder(dialect).additions(false).build();
            byte[] strict = Streams.write(plain, PLAN, h, items.subList(0, 2));
            assertThat(text(strict)).doesNotContain("since");
            assertThat(Streams.read(plain, PLAN, strict, Streams.Input.WHOLE).items()).extracting(MessageItem::since)
                    .containsExactly(0L, 0L);
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("the previous message's id and the restored flag's first number travel as dx:PreviousId and dx:RestoredSince, only with the additions (R4)")
        void previousIdTravelsWithTheAdditions(XmlDialect dialect) {
            UUID previous = UUID.fromString("99999999-8888-7777-6666-555555555555");
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, true, List.of(), previous, 17);
            byte[] bytes = Streams.write(codec(dialect), PLAN, h, List.of());
            assertThat(text(bytes)).contains("<dx:PreviousId>" + previous + "</dx:PreviousId>",
                    "<dx:RestoredSince>17</dx:RestoredSince>");
            assertThat(Streams.read(codec(dialect), PLAN, bytes, Streams.Input.WHOLE).header()).isEqualTo(h);
            byte[] late = text(bytes).replace(">17<", ">21<").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Streams.read(codec(dialect), PLAN, late, Streams.Input.WHOLE))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("dx:RestoredSince 21");

            XmlCodec plain = XmlCodec.builder(dialect).additions(false).build();
            MessageHeader unflagged = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, false, List.of(),
                    previous);
            assertThat(text(Streams.write(plain, PLAN, unflagged, List.of()))).doesNotContain("PreviousId");

            MessageHeader first = new MessageHeader("Trade", "C", "B1", 1, ID, 0, null, false, List.of());
            byte[] forged = text(Streams.write(codec(dialect), PLAN, first, List.of())).replace("</dx:MessageId>",
                    "</dx:MessageId><dx:PreviousId>" + previous + "</dx:PreviousId>").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Streams.read(codec(dialect), PLAN, forged, Streams.Input.WHOLE))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("message 1");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("the ids of earlier unacknowledged messages travel as dx:EarlierId, oldest first, only beside dx:PreviousId (R4)")
        void earlierIdsTravelWithThePreviousId(XmlDialect dialect) {
            UUID previous = UUID.fromString("99999999-8888-7777-6666-555555555555");
            UUID older = UUID.fromString("11111111-2222-3333-4444-555555555555");
            UUID newer = UUID.fromString("22222222-2222-3333-4444-555555555555");
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, false, List.of(), previous, 0,
                    List.of(older, newer));
            byte[] bytes = Streams.write(codec(dialect), PLAN, h, List.of());
            assertThat(text(bytes)).contains("<dx:EarlierId>" + older + "</dx:EarlierId>",
                    "<dx:EarlierId>" + newer + "</dx:EarlierId>");
            assertThat(Streams.read(codec(dialect), PLAN, bytes, Streams.Input.WHOLE).header()).isEqualTo(h);

            byte[] alone = text(bytes).replace("<dx:PreviousId>" + previous + "</dx:PreviousId>", "")
                    .getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Streams.read(codec(dialect), PLAN, alone, Streams.Input.WHOLE))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("dx:EarlierId");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("an item a restored sender may hold from its backup travels with dx:backup, only with the additions (R4)")
        void fromBackupTravelsWithTheAdditions(XmlDialect dialect) {
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, true, List.of(), null, 20);
            List<MessageItem> items = List.of(
                    new MessageItem.Upsert(TestPlans.item("A", "Аспирин", "4.20"), 18, false, true),
                    new MessageItem.Deletion(TestPlans.itemKey("B"), 19, false, true),
                    new MessageItem.Retraction(TestPlans.itemKey("C"), 20, true, true),
                    new MessageItem.Upsert(TestPlans.item("D", "new", "1.00"), 20));
            byte[] bytes = Streams.write(codec(dialect), PLAN, h, items);

            assertThat(text(bytes).split("dx:backup=\"true\"", -1)).hasSize(4);
            for (Streams.Input input : Streams.Input.values()) {
                assertThat(Streams.read(codec(dialect), PLAN, bytes, input).items()).as(input.name())
                        .containsExactlyElementsOf(items);
            }
            byte[] bad = text(bytes).replaceFirst("dx:backup=\"true\"", "dx:backup=\"yes\"")
                    .getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Streams.read(codec(dialect), PLAN, bad, Streams.Input.WHOLE))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("dx:backup");

            XmlCodec plain = XmlCodec.builder(dialect).additions(false).build();
            MessageHeader unflagged = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, false, List.of());
            assertThat(text(Streams.write(plain, PLAN, unflagged, items.subList(0, 2)))).doesNotContain("backup");
            byte[] falseToo = text(bytes).replaceFirst("dx:backup=\"true\"", "dx:backup=\"false\"")
                    .getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Streams.read(codec(dialect), PLAN, falseToo, Streams.Input.WHOLE))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("dx:backup");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("a dx:since that is not a message number is malformed (R16)")
        void malformedSince(XmlDialect dialect) {
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, false, List.of());
            String good = text(Streams.write(codec(dialect), PLAN, h,
                    List.of(new MessageItem.Upsert(TestPlans.item("A", "Аспирин", "4.20"), 18))));
            for (String bad : List.of("0", "-1", "+5", " 5", "0x10", "1e3", "５", "9223372036854775808", "")) {
                byte[] bytes = good.replace("dx:since=\"18\"", "dx:since=\"" + bad + "\"")
                        .getBytes(StandardCharsets.UTF_8);
                assertThatThrownBy(() -> Streams.read(codec(dialect), PLAN, bytes, Streams.Input.WHOLE))
                        .as(bad).isInstanceOf(MalformedMessageException.class).hasMessageContaining("dx:since");
            }
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("a reconciliation's repair flag travels as dx:repair=\"true\" on any item, only with the additions (SPEC §5)")
        void repairTravelsWithTheAdditions(XmlDialect dialect) {
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, false, List.of());
            List<MessageItem> items = List.of(new MessageItem.Upsert(TestPlans.item("A", "Аспирин", "4.20"), 18, true),
                    new MessageItem.Deletion(TestPlans.itemKey("B"), 0, true),
                    new MessageItem.Retraction(TestPlans.itemKey("C"), 20, true),
                    new MessageItem.Upsert(TestPlans.item("D", "new", "1.00"), 20, false));
            byte[] bytes = Streams.write(codec(dialect), PLAN, h, items);

            assertThat(text(bytes).split("dx:repair=\"true\"", -1)).as("one attribute per repair").hasSize(4);
            for (Streams.Input input : Streams.Input.values()) {
                assertThat(Streams.read(codec(dialect), PLAN, bytes, input).items()).as(input.name())
                        .containsExactlyElementsOf(items);
            }

            XmlCodec plain = XmlCodec.builder(dialect).additions(false).build();
            assertThatThrownBy(() -> Streams.write(plain, PLAN, h, items.subList(0, 1)))
                    .isInstanceOf(InvalidValueException.class).hasMessageContaining("the repair of Item/A")
                    .hasMessageContaining("without dibex's additions");
            assertThat(text(Streams.write(plain, PLAN, h, items.subList(3, 4)))).doesNotContain("repair");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("a dx:repair other than \"true\" is malformed, \"false\" included: an item that is no repair has no attribute (R16)")
        void malformedRepair(XmlDialect dialect) {
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, false, List.of());
            String good = text(Streams.write(codec(dialect), PLAN, h,
                    List.of(new MessageItem.Upsert(TestPlans.item("A", "Аспирин", "4.20"), 18, true),
                            new MessageItem.Deletion(TestPlans.itemKey("B"), 0, true),
                            new MessageItem.Retraction(TestPlans.itemKey("C"), 0, true))));
            for (String bad : List.of("false", "TRUE", "True", "1", " true", "true ", "")) {
                for (int which = 0; which < 3; which++) {
                    byte[] bytes = replaceNth(good, "dx:repair=\"true\"", "dx:repair=\"" + bad + "\"", which)
                            .getBytes(StandardCharsets.UTF_8);
                    assertThatThrownBy(() -> Streams.read(codec(dialect), PLAN, bytes, Streams.Input.WHOLE))
                            .as("%s on item %d", bad, which).isInstanceOf(MalformedMessageException.class)
                            .hasMessageContaining("dx:repair");
                }
            }
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("control items (dibex's reserved kind: dates, numbers, flags, binaries, tabular parts) round-trip exactly with the additions, and are refused without (SPEC §5)")
        void controlItemsRoundTripWithTheAdditions(XmlDialect dialect) {
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 20, ID, 2, RECEIVED, false, List.of());
            DataObject head = DataObject.builder(ObjectKey.of("dibex.Control", "0f1e2d3c.REPORT"))
                    .set("Run", Value.of("0f1e2d3c")).set("Step", Value.of("REPORT"))
                    .set("From", Value.of(LocalDate.of(2025, 11, 17))).set("To", Value.of(LocalDate.of(2026, 1, 1)))
                    .set("OfficeListed", Value.of(12L)).set("Repairs", Value.of(0L))
                    .set("Error", Value.of(""))
                    .addRow("AskBack", Row.of("Kind", Value.of("Doc"), "Id", Value.of("b1-a")))
                    .addRow("AskBack", Row.of("Kind", Value.of("Doc"), "Id", Value.of("b1-b")))
                    .table("AskedBack", List.of())
                    .addRow("Errors", Row.of("Text", Value.of("Doc/x: <not> & \"listed\"")))
                    .build();
            DataObject part = DataObject.builder(ObjectKey.of("dibex.Control", "0f1e2d3c.REQUEST.1"))
                    .set("Run", Value.of("0f1e2d3c")).set("Step", Value.of("REQUEST")).set("Part", Value.of(1L))
                    .set("Last", Value.of(true)).set("Entries", Value.binary(new byte[] {0, 1, 2, (byte) 0xff, 10}))
                    .build();
            DataObject empty = DataObject.builder(ObjectKey.of("dibex.Control", "0f1e2d3c.REQUEST.2"))
                    .set("Part", Value.of(2L)).set("Last", Value.of(false)).set("Entries", Value.binary(new byte[0]))
                    .build();
            List<MessageItem> items = List.of(new MessageItem.Upsert(head), new MessageItem.Upsert(part, 19, false),
                    new MessageItem.Upsert(empty));
            byte[] bytes = Streams.write(codec(dialect), PLAN, h, items);
            for (Streams.Input input : Streams.Input.values()) {
                List<MessageItem> read = Streams.read(codec(dialect), PLAN, bytes, input).items();
                assertThat(read).as(input.name()).containsExactlyElementsOf(items);
                for (int i = 0; i < items.size(); i++) {
                    DataObject expected = ((MessageItem.Upsert) items.get(i)).object();
                    DataObject actual = ((MessageItem.Upsert) read.get(i)).object();
                    assertThat(List.copyOf(actual.fields().keySet())).containsExactlyElementsOf(
                            expected.fields().keySet());
                    assertThat(List.copyOf(actual.tables().keySet())).containsExactlyElementsOf(
                            expected.tables().keySet());
                }
            }

            XmlCodec plain = XmlCodec.builder(dialect).additions(false).build();
            assertThatThrownBy(() -> Streams.write(plain, PLAN, h, items.subList(1, 2)))
                    .isInstanceOf(InvalidValueException.class).hasMessageContaining("dibex.Control/0f1e2d3c.REQUEST.1")
                    .hasMessageContaining("control item");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("without additions nothing of dibex's namespace is written")
        void withoutAdditionsNoDibexNamespace(XmlDialect dialect) {
            XmlCodec plain = XmlCodec.builder(dialect).additions(false).build();
            MessageHeader h = new MessageHeader("Trade", "C", "B1", 3, ID, 2, RECEIVED, false, List.of());
            byte[] bytes = Streams.write(plain, PLAN, h, List.of(new MessageItem.Upsert(rich())));

            assertThat(text(bytes)).doesNotContain("urn:dibex").doesNotContain("dx:");
            Streams.Message read = Streams.read(plain, PLAN, bytes, Streams.Input.WHOLE);
            assertThat(read.header().messageId()).isEqualTo(XmlCodec.impliedMessageId("Trade", "C", "B1", 3));
            assertThat(read.header().receivedId()).isEqualTo(XmlCodec.impliedMessageId("Trade", "B1", "C", 2));
            assertThat(plain.name()).endsWith("-plain");
        }
    }

    // ---- values

    @Nested
    @DisplayName("values round-trip exactly (SPEC §4)")
    class Values {

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        void everyValueTypeInEveryInputMode(XmlDialect dialect) {
            DataObject object = rich();
            byte[] bytes = Streams.write(codec(dialect), PLAN, header(1), List.of(new MessageItem.Upsert(object)));
            for (Streams.Input input : Streams.Input.values()) {
                DataObject back = ((MessageItem.Upsert) Streams.read(codec(dialect), PLAN, bytes, input).items().get(0))
                        .object();
                assertThat(back).as("%s", input).isEqualTo(object);
                assertThat(((Value.Decimal) back.get("Whole")).value().scale()).isEqualTo(-3);
                assertThat(((Value.Decimal) back.get("Zero")).value().scale()).isEqualTo(3);
                assertThat(back.get("Empty")).isEqualTo(Value.of("")).isNotEqualTo(Value.NULL);
                assertThat(back.get("Nothing")).isEqualTo(Value.NULL);
            }
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("CR is written as &#13;, which no parser normalizes away")
        void carriageReturnIsACharacterReference(XmlDialect dialect) {
            DataObject o = DataObject.builder(TestPlans.itemKey("A")).set("Description", "a\r\nb\rc\n").build();
            String xml = text(Streams.write(codec(dialect), PLAN, header(1), List.of(new MessageItem.Upsert(o))));

            assertThat(xml).contains("a&#13;\nb&#13;c\n").doesNotContain("\r");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("a 5 MB binary is written in base64 chunks and read back")
        void largeBinary(XmlDialect dialect) {
            byte[] data = new byte[5 * 1024 * 1024 + 1];
            new Random(3).nextBytes(data);
            DataObject o = DataObject.builder(TestPlans.itemKey("A")).set("Blob", Value.binary(data)).build();
            byte[] bytes = Streams.write(codec(dialect), PLAN, header(1), List.of(new MessageItem.Upsert(o)));

            assertThat(Streams.read(codec(dialect), PLAN, bytes, Streams.Input.ODD_CHUNKS_AND_ZERO_READS).items())
                    .containsExactly(new MessageItem.Upsert(o));
        }

        @Test
        @DisplayName("base64 split by line breaks, as other writers wrap it, reads; padding bits must be zero")
        void base64Forms() {
            String wrapped = v8msg("<CatalogObject.Item><Ref>A</Ref><B xsi:type=\"xs:base64Binary\">AAEC\r\n  /w==</B>"
                    + "</CatalogObject.Item>");
            assertThat(readV8(wrapped).get(0)).isEqualTo(new MessageItem.Upsert(DataObject.builder(TestPlans.itemKey("A"))
                    .set("B", Value.binary(new byte[] {0, 1, 2, (byte) 0xff})).build()));

            String sloppy = v8msg("<CatalogObject.Item><Ref>A</Ref><B xsi:type=\"xs:base64Binary\">AAEC/x==</B>"
                    + "</CatalogObject.Item>");
            assertThatThrownBy(() -> readV8(sloppy)).isInstanceOf(MalformedMessageException.class)
                    .hasMessageContaining("padding");
        }
    }

    // ---- the writer

    @Nested
    @DisplayName("the writer")
    class Writer {

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("refuses a string XML 1.0 cannot carry before any byte of its item, and stays usable")
        void refusesWhatXmlCannotCarry(XmlDialect dialect) {
            MessageItem good = new MessageItem.Deletion(TestPlans.itemKey("1"));
            for (String bad : List.of("nul \u0000", "bell \u0007", "\uFFFE", "\uFFFF", "half \uD83D", "\uDE00 half")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                MessageItem item = new MessageItem.Upsert(DataObject.builder(TestPlans.itemKey("2")).set("ok", "fine")
                        .addRow("Rows", Row.of("Note", Value.of(bad))).build());
                try (MessageWriter writer = codec(dialect).writer(out, PLAN, header(1))) {
                    writer.write(good);
                    assertThatThrownBy(() -> writer.write(item)).isExactlyInstanceOf(InvalidValueException.class)
                            .hasMessageContaining("Item/2").hasMessageContaining("XML 1.0 cannot carry");
                    writer.write(good);
                    writer.finish();
                }
                assertThat(Streams.read(codec(dialect), PLAN, out.toByteArray(), Streams.Input.WHOLE).items())
                        .containsExactly(good, good);
            }
            assertThatThrownBy(() -> codec(dialect).writer(new ByteArrayOutputStream(), PLAN,
                    new MessageHeader("Tr\u0001de", "C", "B1", 1, ID, 0, null, false, List.of())))
                    .isExactlyInstanceOf(InvalidValueException.class).hasMessageContaining("plan name");
            assertThatThrownBy(() -> Streams.write(codec(dialect), PLAN, header(1),
                    List.of(new MessageItem.Deletion(ObjectKey.of("Item", "\uDBFF")))))
                    .isExactlyInstanceOf(InvalidValueException.class).hasMessageContaining("lone surrogate");
        }

        @Test
        @DisplayName("in v8msg, refuses a name that is no XML name, which the seed dialect carries in an attribute")
        void refusesNamesThatAreNotXmlNames() {
            // Java calls 'ª' a letter, so it is a valid dibex name; XML 1.0 does not allow it in names.
            MessageItem item = new MessageItem.Upsert(DataObject.builder(TestPlans.itemKey("1")).set("Brandª", "x").build());

            assertThatThrownBy(() -> Streams.write(XmlCodec.v8msg(), PLAN, header(1), List.of(item)))
                    .isExactlyInstanceOf(InvalidValueException.class).hasMessageContaining("not an XML 1.0 name");
            byte[] seed = Streams.write(XmlCodec.seed(), PLAN, header(1), List.of(item));
            assertThat(Streams.read(XmlCodec.seed(), PLAN, seed, Streams.Input.WHOLE).items()).containsExactly(item);
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("refuses a decimal whose plain form has more than 4096 digits, which no reader would parse in time")
        void refusesHugeDecimals(XmlDialect dialect) {
            for (String huge : List.of("1E+5000", "1E-5000", "9".repeat(4097))) {
                MessageItem item = new MessageItem.Upsert(DataObject.builder(TestPlans.itemKey("1"))
                        .set("Price", Value.of(new BigDecimal(huge))).build());
                assertThatThrownBy(() -> Streams.write(codec(dialect), PLAN, header(1), List.of(item)))
                        .isExactlyInstanceOf(InvalidValueException.class).hasMessageContaining("4096");
            }
            MessageItem longest = new MessageItem.Upsert(DataObject.builder(TestPlans.itemKey("1"))
                    .set("Price", Value.of(new BigDecimal("9".repeat(4095) + ".9"))).build());
            byte[] bytes = Streams.write(codec(dialect), PLAN, header(1), List.of(longest));
            assertThat(Streams.read(codec(dialect), PLAN, bytes, Streams.Input.WHOLE).items()).containsExactly(longest);
        }

        @Test
        @DisplayName("in v8msg, refuses an empty tabular part named like a typed field: <Date/> would read as the field")
        void refusesAmbiguousEmptyTable() {
            MessageItem item = new MessageItem.Upsert(DataObject.builder(TestPlans.itemKey("1"))
                    .table("Description", List.of()).build());

            assertThatThrownBy(() -> Streams.write(XmlCodec.v8msg(), PLAN, header(1), List.of(item)))
                    .isExactlyInstanceOf(InvalidValueException.class).hasMessageContaining("Description");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @DisplayName("without additions refuses what only additions carry: restored, rejected keys, retractions")
        void withoutAdditionsRefusesWhatNeedsThem(XmlDialect dialect) {
            XmlCodec plain = XmlCodec.builder(dialect).additions(false).build();
            OutputStream out = new ByteArrayOutputStream();

            assertThatThrownBy(() -> plain.writer(out, PLAN, new MessageHeader("Trade", "C", "B1", 1, ID, 0, null, true,
                    List.of()))).isExactlyInstanceOf(InvalidValueException.class).hasMessageContaining("restored");
            assertThatThrownBy(() -> plain.writer(out, PLAN, new MessageHeader("Trade", "C", "B1", 1, ID, 0, null, false,
                    List.of(TestPlans.itemKey("X"))))).isExactlyInstanceOf(InvalidValueException.class)
                    .hasMessageContaining("rejected");
            try (MessageWriter writer = plain.writer(out, PLAN, header(1))) {
                assertThatThrownBy(() -> writer.write(new MessageItem.Retraction(TestPlans.itemKey("X"))))
                        .isExactlyInstanceOf(InvalidValueException.class).hasMessageContaining("retraction");
            }
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        void buffersFlushesOnFinishAndNeverClosesTheStream(XmlDialect dialect) {
            boolean[] closed = {false};
            int[] flushes = {0};
            ByteArrayOutputStream out = new ByteArrayOutputStream() {
                @Override
                public void flush() {
                    flushes[0]++;
                }

                @Override
                public void close() {
                    closed[0] = true;
                }
            };
            MessageWriter writer = codec(dialect).writer(out, PLAN, header(1));
            writer.write(new MessageItem.Deletion(TestPlans.itemKey("1")));
            assertThat(out.size()).as("bytes before finish").isZero();
            writer.finish();
            assertThat(flushes[0]).isEqualTo(1);
            assertThat(Streams.read(codec(dialect), PLAN, out.toByteArray(), Streams.Input.WHOLE).items()).hasSize(1);
            writer.close();
            writer.close();
            assertThat(closed[0]).isFalse();
            assertThatThrownBy(() -> writer.write(new MessageItem.Deletion(TestPlans.itemKey("1"))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        void aStreamFailureIsATransportExceptionAndLeavesTheWriterFailed(XmlDialect dialect) {
            IOException disk = new IOException("disk full");
            OutputStream failing = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw disk;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    throw disk;
                }
            };
            MessageWriter writer = codec(dialect).writer(failing, PLAN, header(1));

            assertThatThrownBy(writer::finish).isInstanceOf(TransportException.class).hasCause(disk);
            assertThatThrownBy(() -> writer.write(new MessageItem.Deletion(TestPlans.itemKey("1"))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed");
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        @Timeout(value = 30, unit = TimeUnit.SECONDS)
        @DisplayName("a hundred thousand items stream through one at a time")
        void aHundredThousandItems(XmlDialect dialect) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int count = 100_000;
            try (MessageWriter writer = codec(dialect).writer(bytes, PLAN, header(9))) {
                for (int i = 0; i < count; i++) {
                    writer.write(new MessageItem.Upsert(TestPlans.item("G" + i, "Товар " + i,
                            BigDecimal.valueOf(i, 2).toPlainString())));
                }
                writer.finish();
            }
            long seen = 0;
            try (MessageReader reader = codec(dialect).reader(new ByteArrayInputStream(bytes.toByteArray()), PLAN, "m")) {
                for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                    seen++;
                    if (seen == count) {
                        assertThat(((MessageItem.Upsert) item).object().get("Price"))
                                .isEqualTo(Value.of(new BigDecimal("999.99")));
                    }
                }
            }
            assertThat(seen).isEqualTo(count);
        }
    }

    // ---- the reader

    @Nested
    @DisplayName("the reader")
    class Reader {

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        void returnsNullAfterTheEndAgainAndNeverClosesTheStream(XmlDialect dialect) {
            boolean[] closed = {false};
            InputStream in = new ByteArrayInputStream(Streams.write(codec(dialect), PLAN, header(1), List.of())) {
                @Override
                public void close() {
                    closed[0] = true;
                }
            };
            MessageReader reader = codec(dialect).reader(in, PLAN, "m");
            assertThat(reader.next()).isNull();
            assertThat(reader.next()).isNull();
            reader.close();
            reader.close();
            assertThat(closed[0]).isFalse();
            assertThatThrownBy(reader::next).isInstanceOf(IllegalStateException.class);
        }

        @ParameterizedTest
        @EnumSource(XmlDialect.class)
        void afterAFailureEveryNextThrowsTheSameFailure(XmlDialect dialect) {
            byte[] whole = Streams.write(codec(dialect), PLAN, header(1),
                    List.of(new MessageItem.Deletion(TestPlans.itemKey("1"))));
            byte[] bad = (text(whole) + "<trailing/>").getBytes(StandardCharsets.UTF_8);
            MessageReader reader = codec(dialect).reader(new ByteArrayInputStream(bad), PLAN, "m");
            assertThat(reader.next()).isNotNull();
            MalformedMessageException first = catchMalformed(reader);

            assertThat(catchMalformed(reader)).isSameAs(first);
        }

        @Test
        @DisplayName("a record set must follow its recorder, and its Filter must name it")
        void recordSetsFollowTheirRecorder() {
            String orphan = v8msg("<AccumulationRegisterRecordSet.Stock><Filter><Recorder xsi:type=\"DocumentRef.Sale\">S"
                    + "</Recorder></Filter><Records/></AccumulationRegisterRecordSet.Stock>");
            assertThatThrownBy(() -> readV8(orphan)).isInstanceOf(MalformedMessageException.class)
                    .hasMessageContaining("does not follow its recorder");

            String other = v8msg("<DocumentObject.Sale><Ref>S</Ref></DocumentObject.Sale>"
                    + "<AccumulationRegisterRecordSet.Stock><Filter><Recorder xsi:type=\"DocumentRef.Sale\">T</Recorder>"
                    + "</Filter><Records/></AccumulationRegisterRecordSet.Stock>");
            assertThatThrownBy(() -> readV8(other)).isInstanceOf(MalformedMessageException.class)
                    .hasMessageContaining("not the document Sale/S");
        }

        private MalformedMessageException catchMalformed(MessageReader reader) {
            try {
                reader.next();
            } catch (MalformedMessageException e) {
                return e;
            }
            throw new AssertionError("no failure");
        }
    }

    // ---- what 1C writes

    @Nested
    @DisplayName("what 1C writes (SPEC §4)")
    class OneC {

        private final ExchangePlan plan = ExchangePlan.builder("Торговля").central("ЦБ").node("Ф1", "ЦБ")
                .kind(ObjectKind.catalog("Номенклатура").field("Артикул", ValueType.STRING)
                        .field("ДатаСоздания", ValueType.DATE_TIME).field("Вес", ValueType.DECIMAL).build())
                .kind(ObjectKind.catalog("Контрагенты").build())
                .kind(ObjectKind.document("Продажа").field("Номенклатура", ValueType.REFERENCE)
                        .field("Товары.Номенклатура", ValueType.REFERENCE)
                        .field("Товары.Количество", ValueType.DECIMAL).build())
                .build();

        private static final String GOODS = "6f1c1e6e-7d3a-4c1b-9a51-0b8e2f4d5c6a";
        private static final String SALE = "1e2d3c4b-5a69-7887-96a5-b4c3d2e1f000";
        private static final String VENDOR = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

        /** Objects as 1C writes them: tab indentation, bare refs, empty elements, nil, empty values. */
        private String body() {
            return "\t\t\t<CatalogObject.Номенклатура xmlns=\"http://v8.1c.ru/8.1/data/enterprise/current-config\">\n"
                    + "\t\t\t\t<Ref>" + GOODS + "</Ref>\n"
                    + "\t\t\t\t<IsFolder>false</IsFolder>\n"
                    + "\t\t\t\t<DeletionMark>false</DeletionMark>\n"
                    + "\t\t\t\t<Parent>00000000-0000-0000-0000-000000000000</Parent>\n"
                    + "\t\t\t\t<Code>000123</Code>\n"
                    + "\t\t\t\t<Description>Аспирин</Description>\n"
                    + "\t\t\t\t<Артикул/>\n"
                    + "\t\t\t\t<Производитель xsi:type=\"CatalogRef.Контрагенты\">" + VENDOR + "</Производитель>\n"
                    + "\t\t\t\t<Вес xsi:nil=\"true\"/>\n"
                    + "\t\t\t\t<ДатаСоздания>0001-01-01T00:00:00</ДатаСоздания>\n"
                    + "\t\t\t\t<Штрихкоды/>\n"
                    + "\t\t\t</CatalogObject.Номенклатура>\n"
                    + "\t\t\t<DocumentObject.Продажа>\n"
                    + "\t\t\t\t<Ref>" + SALE + "</Ref>\n"
                    + "\t\t\t\t<DeletionMark>false</DeletionMark>\n"
                    + "\t\t\t\t<Date>2026-01-15T10:30:00</Date>\n"
                    + "\t\t\t\t<Number>ЦБ-000001</Number>\n"
                    + "\t\t\t\t<Posted>true</Posted>\n"
                    + "\t\t\t\t<Номенклатура>" + GOODS + "</Номенклатура>\n"
                    + "\t\t\t\t<Товары>\n"
                    + "\t\t\t\t\t<Row>\n"
                    + "\t\t\t\t\t\t<Номенклатура>" + GOODS + "</Номенклатура>\n"
                    + "\t\t\t\t\t\t<Количество>2</Количество>\n"
                    + "\t\t\t\t\t</Row>\n"
                    + "\t\t\t\t</Товары>\n"
                    + "\t\t\t</DocumentObject.Продажа>\n"
                    + "\t\t\t<AccumulationRegisterRecordSet.ТоварыНаСкладах>\n"
                    + "\t\t\t\t<Filter>\n"
                    + "\t\t\t\t\t<Recorder xsi:type=\"DocumentRef.Продажа\">" + SALE + "</Recorder>\n"
                    + "\t\t\t\t</Filter>\n"
                    + "\t\t\t\t<Records>\n"
                    + "\t\t\t\t\t<Record>\n"
                    + "\t\t\t\t\t\t<Recorder>" + SALE + "</Recorder>\n"
                    + "\t\t\t\t\t\t<Period>2026-01-15T10:30:00</Period>\n"
                    + "\t\t\t\t\t\t<MovementType>Expense</MovementType>\n"
                    + "\t\t\t\t\t\t<Active>true</Active>\n"
                    + "\t\t\t\t\t\t<Количество>2</Количество>\n"
                    + "\t\t\t\t\t</Record>\n"
                    + "\t\t\t\t</Records>\n"
                    + "\t\t\t</AccumulationRegisterRecordSet.ТоварыНаСкладах>\n"
                    + "\t\t\t<ObjectDeletion>\n"
                    + "\t\t\t\t<Ref xsi:type=\"CatalogRef.Номенклатура\">" + VENDOR + "</Ref>\n"
                    + "\t\t\t</ObjectDeletion>\n";
        }

        private List<MessageItem> expected() {
            ObjectKey goods = ObjectKey.of("Номенклатура", GOODS);
            ObjectKey sale = ObjectKey.of("Продажа", SALE);
            DataObject catalog = DataObject.builder(goods)
                    .set("IsFolder", Value.of(false)).set("DeletionMark", Value.of(false)).set("Parent", Value.NULL)
                    .set("Code", "000123").set("Description", "Аспирин").set("Артикул", "")
                    .set("Производитель", Value.ref(ObjectKey.of("Контрагенты", VENDOR))).set("Вес", Value.NULL)
                    .set("ДатаСоздания", Value.NULL).table("Штрихкоды", List.of()).build();
            DataObject document = DataObject.builder(sale)
                    .set("DeletionMark", Value.of(false)).set("Date", Value.of(LocalDateTime.of(2026, 1, 15, 10, 30)))
                    .set("Number", "ЦБ-000001").set("Posted", Value.of(true)).set("Номенклатура", Value.ref(goods))
                    .addRow("Товары", Row.of("Номенклатура", Value.ref(goods), "Количество", Value.of(new BigDecimal("2"))))
                    .recordSet(new RecordSet("ТоварыНаСкладах", List.of(Row.of("Recorder", Value.ref(sale),
                            "Period", Value.of(LocalDateTime.of(2026, 1, 15, 10, 30)),
                            "MovementType", Value.enumValue("AccumulationRecordType", "Expense"),
                            "Active", Value.of(true), "Количество", Value.of("2")))))
                    .build();
            return List.of(new MessageItem.Upsert(catalog), new MessageItem.Upsert(document),
                    new MessageItem.Deletion(ObjectKey.of("Номенклатура", VENDOR)));
        }

        @Test
        @DisplayName("a message with a BOM, another prefix, a v8de:Data wrapper, objects in both namespaces")
        void aMessageAs1CWritesIt() {
            String xml = "\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<msg:Message xmlns:msg=\"http://v8.1c.ru/messages\">\n"
                    + "\t<msg:Header>\n"
                    + "\t\t<msg:ExchangePlan>Торговля</msg:ExchangePlan>\n"
                    + "\t\t<msg:To>Ф1</msg:To>\n"
                    + "\t\t<msg:From>ЦБ</msg:From>\n"
                    + "\t\t<msg:MessageNo>7</msg:MessageNo>\n"
                    + "\t</msg:Header>\n"
                    + "\t<msg:Body>\n"
                    + "\t\t<v8de:Data xmlns:v8de=\"http://v8.1c.ru/8.1/data/enterprise\""
                    + " xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
                    + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
                    + body()
                    + "\t\t</v8de:Data>\n"
                    + "\t</msg:Body>\n"
                    + "</msg:Message>\n";
            byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);

            for (Streams.Input input : Streams.Input.values()) {
                Streams.Message m = Streams.read(XmlCodec.v8msg(), plan, bytes, input);
                assertThat(m.header()).isEqualTo(new MessageHeader("Торговля", "ЦБ", "Ф1", 7,
                        XmlCodec.impliedMessageId("Торговля", "ЦБ", "Ф1", 7), 0, null, false, List.of()));
                assertThat(m.items()).as("%s", input).containsExactlyElementsOf(expected());
            }
        }

        @Test
        @DisplayName("a V8Exch:_1CV8DtUD upload file reads as a plain object stream")
        void anUploadFile() {
            String xml = "\uFEFF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<V8Exch:_1CV8DtUD xmlns:V8Exch=\"http://www.1c.ru/V8/1CV8DtUD/\""
                    + " xmlns:core=\"http://v8.1c.ru/data\""
                    + " xmlns:v8=\"http://v8.1c.ru/8.1/data/enterprise/current-config\""
                    + " xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
                    + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
                    + "\t<V8Exch:Data>\n"
                    + body()
                    + "\t</V8Exch:Data>\n"
                    + "\t<PredefinedData>\n\t\t<Catalog.Номенклатура><item Ref=\"x\" Name=\"y\"/></Catalog.Номенклатура>\n"
                    + "\t</PredefinedData>\n"
                    + "</V8Exch:_1CV8DtUD>\n";
            byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);

            List<MessageItem> items = new ArrayList<>();
            try (ItemReader reader = XmlCodec.v8msg().readUpload(new Streams.Chunked(bytes, new Random(5), 7), plan,
                    "upload.xml")) {
                for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                    items.add(item);
                }
                assertThat(reader.next()).isNull();
            }
            assertThat(items).containsExactlyElementsOf(expected());
            assertThatThrownBy(() -> XmlCodec.v8msg().reader(new ByteArrayInputStream(bytes), plan, "upload.xml"))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("readUpload");
        }

        @Test
        @DisplayName("objects in no namespace under a Body with none, and a header in any order")
        void objectsInNoNamespace() {
            String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<Message xmlns=\"http://v8.1c.ru/messages\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                    + "<Header><From>ЦБ</From><To>Ф1</To><ExchangePlan>Торговля</ExchangePlan><ReceivedNo>0</ReceivedNo>"
                    + "<MessageNo>1</MessageNo></Header>"
                    + "<Body><CatalogObject.Контрагенты xmlns=\"\"><Ref>" + VENDOR + "</Ref><Description>ООО</Description>"
                    + "</CatalogObject.Контрагенты></Body></Message>";

            Streams.Message m = Streams.read(XmlCodec.v8msg(), plan, xml.getBytes(StandardCharsets.UTF_8),
                    Streams.Input.WHOLE);
            assertThat(m.items()).containsExactly(new MessageItem.Upsert(DataObject.builder(
                    ObjectKey.of("Контрагенты", VENDOR)).set("Description", "ООО").build()));
        }
    }

    // ---- the wire format stands on its own

    @Test
    @DisplayName("a v8msg message written by dibex is read by a plain StAX reader that knows nothing of dibex")
    void aPlainStaxReaderReadsV8msg() throws XMLStreamException {
        MessageHeader h = new MessageHeader("Trade", "C", "B1", 12, ID, 7, RECEIVED, false, List.of());
        byte[] bytes = Streams.write(XmlCodec.v8msg(), PLAN, h, List.of(
                new MessageItem.Upsert(TestPlans.item("A", "Аспирин & <Co>\r\n", "4.20")),
                new MessageItem.Upsert(TestPlans.sale("S1", "B1", "12.50")),
                new MessageItem.Deletion(TestPlans.itemKey("B"))));

        // The JDK's own StAX implementation, not Woodstox; only the names of SPEC §4.
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XMLStreamReader r = factory.createXMLStreamReader(new ByteArrayInputStream(bytes));
        Map<String, String> header = new HashMap<>();
        List<String> objects = new ArrayList<>();
        Map<String, String> firstObject = new HashMap<>();
        String messages = "http://v8.1c.ru/messages";
        String section = "";
        int depth = 0;
        while (r.hasNext()) {
            int e = r.next();
            if (e == XMLStreamConstants.START_ELEMENT) {
                depth++;
                if (depth == 2 && messages.equals(r.getNamespaceURI())) {
                    section = r.getLocalName();
                } else if (depth == 3 && section.equals("Header")) {
                    // dibex's additions are in a namespace of their own, which this reader ignores.
                    String text = r.getElementText();
                    if (messages.equals(r.getNamespaceURI())) {
                        header.put(r.getLocalName(), text);
                    }
                    depth--;
                } else if (depth == 3 && section.equals("Body")) {
                    objects.add(r.getLocalName());
                } else if (depth == 4 && objects.size() == 1) {
                    firstObject.put(r.getLocalName(), r.getElementText());
                    depth--;
                }
            } else if (e == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
        assertThat(header).containsEntry("ExchangePlan", "Trade").containsEntry("To", "B1").containsEntry("From", "C")
                .containsEntry("MessageNo", "12").containsEntry("ReceivedNo", "7");
        assertThat(objects).containsExactly("CatalogObject.Item", "DocumentObject.Sale", "ObjectDeletion");
        assertThat(firstObject).containsEntry("Ref", "A").containsEntry("Description", "Аспирин & <Co>\r\n")
                .containsEntry("Price", "4.20");
    }

    @Test
    @DisplayName("the codec's name, dialect and limits are what it was built with")
    void describesItself() {
        XmlCodec codec = XmlCodec.builder(XmlDialect.V8MSG).limits(io.dibex.codec.Limits.builder().maxDepth(9).build())
                .build();
        assertThat(codec.name()).isEqualTo("xml-v8msg");
        assertThat(codec.dialect()).isEqualTo(XmlDialect.V8MSG);
        assertThat(codec.limits().maxDepth()).isEqualTo(9);
        assertThat(codec.additions()).isTrue();
        assertThat(XmlCodec.seed().name()).isEqualTo("xml-seed");
        assertThat((MessageCodec) codec).isInstanceOf(MessageCodec.class);
        assertThat(new DibexException("x")).isNotInstanceOf(InvalidValueException.class);
    }

    // ---- helpers

    /** {@code text} with the {@code n}th occurrence (from 0) of {@code find} replaced. */
    static String replaceNth(String text, String find, String replacement, int n) {
        int at = -1;
        for (int i = 0; i <= n; i++) {
            at = text.indexOf(find, at + 1);
            if (at < 0) {
                throw new AssertionError("fewer than " + (n + 1) + " occurrences of " + find);
            }
        }
        return text.substring(0, at) + replacement + text.substring(at + find.length());
    }

    /** A v8msg message around a body, with xs, xsi and the current-config namespace as default. */
    static String v8msg(String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><v8msg:Message xmlns:v8msg=\"http://v8.1c.ru/messages\""
                + " xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                + "<v8msg:Header><v8msg:ExchangePlan>Trade</v8msg:ExchangePlan><v8msg:To>B1</v8msg:To>"
                + "<v8msg:From>C</v8msg:From><v8msg:MessageNo>1</v8msg:MessageNo><v8msg:ReceivedNo>0</v8msg:ReceivedNo>"
                + "</v8msg:Header><v8msg:Body xmlns=\"http://v8.1c.ru/8.1/data/enterprise/current-config\">" + body
                + "</v8msg:Body></v8msg:Message>";
    }

    static List<MessageItem> readV8(String xml) {
        return Streams.read(XmlCodec.v8msg(), PLAN, xml.getBytes(StandardCharsets.UTF_8), Streams.Input.WHOLE).items();
    }
}
