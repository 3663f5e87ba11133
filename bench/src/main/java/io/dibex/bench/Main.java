package io.dibex.bench;

import io.dibex.codec.MessageCodec;
import io.dibex.xml.XmlCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks of SPEC §6 and prints the figures as a Markdown table: every throughput as
 * a ratio to the baseline measured in the same run over the same bytes, then the 1 GB run under
 * {@code -Xmx128m}. By default the operations run interleaved ({@link Interleaved}), which keeps
 * ratios meaningful on a shared machine; {@code -Djmh=true} runs {@link CodecBenchmark} with JMH
 * instead. System properties: {@code documents} (default 200000), {@code warmups} (3),
 * {@code rounds} (9), for JMH {@code iterations} (4) and {@code seconds} per iteration (5), and
 * {@code heapBytes} (1 GiB; 0 skips the run). {@code only} selects a part: {@code codec},
 * {@code digest} ({@link DigestBenchmark}) or {@code store} ({@link StoreBenchmark}, {@code storeChanges}
 * changes, default 1000000, in a JVM with -Xmx256m) or {@code reconcile} ({@link ReconcileBenchmark},
 * {@code reconciled} documents, default 1000000, and {@code reconcileTrials} seeded exchanges per row of
 * the round-trip rates, default 200); by default all run.
 */
public final class Main {

    private Main() {
    }

    /**
     * Runs everything and prints the report (also to {@code target/performance-report.md}).
     *
     * @param args unused
     * @throws Exception when a run fails
     */
    public static void main(String[] args) throws Exception {
        // -Donly=digest runs the digest part alone, -Donly=codec the codec part, -Donly=store the H2 store's,
        // -Donly=reconcile the compact reconciliation request's; by default all of them.
        String only = System.getProperty("only", "");
        if (only.equals("digest")) {
            report(digestPart());
            return;
        }
        if (only.equals("store")) {
            report(storePart());
            return;
        }
        if (only.equals("protocol")) {
            // The naive reconciliation protocol through two nodes: -Dreconciled documents (1,000,000).
            report(ProtocolBenchmark.run(Integer.getInteger("reconciled", 1_000_000), List.of(0, 100, 10_000)));
            return;
        }
        if (only.equals("reconcile")) {
            report(reconcilePart());
            return;
        }
        long documents = Long.getLong("documents", 200_000);
        int warmups = Integer.getInteger("warmups", 3);
        int iterations = Integer.getInteger("iterations", 4);
        int iterationSeconds = Integer.getInteger("seconds", 5);
        int rounds = Integer.getInteger("rounds", 9);
        long heapBytes = Long.getLong("heapBytes", 1L << 30);

        long items = Corpus.itemCount(documents);
        long v8Bytes = size(CodecBenchmark.V8MSG, documents);
        long seedBytes = size(CodecBenchmark.SEED, documents);
        CodecBenchmark.Sink jackson = new CodecBenchmark.Sink();
        Iterator<io.dibex.codec.MessageItem> source = Corpus.items(documents, 1);
        JacksonBinding.write(new Iterator<Object>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Object next() {
                return JacksonBinding.pojo(source.next());
            }
        }, jackson);

