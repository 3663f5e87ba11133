package io.dibex.bench;

import io.dibex.ExchangePlan;
import io.dibex.ObjectKind;
import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageWriter;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.UUID;

/**
 * A large, realistic exchange message, generated from a seed: catalogs of goods and customers,
 * then sales documents with Cyrillic text, decimals and a tabular part of goods, and some
 * deletions, typed as a 1C configuration would declare them (so the v8msg dialect writes bare
 * values, as 1C does). {@link #items} streams it without holding it.
 */
public final class Corpus {

    /** Goods in the catalog. */
    static final int GOODS = 2_000;
    /** Customers in the catalog. */
    static final int CUSTOMERS = 500;

    /** The plan: what a trading configuration declares about these kinds. */
    public static final ExchangePlan PLAN = ExchangePlan.builder("Торговля").central("ЦБ").node("Филиал1", "ЦБ")
            .kind(ObjectKind.catalog("Номенклатура").field("Code", ValueType.STRING)
                    .field("Description", ValueType.STRING).field("Артикул", ValueType.STRING)
                    .field("ЕдиницаИзмерения", ValueType.STRING).field("Цена", ValueType.DECIMAL).build())
            .kind(ObjectKind.catalog("Контрагенты").field("Code", ValueType.STRING)
                    .field("Description", ValueType.STRING).field("ИНН", ValueType.STRING).build())
            .kind(ObjectKind.document("Реализация").field("Date", ValueType.DATE_TIME)
                    .field("Number", ValueType.STRING).field("Posted", ValueType.BOOLEAN)
                    .field("Контрагенты", ValueType.REFERENCE).field("Комментарий", ValueType.STRING)
                    .field("СуммаДокумента", ValueType.DECIMAL)
                    .field("Товары.Номенклатура", ValueType.REFERENCE).field("Товары.Количество", ValueType.DECIMAL)
                    .field("Товары.Цена", ValueType.DECIMAL).field("Товары.Сумма", ValueType.DECIMAL)
                    .field("Товары.СтавкаНДС", ValueType.STRING).build())
            .build();

