package io.dibex.bench;

import io.dibex.checksum.CompactReconciliation;
import io.dibex.checksum.CompactReconciliation.Branch;
import io.dibex.checksum.CompactReconciliation.Done;
import io.dibex.checksum.CompactReconciliation.Entries;
import io.dibex.checksum.CompactReconciliation.MessageType;
import io.dibex.checksum.CompactReconciliation.Office;
import io.dibex.checksum.CompactReconciliation.Outcome;
import io.dibex.checksum.CompactReconciliation.Reply;
import io.dibex.checksum.CompactReconciliation.Settings;
import io.dibex.checksum.CompactReconciliation.Step;
import io.dibex.checksum.DocumentDigests.Entry;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The compact reconciliation request against the naive one (SPEC §5, §6): for {@code n}
 * documents and each number of differences, the bytes each way, the messages, and the time each
 * side spends building and decoding. Neither side holds its set: entries are generated again,
 * in key order, from a seed on every pass. Then the rate of each number of extra round trips over
 * many seeded exchanges of a smaller set, which is what the fallback's probability is read from.
 */
final class ReconcileBenchmark {

    /** Bytes of one entry of the naive request: the key as a UUID, then the digest. */
    private static final int NAIVE_ENTRY = 16 + Digest.LENGTH;
    private static final String KIND = "Реализация";

    private ReconcileBenchmark() {
    }

    /** One side's documents: slot i holds document i unless it is the other side's own; every {@code every}-th differs. */
    private static final class Side implements Entries {
        private final int n;
        private final int differences;
        private final boolean office;
        private final long seed;

        Side(int n, int differences, boolean office, long seed) {
            this.n = n;
            this.differences = differences;
            this.office = office;
            this.seed = seed;
        }

        /** What slot i is: 0 the same at both, 1 changed at the branch, 2 office only, 3 branch only. */
        int kind(int i) {
            if (differences == 0) {
                return 0;
            }
            long every = n / differences;
            if (i % every != every / 2 || i / every >= differences) {
                return 0;
            }
            return 1 + (int) (i / every % 3);
        }

        long count() {
            long c = 0;
            for (int i = 0; i < n; i++) {
                int k = kind(i);
                c += (k == 3 && office) || (k == 2 && !office) ? 0 : 1;
            }
            return c;
        }

        @Override
        public Iterator<Entry> open() {
            return new Iterator<>() {
                private int i = advance(0);

                private int advance(int from) {
                    int j = from;
                    while (j < n && (office ? kind(j) == 3 : kind(j) == 2)) {
                        j++;
                    }
                    return j;
                }

                @Override
                public boolean hasNext() {
                    return i < n;
                }

                @Override
                public Entry next() {
                    if (i >= n) {
                        throw new NoSuchElementException();
                    }
                    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
                    // The id rises with i, so that the entries come in key order, as a store gives them.
                    UUID id = new UUID(((long) i << 24) | (r.nextLong() >>> 40), r.nextLong());
                    byte[] digest = new byte[Digest.LENGTH];
                    fill(r, digest);
                    if (!office && kind(i) == 1) {
                        fill(r, digest);
                    }
                    Entry e = new Entry(ObjectKey.of(KIND, id), Digest.of(digest));
                    i = advance(i + 1);
                    return e;
                }
            };
        }

        private static void fill(SplittableRandom r, byte[] b) {
            for (int k = 0; k < b.length; k += 8) {
                long v = r.nextLong();
                for (int j = 0; j < 8; j++) {
                    b[k + j] = (byte) (v >>> (8 * j));
                }
            }
        }
    }

    /** The figures of one exchange. */
    private static final class Run {
        final List<MessageType> types = new ArrayList<>();
        long officeBytes;
        long branchBytes;
        double officeSeconds;
        double branchSeconds;
        Outcome outcome;
    }

    private static Run exchange(Side office, Side branch, Settings settings) {
        Run run = new Run();
        Office o = new Office(office, settings);
        Branch b = new Branch(branch, settings);
        long t0 = System.nanoTime();
        byte[] m = o.request();
        run.officeSeconds += (System.nanoTime() - t0) / 1e9;
        while (true) {
            run.types.add(MessageType.of(m));
            run.officeBytes += m.length;
            long t1 = System.nanoTime();
            Step s = b.receive(m);
            run.branchSeconds += (System.nanoTime() - t1) / 1e9;
            if (s instanceof Done d) {
                run.outcome = d.outcome();
                return run;
            }
            byte[] r = ((Reply) s).message();
            run.types.add(MessageType.of(r));
            run.branchBytes += r.length;
            long t2 = System.nanoTime();
            m = o.answer(r);
            run.officeSeconds += (System.nanoTime() - t2) / 1e9;
        }
    }