        Map<String, Double> seconds = new HashMap<>();
        String method;
        if (Boolean.getBoolean("jmh")) {
            Options options = new OptionsBuilder().include(CodecBenchmark.class.getName() + ".*")
                    .param("documents", Long.toString(documents)).warmupIterations(warmups)
                    .warmupTime(TimeValue.seconds(iterationSeconds)).measurementIterations(iterations)
                    .measurementTime(TimeValue.seconds(iterationSeconds)).forks(1).jvmArgsAppend("-Xms3g", "-Xmx3g")
                    .build();
            Collection<RunResult> results = new Runner(options).run();
            for (RunResult r : results) {
                String name = r.getParams().getBenchmark();
                seconds.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore() / 1000.0);
            }
            method = String.format(Locale.ROOT, "JMH, one fork per benchmark, %d warm-up and %d measured iterations"
                    + " of %d s, average time per message", warmups, iterations, iterationSeconds);
        } else {
            seconds.putAll(Interleaved.run(documents, warmups, rounds));
            method = String.format(Locale.ROOT, "every operation once per round, in turn, in one JVM; %d warm-up"
                    + " rounds, then the median of %d rounds", warmups, rounds);
        }

        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "Message: %,d documents, %,d objects; v8msg %,d bytes, seed %,d bytes."
                + " MB = 10^6 bytes. Ratio = throughput / baseline's over the same bytes.%nMeasured: %s; %s, %d"
                + " processors.%n%n", documents, items, v8Bytes, seedBytes, method, System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors()));
        report.append("| operation | bytes | s per message | MB/s | objects/s | ratio to baseline |\n");
        report.append("|---|---:|---:|---:|---:|---:|\n");
        double v8Base = seconds.get("readBaselineV8msg");
        double seedBase = seconds.get("readBaselineSeed");
        row(report, "baseline: Woodstox pull to strings, v8msg", v8Bytes, items, v8Base, v8Base);
        row(report, "dibex read, v8msg", v8Bytes, items, seconds.get("readDibexV8msg"), v8Base);
        row(report, "Jackson XmlMapper read (binding), v8msg", v8Bytes, items, seconds.get("readJacksonV8msg"), v8Base);
        row(report, "dibex write, v8msg", v8Bytes, items, seconds.get("writeDibexV8msg"), v8Base);
        row(report, "Jackson XmlMapper write (binding)", jackson.count, items, seconds.get("writeJackson"), Double.NaN);
        row(report, "Woodstox writer, untyped tree (reference)", v8Bytes, items, seconds.get("writeWoodstoxV8msg"),
                Double.NaN);
        row(report, "baseline: Woodstox pull to strings, seed", seedBytes, items, seedBase, seedBase);
        row(report, "dibex read, seed", seedBytes, items, seconds.get("readDibexSeed"), seedBase);
        row(report, "dibex write, seed", seedBytes, items, seconds.get("writeDibexSeed"), seedBase);
        report.append(String.format(Locale.ROOT, "%ndibex against Jackson, same objects: read %.2fx, write %.2fx as fast."
                + "%n", seconds.get("readJacksonV8msg") / seconds.get("readDibexV8msg"),
                seconds.get("writeJackson") / seconds.get("writeDibexV8msg")));
        if (heapBytes > 0) {
            report.append(heapRun(heapBytes));
        }
        if (!only.equals("codec")) {
            report.append(digestPart());
            report.append(storePart());
            report.append(reconcilePart());
        }
        report(report);
    }

    /**
     * The canonical digest's part: {@code digestDocuments} (default 100000) for the throughput,
     * {@code reconciled} (1000000) documents with {@code differences} (100) for the naive request.
     */
    private static String digestPart() throws Exception {
        return DigestBenchmark.run(Integer.getInteger("digestDocuments", 100_000), Integer.getInteger("reconciled",
                1_000_000), Integer.getInteger("differences", 100), Integer.getInteger("warmups", 3),
                Integer.getInteger("rounds", 9));
    }

    /** The compact reconciliation request's part: {@link ReconcileBenchmark}. */
    private static String reconcilePart() {
        return ReconcileBenchmark.run(Integer.getInteger("reconciled", 1_000_000), Integer.getInteger("reconcileTrials",
                200));
    }

    /** The H2 store's part: {@link StoreBenchmark} in a JVM of its own with -Xmx256m. */
    private static String storePart() throws Exception {
        Path dir = Path.of("target", "bench-store");
        Files.createDirectories(dir);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), StoreBenchmark.class.getName(),
                Integer.toString(Integer.getInteger("storeChanges", 1_000_000)), dir.toString());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the store benchmark failed (its output is above):\n" + report);
        }
        return report;
    }

    private static void report(CharSequence report) throws Exception {
        System.out.println();
        System.out.println(report);
        Path out = Path.of("target", "performance-report.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
    }

    private static long size(MessageCodec codec, long documents) {
        CodecBenchmark.Sink sink = new CodecBenchmark.Sink();
        Corpus.write(codec, Corpus.items(documents, 1), sink);
        return sink.count;
    }

    private static void row(StringBuilder report, String what, long bytes, long items, double seconds, double base) {
        report.append(String.format(Locale.ROOT, "| %s | %,d | %.3f | %.1f | %,.0f | %s |%n", what, bytes, seconds,
                bytes / seconds / 1e6, items / seconds, Double.isNaN(base) ? "" : String.format(Locale.ROOT, "%.2f",
                        bytes / seconds / (bytes / base))));
    }

    /** Runs {@link HeapRun} in a JVM of its own with -Xmx128m. */
    private static String heapRun(long bytes) throws Exception {
        Path dir = Path.of("target");
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), HeapRun.class.getName(), Long.toString(bytes),
                dir.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Map<String, String> figures = new HashMap<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                output.append(line).append('\n');
                int eq = line.indexOf('=');
                if (eq > 0) {
                    figures.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        if (p.waitFor() != 0 || !figures.containsKey("bytes")) {
            throw new IllegalStateException("the -Xmx128m run failed:\n" + output);
        }
        long size = Long.parseLong(figures.get("bytes"));
        double w = Double.parseDouble(figures.get("writeSeconds"));
        double rd = Double.parseDouble(figures.get("readSeconds"));
        return String.format(Locale.ROOT, "%n1 GB run, v8msg, in a JVM with -Xmx128m (max heap %,d bytes): wrote %,d bytes"
                + " (%,d objects) to a file in %.1f s (%.1f MB/s), read them back in %.1f s (%.1f MB/s); peak heap in use"
                + " %.1f MB as sampled every 5 ms, at most %.1f MB still in use after a garbage collection.%n",
                Long.parseLong(figures.get("maxHeap")), size, Long.parseLong(figures.get("items")), w, size / w / 1e6, rd,
                size / rd / 1e6, Long.parseLong(figures.get("peakUsedSampled")) / 1e6,
                Long.parseLong(figures.get("peakLiveAfterGc")) / 1e6);
    }
}
