package io.dibex.bench;

import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.Node;
import io.dibex.ObjectKind;
import io.dibex.Reconciliation;
import io.dibex.ReconciliationReport;
import io.dibex.memory.InMemoryStorage;
import io.dibex.memory.InMemoryTransport;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.StoreTransaction;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * SPEC §5's naive protocol end to end, through two nodes of the engine on in-memory stores: the
 * office {@code C} and its child {@code B}, which owns {@code n} documents that both hold, {@code d}
 * of them in another state at {@code B}. For each step it measures the bytes of the message and the
 * time at each side, against a baseline measured in the same run at the same side: one scan of the
 * side's object store digesting every document (the least any comparison must do).
 */
final class ProtocolBenchmark {

    private static final String DOC = "Doc";

    private ProtocolBenchmark() {
    }

    static ExchangePlan plan(io.dibex.spi.SetComparison compact) {
        Reconciliation.Builder settings = Reconciliation.builder();
        if (compact != null) {
            settings.compact(compact);
        }
        return ExchangePlan.builder("Bench")
                .central("C")
                .node("B", "C")
                .kind(ObjectKind.document(DOC).field("Date", ValueType.DATE).field("Owner", ValueType.STRING)
                        .field("Amount", ValueType.DECIMAL).build())
                .reconciliation(settings
                        .owner(o -> o.text("Owner"))
                        .autoSend("B").build())
                .build();
    }

