package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.xml.XmlCodec;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One document, read from messages formatted in different ways, has one digest (SPEC §5). */
class XmlFormattingTest {

    private static final String HEADER = "<ЗаголовокСообщения><ПланОбмена>Digests</ПланОбмена>"
            + "<Получатель>Офис</Получатель><Отправитель>Аптека1</Отправитель>"
            + "<НомерСообщения>5</НомерСообщения><ПолученноеСообщение>0</ПолученноеСообщение></ЗаголовокСообщения>";

    /** As the codec writes it: tab indentation, fields in the object's order. */
    private static final String WRITTEN = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Сообщение>
            \tHEADER
            \t<ТелоСообщения>
            \t\t<Объект Вид="Реализация" Ид="1e2d3c4b-5a69-7887-96a5-b4c3d2e1f000">
            \t\t\t<Реквизит Имя="Date" Тип="dateTime">2026-01-15T10:30:00</Реквизит>
            \t\t\t<Реквизит Имя="Number">ЦБ-000001</Реквизит>
            \t\t\t<Реквизит Имя="Комментарий">две строки:&#13;
            вторая</Реквизит>
            \t\t\t<Реквизит Имя="Сумма" Тип="decimal">376.50</Реквизит>
            \t\t\t<Реквизит Имя="Изменён" Тип="instant">2026-01-15T07:30:00Z</Реквизит>
            \t\t\t<Реквизит Имя="Контрагент" Тип="ref" Вид="Контрагенты">aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</Реквизит>
            \t\t\t<ТабличнаяЧасть Имя="Товары">
            \t\t\t\t<Строка>
            \t\t\t\t\t<Реквизит Имя="Количество" Тип="decimal">2.000</Реквизит>
            \t\t\t\t\t<Реквизит Имя="Цена" Тип="decimal">125.50</Реквизит>
            \t\t\t\t</Строка>
            \t\t\t\t<Строка>
            \t\t\t\t\t<Реквизит Имя="Количество" Тип="decimal">1</Реквизит>
            \t\t\t\t\t<Реквизит Имя="Цена" Тип="decimal">125.5</Реквизит>
            \t\t\t\t</Строка>
            \t\t\t</ТабличнаяЧасть>
            \t\t\t<НаборЗаписей Регистр="Остатки">
            \t\t\t\t<Запись>
            \t\t\t\t\t<Реквизит Имя="Количество" Тип="decimal">-3.000</Реквизит>
            \t\t\t\t</Запись>
            \t\t\t</НаборЗаписей>
            \t\t</Объект>
            \t</ТелоСообщения>
            </Сообщение>
            """.replace("HEADER", HEADER);

    /**
     * The same document by another hand: one line, single quotes, attributes swapped, a comment,
     * character references and CDATA, fields in another order and interleaved with the tabular
     * part, other scales, the instant in Moscow time, an unused namespace, and a LOCAL record set
     * that the office keeps to itself.
     */
    private static final String HANDWRITTEN = "<Сообщение xmlns:x='urn:unused'>" + HEADER + "<ТелоСообщения>"
            + "<!-- a comment --><Объект Ид='1e2d3c4b-5a69-7887-96a5-b4c3d2e1f000' Вид='Реализация'>"
            + "<Реквизит Тип='instant' Имя='Изменён'>2026-01-15T10:30:00.000+03:00</Реквизит>"
            + "<Реквизит Имя='Сумма' Тип='decimal'>376.5000</Реквизит>"
            + "<НаборЗаписей Регистр='Себестоимость'><Запись><Реквизит Имя='Сумма' Тип='decimal'>180.40</Реквизит>"
            + "</Запись></НаборЗаписей>"
            + "<ТабличнаяЧасть Имя='Товары'><Строка><Реквизит Тип='decimal' Имя='Цена'>125.5</Реквизит>"
            + "<Реквизит Имя='Количество' Тип='decimal'>2</Реквизит></Строка>"
            + "<Строка><Реквизит Имя='Цена' Тип='decimal'>125.500</Реквизит><Реквизит Имя='Количество' "
            + "Тип='decimal'>1.0</Реквизит></Строка></ТабличнаяЧасть>"
            + "<Реквизит Имя='Комментарий'><![CDATA[две строки:]]>&#xD;&#xA;&#x432;торая</Реквизит>"
            + "<Реквизит Вид='Контрагенты' Имя='Контрагент' Тип='ref'>aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</Реквизит>"
            + "<Реквизит Имя='Number'>&#x426;&#1041;-000001</Реквизит>"
            + "<Реквизит Имя='Date' Тип='dateTime'>2026-01-15T10:30:00</Реквизит>"
            + "<НаборЗаписей Регистр='Остатки'><Запись><Реквизит Имя='Количество' Тип='decimal'>-3</Реквизит>"
            + "</Запись></НаборЗаписей>"
            + "</Объект></ТелоСообщения></Сообщение>";

    private static DataObject built() {
        ObjectKey key = ObjectKey.of("Реализация", "1e2d3c4b-5a69-7887-96a5-b4c3d2e1f000");
        return DataObject.builder(key)
                .set("Date", Value.of(LocalDateTime.of(2026, 1, 15, 10, 30)))
                .set("Number", "ЦБ-000001")
                .set("Комментарий", "две строки:\r\nвторая")
                .set("Сумма", Value.of(new BigDecimal("376.50")))
                .set("Изменён", Value.of(Instant.parse("2026-01-15T07:30:00Z")))
                .set("Контрагент", Value.ref(ObjectKey.of("Контрагенты", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")))
                .addRow("Товары", Row.of("Количество", Value.of(new BigDecimal("2.000")), "Цена",
                        Value.of(new BigDecimal("125.50"))))
                .addRow("Товары", Row.of("Количество", Value.of(BigDecimal.ONE), "Цена",
                        Value.of(new BigDecimal("125.5"))))
                .recordSet(new RecordSet("Остатки", List.of(Row.of("Количество", Value.of(new BigDecimal("-3.000"))))))
                .build();
    }

    private static DataObject read(String xml) {
        try (MessageReader r = XmlCodec.seed().reader(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)),
                Gen.PLAN, "test")) {
            DataObject o = ((MessageItem.Upsert) r.next()).object();
            assertThat(r.next()).isNull();
            return o;
        }
    }

    @Test
    @DisplayName("two differently formatted messages carrying one document give it one digest")
    void formattingDoesNotCount() {
        DataObject written = read(WRITTEN);
        DataObject handwritten = read(HANDWRITTEN);
        assertThat(handwritten).as("the model keeps the representation").isNotEqualTo(written);
        assertThat(Gen.PLAN.digest(handwritten)).isEqualTo(Gen.PLAN.digest(written));
        assertThat(Gen.PLAN.digest(written)).isEqualTo(Gen.PLAN.digest(built()));
    }

    @Test
    @DisplayName("the document read from v8msg, as the codec writes it, has the digest it had in seed")
    void dialectDoesNotCount() {
        DataObject viaV8 = CanonicalDigestProperties.roundTrip(XmlCodec.v8msg(), read(HANDWRITTEN));
        assertThat(Gen.PLAN.digest(viaV8)).isEqualTo(Gen.PLAN.digest(built()));
    }

    @Test
    @DisplayName("a line break that arrives as LF instead of CRLF, or an element changed, changes the digest")
    void contentInXmlCounts() {
        String digest = Gen.PLAN.digest(read(WRITTEN)).hex();
        List<String> changed = List.of(
                WRITTEN.replace("две строки:&#13;\n", "две строки:\n"),
                WRITTEN.replace("две строки:&#13;\n", "две строки:&#13;"),
                WRITTEN.replace(">-3.000<", ">3.000<"),
                WRITTEN.replace("ЦБ-000001", "ЦБ-000001 "),
                WRITTEN.replace("2026-01-15T07:30:00Z", "2026-01-15T07:30:00+03:00"),
                WRITTEN.replace("<Реквизит Имя=\"Number\">ЦБ-000001</Реквизит>", "<Реквизит Имя=\"Number\"/>"),
                WRITTEN.replace("<Реквизит Имя=\"Number\">ЦБ-000001</Реквизит>", "<Реквизит Имя=\"Number\" Тип=\"null\"/>"),
                WRITTEN.replace("Имя=\"Остатки\"", "Имя=\"Продажи\"").replace("Регистр=\"Остатки\"", "Регистр=\"Продажи\""));
        for (String xml : changed) {
            assertThat(xml).isNotEqualTo(WRITTEN);
            assertThat(Gen.PLAN.digest(read(xml)).hex()).as(xml).isNotEqualTo(digest);
        }
    }
}
