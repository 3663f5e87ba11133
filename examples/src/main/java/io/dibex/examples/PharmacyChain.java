package io.dibex.examples;

import io.dibex.ExchangeJob;
import io.dibex.ExchangePlan;
import io.dibex.Node;
import io.dibex.ObjectKind;
import io.dibex.Reconciliation;
import io.dibex.ReconciliationReport;
import io.dibex.Subdivisions;
import io.dibex.memory.InMemoryStorage;
import io.dibex.memory.InMemoryTransport;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.Transport;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Seed 000's pharmacy chain: an office and three pharmacies exchange invoices as usual; then the
 * three kinds of divergence the seed names arise, and a reconciliation from the office repairs
 * exactly those:
 * <ul>
 *   <li>documents exported by hand outside registration and never imported: an invoice of
 *       {@value #P1} and a transfer of the office to it, each written with its registration
 *       removed in the same transaction, as a manual export leaves it;</li>
 *   <li>a pharmacy restored from an old backup: {@value #P2}'s invoice tables are put back as they
 *       were two exchanges earlier (its exchange state is not, so the exchange itself cannot tell,
 *       R4), losing two of its own invoices and a transfer the office sent it;</li>
 *   <li>a document edited with its registration suppressed: an invoice of {@value #P3}'s
 *       laboratory, an internal subdivision the office does not see.</li>
 * </ul>
 * {@value #P1} has a department the office knows ({@code AllDocsExport} on) and {@value #P3} two
 * internal subdivisions whose documents go to the office ({@code ExpDocSubdInt} on), mapped onto
 * {@value #P3} when reconciled. Every node runs an {@link ExchangeJob}; once the divergence is there,
 * the office's job also starts the reconciliation. The example prints each pharmacy's report. Runs in memory; see
 * {@code docs/reconciliation.md}.
 */
public final class PharmacyChain {

    static final String OFFICE = "Office";
    static final String P1 = "Pharmacy1";
    static final String P2 = "Pharmacy2";
    static final String P3 = "Pharmacy3";
    static final String OPTICS = "Pharmacy1.Optics";
    static final String LAB = "Pharmacy3.Lab";
    static final String STOREROOM = "Pharmacy3.Storeroom";
    static final String GOODS = "Goods";
    static final String INVOICE = "Invoice";

    /** The day the example runs: documents are dated within the 45 days before. */
    static final Instant NOW = Instant.parse("2026-11-20T09:00:00Z");

    private final PrintStream out;
    private final ExchangePlan plan;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, InMemoryStorage> stores = new LinkedHashMap<>();
    private final Map<String, ExchangeJob> jobs = new LinkedHashMap<>();
    private final Map<String, Set<ObjectKey>> diverged = new TreeMap<>();
    private final Clock clock;
    private int seq;

    PharmacyChain(PrintStream out) {
        this.out = out;
        this.plan = plan();
        Transport mail = new InMemoryTransport();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        for (String name : plan.nodes()) {
            InMemoryStorage store = new InMemoryStorage();
            stores.put(name, store);
            nodes.put(name, Node.builder(plan, name).storage(store).transport(mail).clock(clock).build());
        }
        for (Node node : nodes.values()) {
            ExchangeJob.Builder job = ExchangeJob.builder(node);
            jobs.put(node.name(), (node.isCentral() ? job.autoSend() : job).build());
        }
        this.clock = clock;
    }

    /** From now on the office's job also reconciles, once a day by the example's clock. */
    private void scheduleReconciliation() {
        jobs.put(OFFICE, ExchangeJob.builder(nodes.get(OFFICE)).autoSend().reconcileEvery(Duration.ofDays(1))
                .clock(clock).build());
    }

    /** The subdivisions and the seed's two routing options. */
    static Subdivisions subdivisions() {
        return Subdivisions.builder()
                .node(OFFICE).node(P1).node(P2).node(P3)
                .department(OPTICS, P1)
                .internal(LAB, P3)
                .internal(STOREROOM, P3)
                .allDocsExport(true)
                .internalToOffice(true)
                .build();
    }

    /** Goods go everywhere; an invoice goes up from its subdivision and down to its recipient. */
    static ExchangePlan plan() {
        Subdivisions subdivisions = subdivisions();
        return ExchangePlan.builder("PharmacyChain")
                .central(OFFICE)
                .node(P1, OFFICE)
                .node(P2, OFFICE)
                .node(P3, OFFICE)
                .kind(ObjectKind.catalog(GOODS).field("Name", ValueType.STRING).build())
                .kind(ObjectKind.document(INVOICE)
                        .field("Date", ValueType.DATE)
                        .field("Subdivision", ValueType.STRING)
                        .field("Recipient", ValueType.STRING)
                        .field("Amount", ValueType.DECIMAL)
                        .build())
                .routing(subdivisions.routing(OFFICE, "Subdivision", "Recipient"))
                .reconciliation(Reconciliation.builder()
                        .owner(subdivisions.owner("Subdivision"))
                        .autoSend(P1, P2, P3)
                        .build())
                .build();
    }

    public static void main(String[] args) {
        new PharmacyChain(System.out).run();
    }

    /**
     * Runs the whole story and returns what it found.
     *
     * @return the reports and the invoices each node held before and after the reconciliation
     */
    Outcome run() {
        out.println("== the pharmacy chain: " + plan.nodes() + ", reconciled from " + OFFICE);
        write(OFFICE, goods("aspirin", "Aspirin 500 mg"));
        write(OFFICE, goods("bandage", "Bandage 5 m"));
        for (String pharmacy : List.of(P1, P2, P3)) {
            write(pharmacy, invoice(pharmacy, null, 3, "120.00"));
            write(pharmacy, invoice(pharmacy, null, 10, "75.50"));
            write(OFFICE, invoice(OFFICE, pharmacy, 5, "1000.00"));
        }
        write(P1, invoice(OPTICS, null, 4, "310.00"));
        ObjectKey labInvoice = write(P3, invoice(LAB, null, 6, "42.00"));
        write(P3, invoice(STOREROOM, null, 7, "18.25"));
        settle();

        // P2's invoice tables are backed up; two exchanges later they are put back.
        Map<ObjectKey, DataObject> backup = invoices(P2);
        write(P2, invoice(P2, null, 12, "64.00"));
        write(P2, invoice(P2, null, 13, "88.10"));
        write(OFFICE, invoice(OFFICE, P2, 13, "500.00"));
        settle();

        out.println("== divergence");
        ObjectKey byHand = writeUnregistered(P1, invoice(P1, null, 14, "230.00"));
        ObjectKey transferByHand = writeUnregistered(OFFICE, invoice(OFFICE, P1, 14, "700.00"));
        out.println("  " + P1 + ": " + byHand + " and " + OFFICE + "'s " + transferByHand
                + " exported by hand, never imported");
        Set<ObjectKey> lost = restoreInvoices(P2, backup);
        out.println("  " + P2 + ": invoices restored from an old backup, lost " + lost);
        DataObject edited = get(P3, labInvoice).toBuilder().set("Amount", Value.of(new BigDecimal("44.00"))).build();
        writeUnregistered(P3, edited);
        out.println("  " + P3 + ": " + labInvoice + " (" + LAB + ") edited with registration suppressed");
        diverged.put(P1, Set.of(byHand, transferByHand));
        diverged.put(P2, lost);
        diverged.put(P3, Set.of(labInvoice));

        Map<String, Map<ObjectKey, DataObject>> before = snapshot();
        Map<String, Integer> journalMarks = new LinkedHashMap<>();
        nodes.forEach((name, node) -> journalMarks.put(name, node.journal().size()));
        out.println("== reconciliation");
        scheduleReconciliation();
        int passes = settle();
        List<ReconciliationReport> reports = nodes.get(OFFICE).reconciliations();
        for (ReconciliationReport r : reports) {
            out.println(r.describe());
        }
        out.println("== settled in " + passes + " passes of the exchange jobs");
        Map<String, Long> loaded = new LinkedHashMap<>();
        nodes.forEach((name, node) -> loaded.put(name, node.journal().stream().skip(journalMarks.get(name))
                .filter(e -> e.kind() == JournalEntry.Kind.IMPORT).mapToLong(PharmacyChain::loaded).sum()));
        out.println("== objects loaded during the reconciliation: " + loaded);
        return new Outcome(reports, before, snapshot(), diverged, loaded);
    }

    /** The number of objects an import applied, from its journal entry ("loaded n of m items"). */
    private static long loaded(JournalEntry entry) {
        Matcher m = LOADED.matcher(entry.detail());
        if (!m.find()) {
            throw new IllegalStateException("an import entry without its count: " + entry.detail());
        }
        return Long.parseLong(m.group(1));
    }

    private static final Pattern LOADED = Pattern.compile("^loaded (\\d+) of ");

    /** What the example found. */
    record Outcome(List<ReconciliationReport> reports, Map<String, Map<ObjectKey, DataObject>> before,
            Map<String, Map<ObjectKey, DataObject>> after, Map<String, Set<ObjectKey>> diverged,
            Map<String, Long> loadedDuringReconciliation) {
    }

    /** Runs every node's job until a pass of all of them exports nothing, and returns the passes. */
    private int settle() {
        for (int pass = 1; pass <= 30; pass++) {
            int exported = 0;
            for (ExchangeJob job : jobs.values()) {
                ExchangeJob.Run run = job.runNow();
                if (!run.failures().isEmpty()) {
                    throw run.failures().get(0);
                }
                exported += run.exported().size();
            }
            if (exported == 0) {
                return pass;
            }
        }
        throw new IllegalStateException("the exchange did not settle in 30 passes");
    }

    private ObjectKey write(String node, DataObject object) {
        nodes.get(node).inTransaction(tx -> {
            tx.put(object);
            return null;
        });
        return object.key();
    }

    /** A write whose registration is removed in the same transaction: what a manual export leaves. */
    private ObjectKey writeUnregistered(String node, DataObject object) {
        nodes.get(node).inTransaction(tx -> {
            tx.put(object);
            tx.unregister(object.key());
            return null;
        });
        return object.key();
    }

    /** Puts the node's invoices back as {@code backup} has them, in its own tables only. */
    private Set<ObjectKey> restoreInvoices(String node, Map<ObjectKey, DataObject> backup) {
        Set<ObjectKey> lost = new TreeSet<>();
        Set<ObjectKey> now = invoices(node).keySet();
        nodes.get(node).inTransaction(tx -> {
            for (ObjectKey key : now) {
                if (!backup.containsKey(key)) {
                    tx.store().objects().delete(key);
                    lost.add(key);
                }
            }
            backup.values().forEach(tx.store().objects()::put);
            return null;
        });
        return lost;
    }

    private DataObject get(String node, ObjectKey key) {
        return nodes.get(node).inTransaction(tx -> tx.get(key)).orElseThrow();
    }

    private Map<ObjectKey, DataObject> invoices(String node) {
        Map<ObjectKey, DataObject> all = new TreeMap<>();
        nodes.get(node).inTransaction(tx -> {
            try (Stream<DataObject> docs = tx.store().objects().list(INVOICE)) {
                Iterator<DataObject> it = docs.iterator();
                while (it.hasNext()) {
                    DataObject d = it.next();
                    all.put(d.key(), d);
                }
            }
            return null;
        });
        return all;
    }

    private Map<String, Map<ObjectKey, DataObject>> snapshot() {
        Map<String, Map<ObjectKey, DataObject>> all = new LinkedHashMap<>();
        for (String node : nodes.keySet()) {
            all.put(node, invoices(node));
        }
        return all;
    }

    private static DataObject goods(String code, String name) {
        return DataObject.builder(ObjectKey.of(GOODS, code)).set("Name", name).build();
    }

    /** An invoice of {@code subdivision}, to {@code recipient} if not null, {@code daysAgo} days before now. */
    private DataObject invoice(String subdivision, String recipient, int daysAgo, String amount) {
        String id = subdivision + "-" + (++seq);
        DataObject.Builder b = DataObject.builder(ObjectKey.of(INVOICE, id))
                .set("Date", Value.of(LocalDate.ofInstant(NOW, ZoneOffset.UTC).minusDays(daysAgo)))
                .set("Subdivision", subdivision)
                .set("Amount", Value.of(new BigDecimal(amount)))
                .addRow("Lines", Row.of("Goods", Value.ref(ObjectKey.of(GOODS, "aspirin")), "Qty", Value.of(1L)));
        if (recipient != null) {
            b.set("Recipient", recipient);
        }
        return b.build();
    }
}
