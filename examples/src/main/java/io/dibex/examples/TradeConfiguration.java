package io.dibex.examples;

import io.dibex.ExchangePlan;
import io.dibex.HostTransaction;
import io.dibex.MigrationPolicy;
import io.dibex.Node;
import io.dibex.ObjectKind;
import io.dibex.Sequence;
import io.dibex.memory.InMemoryStorage;
import io.dibex.memory.InMemoryTransport;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.SequenceBoundary;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.Transport;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The 1C 7.7 trade configuration of seed 004, built on dibex's public API only: goods are counted
 * at every node ({@code ТовЗап}, which migrates), and valued at the central node only
 * ({@code ТовУчет}, {@code LOCAL}, written only where {@link HostTransaction#isCentral()}), at
 * average cost; {@code ОсновнаяПоследовательность}, kept at the central node only, reposts there
 * what arrives from the branches or is entered back-dated, with registration suppressed, so that
 * the reposting is sent nowhere. See docs/trade77.md.
 */
public final class TradeConfiguration {

    static final String GOODS = "Товары";
    static final String WAREHOUSES = "Склады";
    static final String RECEIPT = "ПрихНакл";
    static final String SALE = "РасхНакл";
    static final String CHECK = "Чек";
    static final String CHECKS_COST = "РасходПоЧекам";
    static final String STOCK = "ТовЗап";
    static final String VALUE = "ТовУчет";
    static final String MAIN = "ОсновнаяПоследовательность";

    static final String CENTRE = "Центр";
    static final String BRANCH1 = "Филиал1";
    static final String BRANCH2 = "Филиал2";

    private static final List<String> VALUED = List.of(RECEIPT, SALE, CHECKS_COST);

    private final PrintStream out;
    private final ExchangePlan plan;
    private final Map<String, Node> nodes = new LinkedHashMap<>();

    TradeConfiguration(PrintStream out) {
        this.out = out;
        this.plan = plan();
        Transport mail = new InMemoryTransport();
        for (String name : plan.nodes()) {
            nodes.put(name, Node.builder(plan, name).storage(new InMemoryStorage()).transport(mail).build());
        }
    }

    /** The plan: catalogs, documents, the two registers and the sequence. */
    static ExchangePlan plan() {
        ExchangePlan.Builder b = ExchangePlan.builder("Торговля")
                .central(CENTRE)
                .node(BRANCH1, CENTRE)
                .node(BRANCH2, CENTRE)
                .kind(ObjectKind.catalog(GOODS).field("Наименование", ValueType.STRING).build())
                .kind(ObjectKind.catalog(WAREHOUSES).field("Наименование", ValueType.STRING).build())
                .register(STOCK, MigrationPolicy.MIGRATE)
                // «Запретить миграцию движений»: the value of goods is kept at the central node only.
                .register(VALUE, MigrationPolicy.LOCAL)
                // «Единая последовательность в центральной ИБ». РасходПоЧекам is in it for the same
                // reason as РасхНакл: it writes goods off at the average cost at its point.
                .sequence(Sequence.builder(MAIN).kind(RECEIPT).kind(SALE).kind(CHECKS_COST).centralOnly(true).build());
        for (String kind : List.of(RECEIPT, SALE, CHECK, CHECKS_COST)) {
            b.kind(ObjectKind.document(kind).field("Date", ValueType.DATE_TIME).field("Склад", ValueType.REFERENCE)
                    .field("Проведен", ValueType.BOOLEAN).build());
        }
        return b.build();
    }

    /** Runs the story on standard output. */
    public static void main(String[] args) {
        new TradeConfiguration(System.out).run();
    }

    Node node(String name) {
        return nodes.get(name);
    }

    // ---- the host's objects

    static ObjectKey good(String code) {
        return ObjectKey.of(GOODS, code);
    }

    static ObjectKey warehouse(String code) {
        return ObjectKey.of(WAREHOUSES, code);
    }

    static LocalDateTime at(int day, int hour) {
        return LocalDateTime.of(2026, 3, day, hour, 0);
    }

    /** A document, not yet posted; each line is (good, quantity, price), the price only on a receipt. */
    static DataObject document(String kind, String id, LocalDateTime date, String warehouse, Object... lines) {
        DataObject.Builder b = DataObject.builder(ObjectKey.of(kind, id)).set("Date", Value.of(date))
                .set("Склад", Value.ref(warehouse(warehouse))).set("Проведен", Value.of(false))
                .table("Товары", List.of());
        for (int i = 0; i < lines.length; i += 3) {
            b.addRow("Товары", Row.of("Товар", Value.ref(good((String) lines[i])), "Количество",
                    Value.of(new BigDecimal(lines[i + 1].toString())), "Цена",
                    Value.of(new BigDecimal(lines[i + 2].toString()))));
        }
        return b.build();
    }

    // ---- posting (the documents' modules)

    /** Posts a document as a user does: in one host transaction. */
    void post(String node, DataObject document) {
        nodes.get(node).inTransaction(tx -> {
            post(tx, document);
            return null;
        });
    }

    /** Unposts a document: it keeps its data and loses its records. */
    void unpost(String node, ObjectKey key) {
        nodes.get(node).inTransaction(tx -> {
            DataObject d = tx.get(key).orElseThrow();
            tx.put(DataObject.builder(key).set("Date", d.get("Date")).set("Склад", d.get("Склад"))
                    .set("Проведен", Value.of(false)).table("Товары", d.tables().get("Товары")).build());
            return null;
        });
    }

    /**
     * The posting code of every document: its ТовЗап records everywhere, its ТовУчет records only
     * at the central node ({@code Если ТекущаяИБЦентральная()=1 Тогда … КонецЕсли}).
     */
    static void post(HostTransaction tx, DataObject document) {
        String kind = document.key().kind();
        LocalDateTime date = ((Value.DateTime) document.get("Date")).value();
        Value store = document.get("Склад");
        List<Row> stock = new ArrayList<>();
        List<Row> value = new ArrayList<>();
        Map<ObjectKey, BigDecimal[]> balance = tx.isCentral() && !kind.equals(RECEIPT) && !kind.equals(CHECK)
                ? valueBefore(tx, date, document.key()) : Map.of();
        for (Row line : document.tables().get("Товары")) {
            Value good = line.get("Товар");
            BigDecimal qty = ((Value.Decimal) line.get("Количество")).value();
            if (!kind.equals(CHECKS_COST)) {
                // Checks count the goods out one by one; РасходПоЧекам only values them for the day.
                BigDecimal signed = kind.equals(RECEIPT) ? qty : qty.negate();
                stock.add(Row.of("Товар", good, "Склад", store, "Количество", Value.of(signed)));
            }
            if (tx.isCentral() && kind.equals(RECEIPT)) {
                BigDecimal sum = qty.multiply(((Value.Decimal) line.get("Цена")).value()).setScale(2, RoundingMode.HALF_UP);
                value.add(Row.of("Товар", good, "Количество", Value.of(qty), "Сумма", Value.of(sum)));
            } else if (tx.isCentral() && !kind.equals(CHECK)) {
                BigDecimal[] b = balance.getOrDefault(((Value.Ref) good).key(),
                        new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
                BigDecimal cost = writeOff(qty, b[0], b[1]);
                value.add(Row.of("Товар", good, "Количество", Value.of(qty.negate()), "Сумма", Value.of(cost.negate())));
            }
        }
        DataObject.Builder posted = DataObject.builder(document.key());
        document.fields().forEach(posted::set);
        document.tables().forEach(posted::table);
        posted.set("Проведен", Value.of(true));
        if (!stock.isEmpty()) {
            posted.recordSet(new RecordSet(STOCK, stock));
        }
        if (!value.isEmpty()) {
            posted.recordSet(new RecordSet(VALUE, value));
        }
        tx.put(posted.build());
    }

    /** Quantity × average cost (money / quantity of the balance), rounded to kopecks, half up. */
    static BigDecimal writeOff(BigDecimal qty, BigDecimal balanceQty, BigDecimal balanceMoney) {
        if (balanceQty.signum() <= 0) {
            return BigDecimal.ZERO.setScale(2);
        }
        return qty.multiply(balanceMoney).divide(balanceQty, 2, RoundingMode.HALF_UP);
    }

    /** The ТовУчет balance per good (quantity, money) of every document before the point (date, key). */
    static Map<ObjectKey, BigDecimal[]> valueBefore(HostTransaction tx, LocalDateTime date, ObjectKey key) {
        Map<ObjectKey, BigDecimal[]> balance = new TreeMap<>();
        SequenceBoundary point = SequenceBoundary.before(date, key);
        for (String kind : VALUED) {
            try (Stream<DataObject> all = tx.store().objects().list(kind)) {
                Iterator<DataObject> it = all.iterator();
                while (it.hasNext()) {
                    DataObject d = it.next();
                    if (!point.covers(((Value.DateTime) d.get("Date")).value(), d.key())) {
                        continue;
                    }
                    for (Row r : records(d, VALUE)) {
                        BigDecimal[] b = balance.computeIfAbsent(((Value.Ref) r.get("Товар")).key(),
                                g -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
                        b[0] = b[0].add(((Value.Decimal) r.get("Количество")).value());
                        b[1] = b[1].add(((Value.Decimal) r.get("Сумма")).value());
                    }
                }
            }
        }
        return balance;
    }

    static List<Row> records(DataObject d, String register) {
        return d.recordSets().stream().filter(s -> s.register().equals(register)).findFirst()
                .map(RecordSet::records).orElse(List.of());
    }

    // ---- what the story reads back

    /** The money a document wrote off at a node (its ТовУчет records, negated), or empty if it has none. */
    Optional<BigDecimal> writtenOff(String node, ObjectKey key) {
        return nodes.get(node).inTransaction(tx -> tx.get(key)).map(d -> records(d, VALUE)).filter(r -> !r.isEmpty())
                .map(rows -> rows.stream().map(r -> ((Value.Decimal) r.get("Сумма")).value())
                        .reduce(BigDecimal.ZERO, BigDecimal::add).negate());
    }

    /** The ТовЗап balance per (good, warehouse) at a node. */
    Map<String, BigDecimal> stock(String node) {
        return nodes.get(node).inTransaction(tx -> {
            Map<String, BigDecimal> b = new TreeMap<>();
            for (String kind : List.of(RECEIPT, SALE, CHECK, CHECKS_COST)) {
                try (Stream<DataObject> all = tx.store().objects().list(kind)) {
                    all.forEach(d -> records(d, STOCK).forEach(r -> b.merge(((Value.Ref) r.get("Товар")).key().id()
                            + "@" + ((Value.Ref) r.get("Склад")).key().id(),
                            ((Value.Decimal) r.get("Количество")).value(), BigDecimal::add)));
                }
            }
            b.replaceAll((k, v) -> v.stripTrailingZeros());
            return b;
        });
    }

    /** How many ТовУчет record sets a node holds. */
    long valueRecordSets(String node) {
        return nodes.get(node).inTransaction(tx -> {
            long n = 0;
            for (String kind : VALUED) {
                try (Stream<DataObject> all = tx.store().objects().list(kind)) {
                    n += all.filter(d -> !records(d, VALUE).isEmpty()).count();
                }
            }
            return n;
        });
    }

    /** Exchanges until no node has anything left to send. */
    void settle() {
        for (int round = 0; round < 10; round++) {
            boolean sent = false;
            for (Node n : nodes.values()) {
                sent |= !n.exportAll().isEmpty();
            }
            for (Node n : nodes.values()) {
                n.importAll();
            }
            long pending = 0;
            for (Node n : nodes.values()) {
                for (String peer : n.neighbours()) {
                    pending += n.pendingRegistrations(peer);
                }
            }
            if (!sent && pending == 0) {
                return;
            }
        }
    }

    /**
     * ВосстановлениеПоследовательностей at the central node: reposts every posted document from the
     * boundary on; dibex suppresses the registration of each ({@code Док.РегистрацияИзменений(0)}).
     */
    Sequence.RestoreResult restore(Sequence.Progress progress) {
        return nodes.get(CENTRE).restoreSequence(MAIN, LocalDateTime.MAX, (tx, doc) -> {
            if (doc.get("Проведен").equals(Value.of(true))) {
                post(tx, doc);
            }
        }, progress);
    }

    // ---- the story

    /** The postings of the story up to the exchange that brings the branches' documents to the centre. */
    void setUp() {
        nodes.get(CENTRE).inTransaction(tx -> {
            tx.put(DataObject.builder(good("A")).set("Наименование", "Аспирин").build());
            tx.put(DataObject.builder(warehouse("W1")).set("Наименование", "Склад филиала 1").build());
            tx.put(DataObject.builder(warehouse("W2")).set("Наименование", "Склад филиала 2").build());
            return null;
        });
        post(CENTRE, document(RECEIPT, "P1", at(1, 10), "W1", "A", 10, "10.00"));
        post(CENTRE, document(RECEIPT, "P2", at(1, 11), "W2", "A", 10, "10.00"));
        post(CENTRE, document(SALE, "R2", at(6, 12), "W1", "A", 3, "15.00"));
        settle();
        // The centre is up to date: its boundary stands past R2.
        restore(Sequence.Progress.NONE);
        post(BRANCH1, document(SALE, "R1", at(5, 12), "W1", "A", 4, "15.00"));
        post(BRANCH2, document(RECEIPT, "P3", at(3, 12), "W2", "A", 10, "16.00"));
        post(BRANCH2, document(CHECK, "K1", at(4, 12), "W2", "A", 2, "15.00"));
        post(BRANCH2, document(CHECKS_COST, "E1", at(4, 23), "W2", "A", 2, "0"));
        post(BRANCH1, document(SALE, "R0", at(2, 12), "W1", "A", 1, "15.00"));
        settle();
    }

    void run() {
        setUp();
        out.println("after the exchange, the centre's boundary of " + MAIN + " stands "
                + nodes.get(CENTRE).sequenceBoundary(MAIN).orElseThrow());
        out.println("before the restore, РасхНакл R2 wrote off " + writtenOff(CENTRE, ObjectKey.of(SALE, "R2"))
                .orElseThrow() + ", and R0, posted at a branch, " + writtenOff(CENTRE, ObjectKey.of(SALE, "R0"))
                .map(BigDecimal::toPlainString).orElse("nothing"));
        Sequence.RestoreResult r = restore((doc, done, total) -> out.println("  reposted " + doc + " (" + done + "/"
                + total + ")"));
        out.println("restore: " + r.reposted() + " documents, boundary " + r.boundary().orElseThrow());
        for (String id : List.of("R0", "R1", "R2")) {
            out.println("РасхНакл " + id + " wrote off " + writtenOff(CENTRE, ObjectKey.of(SALE, id)).orElseThrow());
        }
        out.println("РасходПоЧекам E1 wrote off " + writtenOff(CENTRE, ObjectKey.of(CHECKS_COST, "E1")).orElseThrow());
        out.println("left to send to the branches after the restore: "
                + nodes.get(CENTRE).pendingRegistrations(BRANCH1) + " and " + nodes.get(CENTRE).pendingRegistrations(BRANCH2));
        settle();
        for (String n : nodes.keySet()) {
            out.println(n + ": ТовЗап " + stock(n) + ", " + valueRecordSets(n) + " ТовУчет record sets");
        }
    }
}