    static String run(int n, List<Integer> differences) {
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "%n## The naive reconciliation protocol through the engine%n%n"
                + "Two nodes on in-memory stores; the child owns %,d documents that both hold. Bytes are whole"
                + " messages of the binary codec; the naive request of SPEC §5 is %,d bytes (48 per document)."
                + " Times are milliseconds; each ratio is against one digesting scan of that side's store,"
                + " measured in the same run.%n%n", n, 48L * n));
        report.append("| differences | request bytes | per document | office: write request | child: compare"
                + " | child: write repairs + echo | office: load them | report done | scan baseline | office"
                + " ratio | child ratio |\n|---:|---:|---:|---:|---:|---:|---:|:-:|---:|---:|---:|\n");
        for (int d : differences) {
            report.append(once(n, d));
            System.gc();
        }
        report.append(String.format(Locale.ROOT, "%nThe whole exchange from the request to the report, naive and"
                + " compact (`CompactReconciliation.comparison()`): every message both ways, acknowledgments and"
                + " repairs included; a round is an export and import each way.%n%n"
                + "| differences | bytes, naive | bytes, compact | compact / naive | rounds, naive |"
                + " rounds, compact | seconds, naive | seconds, compact |%n|---:|---:|---:|---:|---:|---:|---:|---:|%n"));
        for (int d : differences) {
            long[] naive = whole(n, d, null);
            System.gc();
            long[] compact = whole(n, d, io.dibex.checksum.CompactReconciliation.comparison());
            System.gc();
            report.append(String.format(Locale.ROOT, "| %,d | %,d | %,d | %.5f | %d | %d | %.1f | %.1f |%n", d,
                    naive[0], compact[0], compact[0] / (double) naive[0], naive[1], compact[1], naive[2] / 1e9,
                    compact[2] / 1e9));
        }
        return report.toString();
    }

    /** Bytes both ways, rounds, and nanoseconds from the request to the report. */
    private static long[] whole(int n, int d, io.dibex.spi.SetComparison compact) {
        System.out.printf(Locale.ROOT, "protocol, whole exchange (%s): %,d documents, %,d differences...%n",
                compact == null ? "naive" : "compact", n, d);
        Pair pair = new Pair(plan(compact), n, d);
        Node c = pair.office;
        Node b = pair.child;
        long start = System.nanoTime();
        String run = c.reconcile().get(0).runId();
        long bytes = 0;
        for (int round = 1; round <= 10; round++) {
            bytes += c.exportTo("B").map(ExportResult::bytes).orElse(0L);
            b.importAll();
            bytes += b.exportTo("C").map(ExportResult::bytes).orElse(0L);
            c.importAll();
            ReconciliationReport r = c.reconciliations().stream().filter(x -> x.runId().equals(run)).findFirst()
                    .orElseThrow();
            if (r.state() == ReconciliationReport.State.DONE) {
                if (r.repairsToOffice().size() != d) {
                    throw new IllegalStateException("the reconciliation repaired " + r.repairsToOffice().size()
                            + " documents, not " + d);
                }
                return new long[] {bytes, round, System.nanoTime() - start};
            }
        }
        throw new IllegalStateException("the reconciliation did not complete in 10 rounds");
    }

    private static String once(int n, int d) {
        System.out.printf(Locale.ROOT, "protocol: %,d documents, %,d differences: loading...%n", n, d);
        ExchangePlan plan = plan(null);
        Pair pair = new Pair(plan, n, d);
        Node c = pair.office;
        Node b = pair.child;
        InMemoryStorage office = pair.officeStore;
        InMemoryStorage child = pair.childStore;

        long baseline = Math.min(scan(plan, office), scan(plan, child));

        List<ReconciliationReport> runs = c.reconcile();
        long t0 = System.nanoTime();
        ExportResult request = c.exportTo("B").orElseThrow();
        long t1 = System.nanoTime();
        b.importAll();
        long t2 = System.nanoTime();
        ExportResult echo = b.exportTo("C").orElseThrow();
        long t3 = System.nanoTime();
        c.importAll();
        long t4 = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            c.exportTo("B");
            b.importAll();
            b.exportTo("C");
            c.importAll();
        }
        ReconciliationReport done = c.reconciliations().stream()
                .filter(r -> r.runId().equals(runs.get(0).runId())).findFirst().orElseThrow();
        boolean ok = done.state() == ReconciliationReport.State.DONE && done.repairsToOffice().size() == d;
        double ms = 1e6;
        return String.format(Locale.ROOT, "| %,d | %,d | %.1f | %.0f | %.0f | %.0f | %.0f | %s | %.0f | %.2f | %.2f |%n",
                d, request.bytes(), request.bytes() / (double) n, (t1 - t0) / ms, (t2 - t1) / ms, (t3 - t2) / ms,
                (t4 - t3) / ms, ok ? "yes" : "NO (" + done.state() + ", " + done.repairsToOffice().size() + ")",
                baseline / ms, (t1 - t0) / (double) baseline, (t2 - t1) / (double) baseline)
                + String.format(Locale.ROOT, "|  | echo + repairs: %,d bytes |  |  |  |  |  |  |  |  |  |%n",
                echo.bytes());
    }

    /** The office {@code C} and its child {@code B} on in-memory stores, loaded by {@link #load}. */
    private static final class Pair {
        final InMemoryStorage officeStore = new InMemoryStorage();
        final InMemoryStorage childStore = new InMemoryStorage();
        final Node office;
        final Node child;

        Pair(ExchangePlan plan, int n, int d) {
            InMemoryTransport mail = new InMemoryTransport();
            office = Node.builder(plan, "C").storage(officeStore).transport(mail).build();
            child = Node.builder(plan, "B").storage(childStore).transport(mail).build();
            load(plan, officeStore, childStore, n, d);
        }
    }

    /** {@code n} documents owned by B in both stores, the first {@code d} in another state at B. */
    private static void load(ExchangePlan plan, InMemoryStorage office, InMemoryStorage child, int n, int d) {
        Random random = new Random(42);
        LocalDate today = LocalDate.now();
        int batch = 10_000;
        for (int from = 0; from < n; from += batch) {
            try (StoreTransaction a = office.begin()) {
                for (int i = from; i < Math.min(n, from + batch); i++) {
                    DataObject doc = DataObject.builder(ObjectKey.of(DOC, new UUID(random.nextLong(),
                                    random.nextLong()).toString()))
                            .set("Date", Value.of(today.minusDays(i % 40)))
                            .set("Owner", "B")
                            .set("Amount", Value.of(BigDecimal.valueOf(i, 2)))
                            .build();
                    a.objects().put(doc);
                }
                a.commit();
            }
        }
        // The child's copy: the same documents, the first d changed.
        try (StoreTransaction read = office.begin()) {
            List<DataObject> all;
            try (Stream<DataObject> docs = read.objects().list(DOC)) {
                all = docs.toList();
            }
            read.commit();
            for (int from = 0; from < all.size(); from += batch) {
                try (StoreTransaction bt = child.begin()) {
                    for (int i = from; i < Math.min(all.size(), from + batch); i++) {
                        DataObject doc = all.get(i);
                        bt.objects().put(i < d ? doc.toBuilder().set("Amount", Value.of(BigDecimal.valueOf(-i)))
                                .build() : doc);
                    }
                    bt.commit();
                }
            }
        }
    }

    /** One scan of the store digesting every document; the best of three, in nanoseconds. */
    private static long scan(ExchangePlan plan, InMemoryStorage store) {
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            long sum = 0;
            try (StoreTransaction tx = store.begin(); Stream<DataObject> docs = tx.objects().list(DOC)) {
                Iterator<DataObject> it = docs.iterator();
                while (it.hasNext()) {
                    Digest digest = plan.digest(it.next());
                    sum += digest.bytes()[0];
                }
            }
            best = Math.min(best, System.nanoTime() - start + (sum == Long.MIN_VALUE ? 1 : 0));
        }
        return best;
    }
}
