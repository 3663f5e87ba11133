package io.dibex.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.xml.XmlCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Writes and reads a message of about 1 GB from a synthetic source, in a JVM that {@link Main}
 * starts with {@code -Xmx128m} (SPEC §6: heap stays flat). Prints {@code key=value} lines: sizes,
 * times, the largest heap in use as sampled, and the largest heap still in use after a garbage
 * collection (the live set).
 */
public final class HeapRun {

    private HeapRun() {
    }

    /**
     * Runs it.
     *
     * @param args the message's size in bytes, and a folder for the file
     * @throws Exception if anything fails: the run then reports no figures
     */
    public static void main(String[] args) throws Exception {
        long target = Long.parseLong(args[0]);
        Path file = Files.createTempFile(Path.of(args[1]), "heap-run-", ".xml");
        AtomicLong sampled = new AtomicLong();
        AtomicLong live = new AtomicLong();
        watchCollections(live);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sampled.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        XmlCodec codec = XmlCodec.v8msg();
        try {
            // Size the message from a sample, then stream that many documents straight to the file.
            CodecBenchmark.Sink probe = new CodecBenchmark.Sink();
            Corpus.write(codec, Corpus.items(20_000, 7), probe);
            long documents = target * 20_000 / probe.count;
            long start = System.nanoTime();
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                Corpus.write(codec, Corpus.items(documents, 7), out);
            }
            long written = System.nanoTime() - start;
            long bytes = Files.size(file);
            start = System.nanoTime();
            long items = 0;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                    MessageReader reader = codec.reader(in, Corpus.PLAN, file.getFileName().toString())) {
                for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                    items++;
                }
            }
            long read = System.nanoTime() - start;
            if (items != Corpus.itemCount(documents)) {
                throw new IllegalStateException("read " + items + " items, wrote " + Corpus.itemCount(documents));
            }
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            System.out.println("maxHeap=" + heap.getMax());
            System.out.println("bytes=" + bytes);
            System.out.println("items=" + items);
            System.out.println("writeSeconds=" + written / 1e9);
            System.out.println("readSeconds=" + read / 1e9);
            System.out.println("peakUsedSampled=" + sampled.get());
            System.out.println("peakLiveAfterGc=" + live.get());
        } finally {
            sampler.interrupt();
            Files.deleteIfExists(file);
        }
    }

    /** Records the heap in use after each collection: the largest is an upper bound of the live set. */
    private static void watchCollections(AtomicLong live) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                            .from((CompositeData) notification.getUserData());
                    long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                            .mapToLong(MemoryUsage::getUsed).sum();
                    live.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
    }
}
