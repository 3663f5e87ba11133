package io.dibex.bench;

import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Measures every operation of {@link CodecBenchmark} in rounds, one after the other within each
 * round, in one JVM, and keeps each operation's median time over the rounds after the warm-up
 * ones. On a shared machine a load change then affects the baseline and the codec alike, so their
 * ratio stays meaningful; JMH, which runs each benchmark in its own fork at its own time, cannot
 * give that.
 */
final class Interleaved {

    /** One measured operation. */
    record Operation(String name, Callable<Long> run) {
    }

    private Interleaved() {
    }

    /**
     * Runs the operations.
     *
     * @return each operation's median seconds per message
     */
    static Map<String, Double> run(long documents, int warmups, int rounds) throws Exception {
        System.out.printf("generating %,d documents...%n", documents);
        List<MessageItem> items = Corpus.list(documents, 1);
        byte[] v8msg = Corpus.bytes(CodecBenchmark.V8MSG, items);
        byte[] seed = Corpus.bytes(CodecBenchmark.SEED, items);
        List<Object> pojos = JacksonBinding.pojos(items);
        List<Operation> ops = List.of(
                new Operation("readBaselineV8msg", () -> Baseline.pullStrings(v8msg)),
                new Operation("readDibexV8msg", () -> read(CodecBenchmark.V8MSG, v8msg)),
                new Operation("readJacksonV8msg", () -> JacksonBinding.read(v8msg)),
                new Operation("writeDibexV8msg", () -> {
                    CodecBenchmark.Sink sink = new CodecBenchmark.Sink();
                    Corpus.write(CodecBenchmark.V8MSG, items.iterator(), sink);
                    return sink.count;
                }),
                new Operation("writeJackson", () -> {
                    CodecBenchmark.Sink sink = new CodecBenchmark.Sink();
                    JacksonBinding.write(pojos.iterator(), sink);
                    return sink.count;
                }),
                new Operation("writeWoodstoxV8msg", () -> {
                    CodecBenchmark.Sink sink = new CodecBenchmark.Sink();
                    Baseline.write(items, sink);
                    return sink.count;
                }),
                new Operation("readBaselineSeed", () -> Baseline.pullStrings(seed)),
                new Operation("readDibexSeed", () -> read(CodecBenchmark.SEED, seed)),
                new Operation("writeDibexSeed", () -> {
                    CodecBenchmark.Sink sink = new CodecBenchmark.Sink();
                    Corpus.write(CodecBenchmark.SEED, items.iterator(), sink);
                    return sink.count;
                }));
        Map<String, double[]> times = new LinkedHashMap<>();
        ops.forEach(op -> times.put(op.name(), new double[rounds]));
        long sink = 0;
        for (int round = -warmups; round < rounds; round++) {
            for (Operation op : ops) {
                System.gc(); // start each operation on an emptied young generation
                long start = System.nanoTime();
                sink += op.run().call();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (round >= 0) {
                    times.get(op.name())[round] = seconds;
                }
            }
            System.out.printf("round %d of %d (%d warm-up) done%n", round + warmups + 1, warmups + rounds, warmups);
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        times.forEach((name, t) -> {
            double[] sorted = t.clone();
            Arrays.sort(sorted);
            medians.put(name, sorted[sorted.length / 2]);
        });
        if (sink == 42) {
            System.out.println(); // keeps the results alive
        }
        return medians;
    }

    private static long read(MessageCodec codec, byte[] bytes) {
        long n = 0;
        try (MessageReader reader = codec.reader(new ByteArrayInputStream(bytes), Corpus.PLAN, "bench")) {
            List<MessageItem> keep = new ArrayList<>(1);
            for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                keep.clear();
                keep.add(item);
                n++;
            }
        }
        return n;
    }
}
