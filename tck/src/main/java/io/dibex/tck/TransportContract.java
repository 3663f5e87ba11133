package io.dibex.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.dibex.spi.IncomingMessage;
import io.dibex.spi.OutgoingMessage;
import io.dibex.spi.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Transport}, {@link OutgoingMessage} and {@link IncomingMessage} as their
 * javadoc states it: a sent message arrives whole, a message closed unsent never arrives, receive
 * claims, release gives back, commit removes, a message opens more than once with the same bytes,
 * its size is its byte count, and concurrent senders and receivers lose and share nothing.
 *
 * <p>The SPI lets delivery lose, duplicate, reorder or delay messages; this suite assumes the
 * transport under test delivers reliably when nothing goes wrong (as a file or in-memory transport
 * does in a test), so that delivery can be observed. Two behaviours beyond the javadoc are
 * checked only where the implementation declares them: {@link #keepsEveryMessage()} and
 * {@link #deliversInOrder()}.
 *
 * <p>To check an implementation, extend this class in a test and implement
 * {@link #newTransport()}. Every test uses a new transport and node names of letters and digits.
 */
public abstract class TransportContract {

    private Transport transport;

    /**
     * A new, empty transport for one test.
     *
     * @return the transport under test
     */
    protected abstract Transport newTransport();

    /**
     * Releases a transport made by {@link #newTransport()} after its test (delete a directory).
     * Does nothing by default.
     *
     * @param transport the transport the test used
     */
    protected void dispose(Transport transport) {
    }

    /**
     * Whether every message sent from one node to another is kept until received. False for an
     * outbox that keeps only the newest message per (from, to) (SPEC §4); the tests then send at
     * most one message per pair before receiving.
     *
     * @return true by default
     */
    protected boolean keepsEveryMessage() {
        return true;
    }

    /**
     * Whether {@link Transport#receive} returns the messages for a recipient oldest first, with
     * released ones back in their original place. The SPI does not require it.
     *
     * @return true by default
     */
    protected boolean deliversInOrder() {
        return true;
    }

    /**
     * The transport of the running test.
     *
     * @return the transport made by {@link #newTransport()} for this test
     */
    protected final Transport transport() {
        return transport;
    }

    @BeforeEach
    final void createTransport() {
        transport = newTransport();
    }

    @AfterEach
    final void disposeTransport() {
        dispose(transport);
    }

    /** A sent message arrives whole for its recipient, with a name, its size and its bytes. */
    @Test
    void aSentMessageArrivesWhole() {
        byte[] bytes = "<Message>hello, Привет 😀</Message>".getBytes(StandardCharsets.UTF_8);
        send("a", "b", bytes);
        List<IncomingMessage> got = transport.receive("b");
        assertThat(got).hasSize(1);
        IncomingMessage m = got.get(0);
        assertThat(m.name()).isNotBlank();
        assertThat(m.size()).isEqualTo(bytes.length);
        assertThat(bytes(m)).isEqualTo(bytes);
        m.commit();
    }

    /** A large message arrives byte for byte, written in chunks of odd sizes. */
    @Test
    void aLargeMessageArrivesByteForByte() {
        byte[] bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(bytes);
        try (OutgoingMessage out = transport.create("a", "b")) {
            OutputStream s = out.stream();
            int pos = 0;
            for (int chunk = 1; pos < bytes.length; chunk = chunk * 3 % 65_521 + 1) {
                int n = Math.min(chunk, bytes.length - pos);
                write(s, bytes, pos, n);
                pos += n;
            }
            flush(s);
            out.send();
        }
        IncomingMessage m = only(transport.receive("b"));
        assertThat(m.size()).isEqualTo(bytes.length);
        assertThat(bytes(m)).isEqualTo(bytes);
        m.commit();
    }

    /** size() is the byte count, for an empty message too. */
    @Test
    void sizeIsTheByteCount() {
        for (int size : List.of(0, 1, 4096, 65_537)) {
            send("a" + size, "b", new byte[size]);
        }
        List<IncomingMessage> got = transport.receive("b");
        assertThat(got).extracting(IncomingMessage::size).containsExactlyInAnyOrder(0L, 1L, 4096L, 65_537L);
        for (IncomingMessage m : got) {
            assertThat((long) bytes(m).length).isEqualTo(m.size());
            m.commit();
        }
    }

    /** A message can be opened more than once, also with two streams open at once, and gives the same bytes. */
    @Test
    void aMessageOpensMoreThanOnceWithTheSameBytes() throws IOException {
        byte[] bytes = new byte[10_000];
        new Random(2).nextBytes(bytes);
        send("a", "b", bytes);
        IncomingMessage m = only(transport.receive("b"));
        assertThat(bytes(m)).isEqualTo(bytes);
        try (InputStream first = m.open(); InputStream second = m.open()) {
            byte[] head = first.readNBytes(100);
            assertThat(second.readAllBytes()).isEqualTo(bytes);
            byte[] rest = first.readAllBytes();
            byte[] all = new byte[head.length + rest.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(rest, 0, all, head.length, rest.length);
            assertThat(all).isEqualTo(bytes);
        }
        assertThat(bytes(m)).isEqualTo(bytes);
        m.commit();
    }

    /** A message closed unsent, written or not, is never delivered, not even in part. */
    @Test
    void aMessageClosedUnsentIsNeverDelivered() {
        try (OutgoingMessage out = transport.create("a", "b")) {
            write(out.stream(), "half a mess".getBytes(StandardCharsets.UTF_8));
        }
        try (OutgoingMessage out = transport.create("c", "b")) {
            out.stream(); // never written
        }
        assertThat(transport.receive("b")).isEmpty();
        send("d", "b", "whole".getBytes(StandardCharsets.UTF_8));
        IncomingMessage m = only(transport.receive("b"));
        assertThat(new String(bytes(m), StandardCharsets.UTF_8)).isEqualTo("whole");
        m.commit();
    }

    /** Closing a message after sending it does not discard it; close is idempotent. */
    @Test
    void closingAfterSendKeepsTheMessage() {
        OutgoingMessage out = transport.create("a", "b");
        write(out.stream(), new byte[] {1, 2, 3});
        out.send();
        out.close();
        out.close();
        IncomingMessage m = only(transport.receive("b"));
        assertThat(bytes(m)).containsExactly(1, 2, 3);
        m.commit();
    }

    /** A message goes to its recipient only. */
    @Test
    void aMessageGoesToItsRecipientOnly() {
        send("a", "b", new byte[] {1});
        send("b", "a", new byte[] {2});
        assertThat(transport.receive("c")).isEmpty();
        IncomingMessage toA = only(transport.receive("a"));
        IncomingMessage toB = only(transport.receive("b"));
        assertThat(bytes(toA)).containsExactly(2);
        assertThat(bytes(toB)).containsExactly(1);
        toA.commit();
        toB.commit();
    }

    /** Messages from several senders to one recipient all arrive. */
    @Test
    void messagesFromSeveralSendersAllArrive() {
        for (int i = 0; i < 5; i++) {
            send("s" + i, "hub", ("from " + i).getBytes(StandardCharsets.UTF_8));
        }
        List<IncomingMessage> got = transport.receive("hub");
        assertThat(texts(got)).containsExactlyInAnyOrder("from 0", "from 1", "from 2", "from 3", "from 4");
        got.forEach(IncomingMessage::commit);
    }

    /** receive claims: the same message is not returned again while claimed. */
    @Test
    void receiveClaimsTheMessage() {
        send("a", "b", new byte[] {1});
        IncomingMessage m = only(transport.receive("b"));
        assertThat(transport.receive("b")).isEmpty();
        m.commit();
    }

    /** A released message is received again, with the same bytes. */
    @Test
    void releaseMakesTheMessageAvailableAgain() {
        send("a", "b", new byte[] {7, 8});
        IncomingMessage m = only(transport.receive("b"));
        m.release();
        IncomingMessage again = only(transport.receive("b"));
        assertThat(again.size()).isEqualTo(2);
        assertThat(bytes(again)).containsExactly(7, 8);
        again.commit();
    }

    /** Commit removes exactly that message for good; the others stay. */
    @Test
    void commitRemovesTheMessageForGood() {
        send("a", "b", "one".getBytes(StandardCharsets.UTF_8));
        send("c", "b", "two".getBytes(StandardCharsets.UTF_8));
        List<IncomingMessage> got = transport.receive("b");
        assertThat(got).hasSize(2);
        IncomingMessage one = got.stream().filter(m -> text(m).equals("one")).findFirst().orElseThrow();
        IncomingMessage two = got.stream().filter(m -> text(m).equals("two")).findFirst().orElseThrow();
        one.commit();
        two.release();
        IncomingMessage left = only(transport.receive("b"));
        assertThat(text(left)).isEqualTo("two");
        left.commit();
        assertThat(transport.receive("b")).isEmpty();
    }

    /** Several messages from one sender to one recipient are all kept, oldest first. */
    @Test
    void messagesOfOnePairArriveOldestFirst() {
        assumeThat(keepsEveryMessage() && deliversInOrder()).as("keeps every message, in order").isTrue();
        for (int i = 1; i <= 5; i++) {
            send("a", "b", ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        List<IncomingMessage> got = transport.receive("b");
        assertThat(texts(got)).containsExactly("m1", "m2", "m3", "m4", "m5");
        got.forEach(IncomingMessage::commit);
    }

    /** Released messages come back in their original order, ahead of messages sent after they were claimed. */
    @Test
    void releasedMessagesComeBackInTheirOriginalOrder() {
        assumeThat(keepsEveryMessage() && deliversInOrder()).as("keeps every message, in order").isTrue();
        for (int i = 1; i <= 3; i++) {
            send("a", "b", ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        List<IncomingMessage> got = transport.receive("b");
        send("a", "b", "m4".getBytes(StandardCharsets.UTF_8));
        got.get(2).release();
        got.get(0).release();
        got.get(1).release();
        List<IncomingMessage> again = transport.receive("b");
        assertThat(texts(again)).containsExactly("m1", "m2", "m3", "m4");
        again.forEach(IncomingMessage::commit);
    }

    /** Threads sending at once lose nothing: every message arrives once, whole. */
    @Test
    @Timeout(30)
    void concurrentSendersLoseNothing() throws Exception {
        int threads = 8;
        int each = 25;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Set<String> sent = ConcurrentHashMap.newKeySet();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        String text = "thread " + thread + " message " + i + " " + "x".repeat(i * 37);
                        send(sender(thread, i), "hub", text.getBytes(StandardCharsets.UTF_8));
                        sent.add(text);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            Fixtures.shutdown(pool);
        }
        List<IncomingMessage> got = transport.receive("hub");
        assertThat(texts(got)).hasSize(threads * each).containsExactlyInAnyOrderElementsOf(sent);
        got.forEach(IncomingMessage::commit);
    }

    /** Threads receiving at once while others send never claim the same message twice, and together get all. */
    @Test
    @Timeout(30)
    void concurrentReceiversNeverClaimTheSameMessage() throws Exception {
        int senders = 4;
        int each = 50;
        int receivers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(senders + receivers);
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch sendersDone = new CountDownLatch(senders);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < senders; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        send(sender(thread, i), "hub", ("s" + thread + "m" + i).getBytes(StandardCharsets.UTF_8));
                    }
                    sendersDone.countDown();
                    return null;
                }));
            }
            for (int r = 0; r < receivers; r++) {
                done.add(pool.submit(() -> {
                    boolean last = false;
                    while (!last) {
                        last = sendersDone.await(1, TimeUnit.MILLISECONDS);
                        for (IncomingMessage m : transport.receive("hub")) {
                            received.add(text(m));
                            m.commit();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            Fixtures.shutdown(pool);
        }
        for (IncomingMessage m : transport.receive("hub")) {
            received.add(text(m));
            m.commit();
        }
        assertThat(received).hasSize(senders * each).doesNotHaveDuplicates();
        assertThat(new HashSet<>(received)).hasSize(senders * each);
    }

    // ---- helpers

    /** The sender name of message i of a thread: one pair per message unless every message is kept. */
    private String sender(int thread, int i) {
        return keepsEveryMessage() ? "s" + thread : "s" + thread + "n" + i;
    }

    private void send(String from, String to, byte[] bytes) {
        try (OutgoingMessage out = transport.create(from, to)) {
            write(out.stream(), bytes);
            flush(out.stream());
            out.send();
        }
    }

    private static IncomingMessage only(List<IncomingMessage> messages) {
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    private static List<String> texts(List<IncomingMessage> messages) {
        return messages.stream().map(TransportContract::text).collect(Collectors.toList());
    }

    private static String text(IncomingMessage m) {
        return new String(bytes(m), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(IncomingMessage m) {
        try (InputStream in = m.open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + m.name(), e);
        }
    }

    private static void write(OutputStream s, byte[] bytes) {
        write(s, bytes, 0, bytes.length);
    }

    private static void write(OutputStream s, byte[] bytes, int off, int len) {
        try {
            s.write(bytes, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flush(OutputStream s) {
        try {
            s.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
