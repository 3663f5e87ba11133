package io.dibex.bench;

import io.dibex.codec.MessageCodec;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.xml.XmlCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.stream.XMLStreamException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reads and writes one large message per operation (SPEC §6): the dibex codec in both dialects,
 * the baseline (a Woodstox pull reading every text as a String) over the same bytes, and Jackson's
 * XmlMapper binding the same objects. {@link Main} runs it and reports ratios. Each operation
 * handles one whole message; iterations are timed, so that the JIT has settled before measuring.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CodecBenchmark {

    static final XmlCodec V8MSG = XmlCodec.v8msg();
    static final XmlCodec SEED = XmlCodec.seed();

    /** The message: its items in memory, and its bytes in each dialect. */
    @State(Scope.Benchmark)
    public static class Message {
        /** The number of documents. */
        @Param("200000")
        public long documents;

        List<MessageItem> items;
        byte[] v8msg;
        byte[] seed;
        List<Object> pojos;

        /**
         * Generates what the benchmark needs.
         *
         * @param params which benchmark runs
         */
        @Setup
        public void setup(BenchmarkParams params) {
            String name = params.getBenchmark();
            boolean reads = name.contains(".read");
            items = Corpus.list(documents, 1);
            // Readers need only the bytes, writers only the objects: the heap holds one of them.
            if (reads && (name.contains("V8msg") || name.contains("Jackson"))) {
                v8msg = Corpus.bytes(V8MSG, items);
            }
            if (reads && name.contains("Seed")) {
                seed = Corpus.bytes(SEED, items);
            }
            if (name.contains("writeJackson")) {
                pojos = JacksonBinding.pojos(items);
            }
            if (reads) {
                items = null;
            }
        }
    }

    /** An output that counts and drops bytes, so that writers are measured, not memory copies. */
    static final class Sink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static long read(MessageCodec codec, byte[] bytes, Blackhole bh) {
        long n = 0;
        try (MessageReader reader = codec.reader(new ByteArrayInputStream(bytes), Corpus.PLAN, "bench")) {
            for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                bh.consume(item);
                n++;
            }
        }
        return n;
    }

    /** The baseline over the v8msg bytes. */
    @Benchmark
    public long readBaselineV8msg(Message m) throws XMLStreamException {
        return Baseline.pullStrings(m.v8msg);
    }

    /** dibex reads the v8msg bytes into typed objects. */
    @Benchmark
    public long readDibexV8msg(Message m, Blackhole bh) {
        return read(V8MSG, m.v8msg, bh);
    }

    /** Jackson binds the objects of the v8msg bytes. */
    @Benchmark
    public long readJacksonV8msg(Message m) throws XMLStreamException, IOException {
        return JacksonBinding.read(m.v8msg);
    }

    /** The baseline over the seed bytes. */
    @Benchmark
    public long readBaselineSeed(Message m) throws XMLStreamException {
        return Baseline.pullStrings(m.seed);
    }

    /** dibex reads the seed bytes into typed objects. */
    @Benchmark
    public long readDibexSeed(Message m, Blackhole bh) {
        return read(SEED, m.seed, bh);
    }

    /** dibex writes the objects in the v8msg dialect. */
    @Benchmark
    public long writeDibexV8msg(Message m) {
        Sink sink = new Sink();
        Corpus.write(V8MSG, m.items.iterator(), sink);
        return sink.count;
    }

    /** dibex writes the objects in the seed dialect. */
    @Benchmark
    public long writeDibexSeed(Message m) {
        Sink sink = new Sink();
        Corpus.write(SEED, m.items.iterator(), sink);
        return sink.count;
    }

    /** Jackson writes the same objects, bound from its classes. */
    @Benchmark
    public long writeJackson(Message m) throws XMLStreamException, IOException {
        Sink sink = new Sink();
        JacksonBinding.write(m.pojos.iterator(), sink);
        return sink.count;
    }

    /** For reference: Woodstox's writer writing the element tree, untyped. */
    @Benchmark
    public long writeWoodstoxV8msg(Message m) throws XMLStreamException {
        Sink sink = new Sink();
        Baseline.write(m.items, sink);
        return sink.count;
    }
}
