package io.dibex.bench;

import io.dibex.checksum.DocumentDigests;
import io.dibex.checksum.DocumentDigests.Entry;
import io.dibex.internal.Canonical;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * The canonical digest against SPEC §6: its throughput as a ratio to SHA-256's own over the same
 * canonical bytes (target 0.8), measured in interleaved rounds in one JVM; and what the naive
 * reconciliation request of SPEC §5 costs for a million documents: its bytes, and the time each
 * side spends building it and comparing.
 */
final class DigestBenchmark {

    /** Bytes of one entry of the naive request: the key as a UUID, then the digest. */
    static final int ENTRY_BYTES = 16 + Digest.LENGTH;

    private DigestBenchmark() {
    }

    /**
     * Runs both parts and returns the report.
     *
     * @param documents documents for the throughput part
     * @param reconciled documents for the reconciliation part
     * @param differences how many of those the branch holds in another state
     */
    static String run(int documents, int reconciled, int differences, int warmups, int rounds) throws IOException {
        return throughput(documents, warmups, rounds) + naive(reconciled, differences);
    }

    private static String throughput(int documents, int warmups, int rounds) throws IOException {
        System.out.printf("digest: generating %,d documents...%n", documents);
        Random random = new Random(7);
        List<DataObject> docs = new ArrayList<>(documents);
        for (int i = 0; i < documents; i++) {
            docs.add(Corpus.sale(i, random));
        }
        byte[][] canonical = new byte[documents][];
        long bytes = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        for (int i = 0; i < documents; i++) {
            out.reset();
            Canonical.encode(Corpus.PLAN, docs.get(i), out);
            canonical[i] = out.toByteArray();
            bytes += canonical[i].length;
        }
        byte[] all = new byte[Math.toIntExact(bytes)];
        int at = 0;
        for (byte[] b : canonical) {
            System.arraycopy(b, 0, all, at, b.length);
            at += b.length;
        }
        MessageDigest md = sha256();
        double[] digestTimes = new double[rounds];
        double[] hashTimes = new double[rounds];
        double[] streamTimes = new double[rounds];
        double[] encodeTimes = new double[rounds];
        double[] walkTimes = new double[rounds];
        double[] digestCpu = new double[rounds];
        double[] hashCpu = new double[rounds];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CodecBenchmark.Sink discard = new CodecBenchmark.Sink();
        long sink = 0;
        for (int round = -warmups; round < rounds; round++) {
            System.gc();
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (DataObject d : docs) {
                sink += Corpus.PLAN.digest(d).hashCode();
            }
            long t1 = System.nanoTime();
            long c1 = threads.getCurrentThreadCpuTime();
            for (byte[] b : canonical) {
                md.update(b);
                sink += md.digest()[0];
            }
            long t2 = System.nanoTime();
            long c2 = threads.getCurrentThreadCpuTime();
            md.update(all);
            sink += md.digest()[0];
            long t3 = System.nanoTime();
            for (DataObject d : docs) {
                Canonical.encode(Corpus.PLAN, d, discard);
            }
            long t4 = System.nanoTime();
            for (DataObject d : docs) {
                sink += walk(d);
            }
            long t5 = System.nanoTime();
            if (round >= 0) {
                walkTimes[round] = (t5 - t4) / 1e9;
                encodeTimes[round] = (t4 - t3) / 1e9;
                digestTimes[round] = (t1 - t0) / 1e9;
                hashTimes[round] = (t2 - t1) / 1e9;
                streamTimes[round] = (t3 - t2) / 1e9;
                digestCpu[round] = (c1 - c0) / 1e9;
                hashCpu[round] = (c2 - c1) / 1e9;
            }
        }
        if (sink == 42) {
            System.out.println();
        }
        double digest = median(digestTimes);
        double hash = median(hashTimes);
        double stream = median(streamTimes);
        double encode = median(encodeTimes);
        double walk = median(walkTimes);
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "%nCanonical digest: %,d sales documents (Corpus), %,d canonical bytes"
                + " (%.0f bytes per document); %d warm-up rounds, median of %d, the five operations in turn in each"
                + " round.%n%n", documents, bytes, (double) bytes / documents, warmups, rounds));
        r.append("| operation | s | MB/s of canonical bytes | objects/s | ratio to baseline |\n");
        r.append("|---|---:|---:|---:|---:|\n");
        r.append(row("baseline: SHA-256 (`MessageDigest`) of each document's canonical bytes", bytes, documents,
                hash, hash));
        r.append(row("dibex: `ExchangePlan.digest` of each document (encoding + SHA-256)", bytes, documents, digest,
                hash));
        r.append(row("SHA-256 of all the bytes as one stream (reference)", bytes, documents, stream, Double.NaN));
        r.append(row("the canonical encoding alone, to a discarding stream (reference)", bytes, documents, encode,
                Double.NaN));
        r.append(row("reading every part of each document that the encoding reads, writing nothing (reference)",
                bytes, documents, walk, Double.NaN));
        // On a shared machine the elapsed time includes waiting for a processor; the thread's CPU
        // time does not, so its ratio moves less from run to run.
        r.append(String.format(Locale.ROOT, "%nBy the thread's CPU time (median): baseline %.3f s, dibex %.3f s,"
                + " ratio **%.2f**.%n", median(hashCpu), median(digestCpu), median(hashCpu) / median(digestCpu)));
        return r.toString();
    }

    /**
     * Reads every part of a document that the canonical encoding reads (names, the key, each value's
     * payload) and writes nothing: what any encoder pays to walk the objects, before encoding a byte.
     */
    private static long walk(DataObject d) {
        long[] sum = {d.key().kind().length() + last(d.key().id())};
        BiConsumer<String, Value> read = (name, v) -> {
            sum[0] += name.length();
            if (v instanceof Value.Text t) {
                sum[0] += last(t.value());
            } else if (v instanceof Value.Decimal x) {
                sum[0] += x.value().scale() + x.value().precision();
            } else if (v instanceof Value.Ref r) {
                sum[0] += r.key().kind().length() + last(r.key().id());
            } else if (v instanceof Value.DateTime t) {
                sum[0] += t.value().getNano() + t.value().getDayOfMonth();
            } else if (v instanceof Value.Bool b) {
                sum[0] += b.value() ? 1 : 0;
            }
        };
        d.fields().forEach(read);
        d.tables().forEach((name, rows) -> {
            sum[0] += name.length();
            for (Row row : rows) {
                row.fields().forEach(read);
            }
        });
        return sum[0];
    }

    /** The last character: reads the string's characters, unlike its cached hash code. */
    private static int last(String s) {
        return s.isEmpty() ? 0 : s.charAt(s.length() - 1);
    }

    private static String row(String what, long bytes, long objects, double seconds, double base) {
        return String.format(Locale.ROOT, "| %s | %.3f | %.1f | %,.0f | %s |%n", what, seconds, bytes / seconds / 1e6,
                objects / seconds, Double.isNaN(base) ? "" : String.format(Locale.ROOT, "**%.2f**", base / seconds));
    }

    /**
     * The naive protocol for {@code n} documents: the office digests its documents, sorts the
     * entries by key and writes the request; the branch, which holds {@code differences} of them in
     * another state, builds its own list the same way and compares the request with it in one pass.
     * The office's comparison of the branch's echo is the same operation and is measured too.
     */
    private static String naive(int n, int differences) throws IOException {
        System.out.printf("digest: naive reconciliation of %,d documents...%n", n);
        long t0 = System.nanoTime();
        generate(n, 0).forEachRemaining(d -> { });
        double generate = (System.nanoTime() - t0) / 1e9;

        Side office = Side.build(generate(n, 0));
        byte[] request = office.request();
        Side branch = Side.build(generate(n, differences));
        byte[] echo = branch.request();

        long c0 = System.nanoTime();
        DocumentDigests.Comparison atBranch = DocumentDigests.compare(Arrays.asList(branch.entries).iterator(),
                read(request), new DocumentDigests.Differences() { });
        long c1 = System.nanoTime();
        DocumentDigests.Comparison atOffice = DocumentDigests.compare(Arrays.asList(office.entries).iterator(),
                read(echo), new DocumentDigests.Differences() { });
        long c2 = System.nanoTime();
        if (atBranch.different() != differences || atOffice.different() != differences) {
            throw new IllegalStateException("expected " + differences + " differences: " + atBranch + ", " + atOffice);
        }
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "%nNaive reconciliation request, %,d documents (%,d different at the"
                + " branch): %,d entries of %d bytes (key as a UUID, SHA-256) = **%,d bytes** (%.1f MB) each way.%n%n",
                n, differences, n, ENTRY_BYTES, (long) request.length, request.length / 1e6));
        r.append("| step | office | branch |\n|---|---:|---:|\n");
        r.append(String.format(Locale.ROOT, "| list the documents (generated here; the store's part, not included"
                + " below) | %.2f s | %.2f s |%n", generate, generate));
        r.append(String.format(Locale.ROOT, "| digest every document | %.2f s | %.2f s |%n", office.digest,
                branch.digest));
        r.append(String.format(Locale.ROOT, "| sort the entries by key | %.2f s | %.2f s |%n", office.sort, branch.sort));
        r.append(String.format(Locale.ROOT, "| write the request (office) / echo (branch) | %.2f s | %.2f s |%n",
                office.write, branch.write));
        r.append(String.format(Locale.ROOT, "| **build, total** | **%.2f s** | **%.2f s** |%n", office.build(),
                branch.build()));
        r.append(String.format(Locale.ROOT, "| **compare** the other side's list with its own (read + one-pass"
                + " merge) | **%.2f s** | **%.2f s** |%n", (c2 - c1) / 1e9, (c1 - c0) / 1e9));
        return r.toString();
    }

    /** One side's entries and the time it took to make them. */
    private static final class Side {
        Entry[] entries;
        double digest;
        double sort;
        double write;

        static Side build(Iterator<DataObject> documents) {
            Side s = new Side();
            List<Entry> list = new ArrayList<>();
            long spent = 0;
            while (documents.hasNext()) {
                DataObject d = documents.next();
                long t = System.nanoTime();
                list.add(new Entry(d.key(), Corpus.PLAN.digest(d)));
                spent += System.nanoTime() - t;
            }
            s.digest = spent / 1e9;
            long t0 = System.nanoTime();
            s.entries = list.toArray(new Entry[0]);
            Arrays.sort(s.entries, Comparator.comparing(Entry::key));
            s.sort = (System.nanoTime() - t0) / 1e9;
            return s;
        }

        byte[] request() {
            long t0 = System.nanoTime();
            ByteBuffer b = ByteBuffer.allocate(entries.length * ENTRY_BYTES);
            for (Entry e : entries) {
                UUID id = UUID.fromString(e.key().id());
                b.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).put(e.digest().bytes());
            }
            write = (System.nanoTime() - t0) / 1e9;
            return b.array();
        }

        double build() {
            return digest + sort + write;
        }
    }

    /** The entries of a request, parsed as they are taken. */
    private static Iterator<Entry> read(byte[] request) {
        ByteBuffer b = ByteBuffer.wrap(request);
        byte[] digest = new byte[Digest.LENGTH];
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return b.hasRemaining();
            }

            @Override
            public Entry next() {
                UUID id = new UUID(b.getLong(), b.getLong());
                b.get(digest);
                return new Entry(ObjectKey.of("Реализация", id), Digest.of(digest));
            }
        };
    }

    /** The documents of one side: the same sequence, {@code differences} of them changed at even spacing. */
    private static Iterator<DataObject> generate(int n, int differences) {
        Random random = new Random(11);
        int every = differences == 0 ? Integer.MAX_VALUE : n / differences;
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public DataObject next() {
                int i = next++;
                DataObject d = Corpus.sale(i, random);
                return i % every == every / 2 ? d.toBuilder().set("Комментарий", "исправлено в филиале").build() : d;
            }
        };
    }

    private static double median(double[] times) {
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