    /** The header of the message. */
    public static final MessageHeader HEADER = new MessageHeader("Торговля", "ЦБ", "Филиал1", 42,
            UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), 41,
            UUID.fromString("11111111-2222-3333-4444-555555555555"), false, List.of());

    private static final String[] WORDS = {"Аспирин", "Парацетамол", "Ибупрофен", "Витамин", "таблетки", "капсулы",
        "сироп", "мазь", "мг", "шипучие", "детский", "форте", "экспресс", "Цитрамон", "Но-шпа", "Смекта"};
    private static final String[] COMMENTS = {"Доставка до 18:00, позвонить заранее", "Оплата по счёту № ",
        "Самовывоз со склада на Ленинском проспекте", "Скидка постоянного покупателя", "", "Срочно!"};

    private Corpus() {
    }

    /** The number of items of a message with {@code documents} documents. */
    public static long itemCount(long documents) {
        return GOODS + CUSTOMERS + documents;
    }

    /**
     * The items of a message with {@code documents} documents, generated as they are taken:
     * the goods, the customers, then the documents, every hundredth of them a deletion.
     */
    public static Iterator<MessageItem> items(long documents, long seed) {
        return new Iterator<>() {
            private final Random random = new Random(seed);
            private long next;

            @Override
            public boolean hasNext() {
                return next < itemCount(documents);
            }

            @Override
            public MessageItem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long i = next++;
                if (i < GOODS) {
                    return new MessageItem.Upsert(goods((int) i, random));
                }
                if (i < GOODS + CUSTOMERS) {
                    return new MessageItem.Upsert(customer((int) (i - GOODS), random));
                }
                long d = i - GOODS - CUSTOMERS;
                if (d % 100 == 99) {
                    return new MessageItem.Deletion(ObjectKey.of("Реализация", id(3, d)));
                }
                return new MessageItem.Upsert(sale(d, random));
            }
        };
    }

    /** All items of a message, held in memory (for throughput runs). */
    public static List<MessageItem> list(long documents, long seed) {
        List<MessageItem> all = new ArrayList<>((int) itemCount(documents));
        items(documents, seed).forEachRemaining(all::add);
        return all;
    }

    /** Writes a message of these items. */
    public static void write(MessageCodec codec, Iterator<MessageItem> items, OutputStream out) {
        try (MessageWriter writer = codec.writer(out, PLAN, HEADER)) {
            while (items.hasNext()) {
                writer.write(items.next());
            }
            writer.finish();
        }
    }

    /** The bytes of a message of these items. */
    public static byte[] bytes(MessageCodec codec, List<MessageItem> items) {
        // Size it first, so that the bytes are held once and not copied as a buffer grows.
        CodecBenchmark.Sink size = new CodecBenchmark.Sink();
        write(codec, items.iterator(), size);
        Exact out = new Exact((int) size.count);
        write(codec, items.iterator(), out);
        return out.bytes;
    }

    /** An output into an array of the exact size. */
    private static final class Exact extends OutputStream {
        final byte[] bytes;
        int n;

        Exact(int size) {
            bytes = new byte[size];
        }

        @Override
        public void write(int b) {
            bytes[n++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, bytes, n, len);
            n += len;
        }
    }

    private static String id(int kind, long n) {
        return new UUID(0x6f1c1e6e7d3a4c1bL + kind, 0x9a510b8e2f4d5c6aL ^ n * 0x9E3779B97F4A7C15L).toString();
    }

    private static String words(Random random, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return s.toString();
    }

    private static BigDecimal money(Random random, int maxUnits) {
        return BigDecimal.valueOf(random.nextInt(maxUnits * 100) + 1, 2);
    }

    private static DataObject goods(int n, Random random) {
        return DataObject.builder(ObjectKey.of("Номенклатура", id(1, n)))
                .set("Code", String.format("%09d", n))
                .set("Description", words(random, 3) + " " + (n % 50 * 10 + 50) + " мг")
                .set("Артикул", "АРТ-" + n)
                .set("ЕдиницаИзмерения", "шт")
                .set("Цена", Value.of(money(random, 2000)))
                .build();
    }

    private static DataObject customer(int n, Random random) {
        return DataObject.builder(ObjectKey.of("Контрагенты", id(2, n)))
                .set("Code", String.format("%09d", n))
                .set("Description", "ООО «" + words(random, 2) + "-" + n + "»")
                .set("ИНН", String.format("77%08d", n))
                .build();
    }

    static DataObject sale(long n, Random random) {
        DataObject.Builder sale = DataObject.builder(ObjectKey.of("Реализация", id(3, n)))
                .set("Date", Value.of(LocalDateTime.of(2026, 1, 1, 9, 0).plusMinutes(n % 500_000)))
                .set("Number", String.format("ЦБ-%08d", n))
                .set("Posted", Value.of(random.nextInt(10) > 0))
                .set("Контрагенты", Value.ref(ObjectKey.of("Контрагенты", id(2, random.nextInt(CUSTOMERS)))))
                .set("Комментарий", COMMENTS[random.nextInt(COMMENTS.length)] + (random.nextBoolean() ? n : ""));
        BigDecimal total = BigDecimal.ZERO.setScale(2);
        int rows = 1 + random.nextInt(7);
        for (int r = 0; r < rows; r++) {
            BigDecimal qty = BigDecimal.valueOf(random.nextInt(20_000) + 1, 3);
            BigDecimal price = money(random, 3000);
            BigDecimal sum = qty.multiply(price).setScale(2, java.math.RoundingMode.HALF_UP);
            total = total.add(sum);
            sale.addRow("Товары", Row.of("Номенклатура", Value.ref(ObjectKey.of("Номенклатура", id(1, random.nextInt(GOODS)))),
                    "Количество", Value.of(qty), "Цена", Value.of(price), "Сумма", Value.of(sum),
                    "СтавкаНДС", Value.of(random.nextInt(4) == 0 ? "10%" : "20%")));
        }
        return sale.set("СуммаДокумента", Value.of(total)).build();
    }
}
