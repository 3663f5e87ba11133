package io.dibex.memory;

import io.dibex.spi.IncomingMessage;
import io.dibex.spi.OutgoingMessage;
import io.dibex.spi.Transport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The reference {@link Transport}: a FIFO queue of messages per recipient, in memory. Reliable:
 * it never loses, duplicates or reorders a message (wrap it to inject such faults).
 *
 * <p>{@link #create} buffers the message's bytes; {@link OutgoingMessage#send()} appends it to the
 * recipient's queue. Sending twice, or writing after sending or closing, is an
 * {@link IllegalStateException}; closing unsent discards the bytes. {@link #receive} claims every
 * message waiting for the recipient, oldest first. {@link IncomingMessage#commit()} removes a
 * claimed message for good; {@link IncomingMessage#release()} puts it back where it was, ahead of
 * every message sent after it, so that released messages are received again in their original
 * order. Once committed or released, a claimed message refuses further use. Thread-safe.
 */
public final class InMemoryTransport implements Transport {

    /** Waiting messages per recipient, by sequence number: the order they were sent. */
    private final Map<String, TreeMap<Long, Message>> queues = new HashMap<>();
    private long sequence;

    /** An empty transport. */
    public InMemoryTransport() {
    }

    /** Starts a message from {@code from} to {@code to}, buffered in memory until sent. */
    @Override
    public OutgoingMessage create(String from, String to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        long seq;
        synchronized (this) {
            seq = ++sequence;
        }
        return new Outgoing(new Message(seq, from, to, "Message_" + from + "_" + to + "#" + seq, null));
    }

    /** Claims every message waiting for {@code to}, oldest first; they wait no more until released. */
    @Override
    public synchronized List<IncomingMessage> receive(String to) {
        TreeMap<Long, Message> queue = queues.get(Objects.requireNonNull(to, "to"));
        if (queue == null || queue.isEmpty()) {
            return List.of();
        }
        List<IncomingMessage> claimed = new ArrayList<>(queue.size());
        queue.values().forEach(m -> claimed.add(new Incoming(m)));
        queue.clear();
        return claimed;
    }

    /** The number of messages waiting for {@code to}, claimed ones not counted. */
    public synchronized int waiting(String to) {
        TreeMap<Long, Message> queue = queues.get(Objects.requireNonNull(to, "to"));
        return queue == null ? 0 : queue.size();
    }

    private synchronized void enqueue(Message m) {
        queues.computeIfAbsent(m.to, t -> new TreeMap<>()).put(m.seq, m);
    }

    /** A sent message: immutable. */
    private static final class Message {
        final long seq;
        final String from;
        final String to;
        final String name;
        final byte[] bytes;

        Message(long seq, String from, String to, String name, byte[] bytes) {
            this.seq = seq;
            this.from = from;
            this.to = to;
            this.name = name;
            this.bytes = bytes;
        }

        Message withBytes(byte[] bytes) {
            return new Message(seq, from, to, name, bytes);
        }
    }

    /** A message being written; used by one thread. */
    private final class Outgoing implements OutgoingMessage {
        private final Message message;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(int b) {
                checkWritable();
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                checkWritable();
                buffer.write(b, off, len);
            }
        };
        private boolean sent;
        private boolean closed;

        Outgoing(Message message) {
            this.message = message;
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public void send() {
            if (sent || closed) {
                throw new IllegalStateException(message.name + " was already " + (sent ? "sent" : "closed unsent")
                        + "; create a new message");
            }
            sent = true;
            enqueue(message.withBytes(buffer.toByteArray()));
        }

        @Override
        public void close() {
            closed = true;
        }

        private void checkWritable() {
            if (sent || closed) {
                throw new IllegalStateException("cannot write to " + message.name + ": it was already "
                        + (sent ? "sent" : "closed"));
            }
        }

        @Override
        public String toString() {
            return message.name + (sent ? " (sent)" : closed ? " (discarded)" : " (writing)");
        }
    }

    /** A claimed message. */
    private final class Incoming implements IncomingMessage {
        private final Message message;
        private String ended;

        Incoming(Message message) {
            this.message = message;
        }

        @Override
        public String name() {
            return message.name;
        }

        @Override
        public long size() {
            return message.bytes.length;
        }

        @Override
        public InputStream open() {
            synchronized (InMemoryTransport.this) {
                check("open");
            }
            return new ByteArrayInputStream(message.bytes);
        }

        @Override
        public void commit() {
            synchronized (InMemoryTransport.this) {
                check("commit");
                ended = "committed";
            }
        }

        @Override
        public void release() {
            synchronized (InMemoryTransport.this) {
                check("release");
                ended = "released";
                enqueue(message);
            }
        }

        private void check(String what) {
            if (ended != null) {
                throw new IllegalStateException("cannot " + what + " " + message.name + ": it was already " + ended);
            }
        }

        @Override
        public String toString() {
            return message.name + " (" + message.bytes.length + " bytes" + (ended == null ? "" : ", " + ended) + ")";
        }
    }
}