    /**
     * Runs the benchmark and returns the report.
     *
     * @param n documents
     * @param trials seeded exchanges per number of differences for the round-trip rates
     */
    static String run(int n, int trials) {
        Settings settings = Settings.defaults();
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "%nCompact reconciliation request (docs/reconciliation-compact.md), %,d"
                + " documents of one kind, UUID ids; the differences spread evenly, in turn a changed digest, a"
                + " document only the office holds, one only the branch holds. Naive = %d bytes per office entry, one"
                + " message. Settings: %s. Time: one run each, in one JVM after a warm-up exchange; the office's builds"
                + " its messages (each a pass over its entries), the branch's builds its own table and decodes.%n%n", n,
                NAIVE_ENTRY, settings));
        r.append("| differences | naive bytes | compact office→branch | compact branch→office | compact total |"
                + " compact / naive | messages naive / compact | extra round trips | office: build | branch: build +"
                + " decode |\n");
        r.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        System.out.println("reconcile: warm-up...");
        exchange(new Side(n / 10, 100, true, 2), new Side(n / 10, 100, false, 2), settings);
        for (int d : new int[] {0, 1, 10, 100, 1_000, 10_000}) {
            System.out.printf("reconcile: %,d documents, %,d differences...%n", n, d);
            Side office = new Side(n, d, true, 1);
            Side branch = new Side(n, d, false, 1);
            Run run = exchange(office, branch, settings);
            check(run.outcome, d);
            long naive = NAIVE_ENTRY * office.count();
            long total = run.officeBytes + run.branchBytes;
            r.append(String.format(Locale.ROOT, "| %,d | %,d | %,d | %,d | **%,d** | **%.5f** (%.3f%%) | 1 / %d | %d |"
                    + " %.2f s | %.2f s |%n", d, naive, run.officeBytes, run.branchBytes, total, (double) total / naive,
                    100.0 * total / naive, run.types.size(), (run.types.size() - 1) / 2, run.officeSeconds,
                    run.branchSeconds));
        }
        r.append(String.format(Locale.ROOT, "%nExtra round trips over %,d seeded exchanges per row (20,000 documents"
                + " plus the differences; the sketch's behaviour depends on the differences, not on the set's size)."
                + " 2 = the sized sketch did not decode and the naive list followed.%n%n", trials));
        r.append("| differences | 0 extra | 1 extra | 2 extra (fallback) |\n|---:|---:|---:|---:|\n");
        long fallbacks = 0;
        long exchanges = 0;
        for (int d : new int[] {1, 10, 30, 45, 60, 100, 300, 1_000, 3_000, 10_000}) {
            System.out.printf("reconcile: round trips at %,d differences, %,d exchanges...%n", d, trials);
            int[] extra = new int[3];
            int m = 20_000 + d;
            for (int t = 0; t < trials; t++) {
                Run run = exchange(new Side(m, d, true, 100 + t), new Side(m, d, false, 100 + t), settings);
                check(run.outcome, d);
                extra[(run.types.size() - 1) / 2]++;
            }
            fallbacks += extra[2];
            exchanges += trials;
            r.append(String.format(Locale.ROOT, "| %,d | %d | %d | %d |%n", d, extra[0], extra[1], extra[2]));
        }
        r.append(String.format(Locale.ROOT, "%nFallback to the naive list: %d of %,d exchanges.%n", fallbacks,
                exchanges));
        return r.toString();
    }

    /** Fails unless the outcome has the differences the sides were generated with. */
    private static void check(Outcome o, int d) {
        int changed = (d + 2) / 3;
        int officeOnly = (d + 1) / 3;
        int branchOnly = d / 3;
        if (o.different().size() != changed || o.onlyAtOffice().size() != officeOnly
                || o.onlyAtBranch().size() != branchOnly) {
            throw new IllegalStateException("expected " + changed + " different, " + officeOnly + " at the office only, "
                    + branchOnly + " at the branch only: " + o.different().size() + ", " + o.onlyAtOffice().size() + ", "
                    + o.onlyAtBranch().size());
        }
    }
}
