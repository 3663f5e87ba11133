package io.dibex.tck;

import io.dibex.TransportException;
import io.dibex.memory.InMemoryTransport;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.OutgoingMessage;
import io.dibex.spi.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Random;
import java.util.Set;

/**
 * A {@link Transport} that loses, duplicates, delays and reorders messages, as the SPI allows
 * (R5): the recording fake of the multi-node tests.
 *
 * <p>It buffers each outgoing message and, when it is sent, decides its fate: deliver it, drop it,
 * deliver it twice, or hold it back. A message held at random is delivered at one of the next
 * {@code maxHoldReceives} calls of {@link #receive} for its recipient, after whatever was sent
 * meanwhile; a message held by {@link #holdNext} waits for {@link #releaseHeld()}. Delivery goes
 * through a wrapped transport (an {@link InMemoryTransport} unless the builder is given another),
 * and {@link #receive} may shuffle what that transport returns.
 *
 * <p>Random fates follow the builder's rates and a seeded {@link Random}, so a run driven from one
 * thread is the same for the same seed. Scripted fates ({@link #dropNext}, {@link #duplicateNext},
 * {@link #holdNext}) apply to the next message of their pair, in the order scripted, before and
 * instead of any random fate, and consume no randomness. {@link #faults(boolean) faults(false)}
 * stops random faults; scripted ones still apply. Counters report how many faults of each kind
 * actually happened, so a simulation can check that every fault fired.
 *
 * <p>Thread-safe; deterministic only when driven from one thread.
 */
public final class FlakyTransport implements Transport {

    /** What happens to one sent message. */
    private enum Fate {
        DELIVER, DROP, DUPLICATE, HOLD
    }

    private final Transport delegate;
    private final Random random;
    private final double dropRate;
    private final double duplicateRate;
    private final double holdRate;
    private final double reorderRate;
    private final int maxHoldReceives;

    // Guarded by this.
    private boolean faults = true;
    private final Set<String> reverseNext = new HashSet<>();
    private final Map<String, Queue<Fate>> scripted = new HashMap<>();
    private final List<Held> held = new ArrayList<>();
    private long drops;
    private long duplicates;
    private long holds;
    private long reorders;

    private FlakyTransport(Builder b) {
        this.delegate = b.delegate != null ? b.delegate : new InMemoryTransport();
        this.random = new Random(b.seed);
        this.dropRate = b.dropRate;
        this.duplicateRate = b.duplicateRate;
        this.holdRate = b.holdRate;
        this.reorderRate = b.reorderRate;
        this.maxHoldReceives = b.maxHoldReceives;
    }

    /**
     * Starts a flaky transport: by default seed 0, every rate 0 (a reliable transport until
     * scripted), holds of at most 3 receives, over a new {@link InMemoryTransport}.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a message; its fate is decided when it is sent.
     *
     * @return a message buffered in memory until sent
     */
    @Override
    public OutgoingMessage create(String from, String to) {
        return new Outgoing(Objects.requireNonNull(from, "from"), Objects.requireNonNull(to, "to"));
    }

    /**
     * Delivers the held messages for {@code to} that are due, then claims what the wrapped transport
     * holds for {@code to}, shuffled when the reorder fault strikes.
     *
     * @return the claimed messages
     */
    @Override
    public synchronized List<IncomingMessage> receive(String to) {
        Objects.requireNonNull(to, "to");
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.to.equals(to) && --h.receivesLeft == 0) {
                it.remove();
                deliver(h.from, h.to, h.bytes);
            }
        }
        List<IncomingMessage> claimed = delegate.receive(to);
        if (claimed.size() >= 2 && reverseNext.remove(to)) {
            List<IncomingMessage> reversed = new ArrayList<>(claimed);
            Collections.reverse(reversed);
            reorders++;
            return reversed;
        }
        if (faults && claimed.size() >= 2 && reorderRate > 0 && random.nextDouble() < reorderRate) {
            List<IncomingMessage> shuffled = new ArrayList<>(claimed);
            Collections.shuffle(shuffled, random);
            if (!shuffled.equals(claimed)) {
                reorders++;
                return shuffled;
            }
        }
        return claimed;
    }

    /**
     * Drops the next message sent from {@code from} to {@code to}.
     *
     * @param from the sender
     * @param to the recipient
     */
    public synchronized void dropNext(String from, String to) {
        script(from, to, Fate.DROP);
    }

    /**
     * Delivers the next message sent from {@code from} to {@code to} twice.
     *
     * @param from the sender
     * @param to the recipient
     */
    public synchronized void duplicateNext(String from, String to) {
        script(from, to, Fate.DUPLICATE);
    }

    /**
     * Makes the next {@link #receive} for {@code to} that claims two messages or more return them in
     * the reverse order (a scripted reorder, counted as one).
     *
     * @param to the recipient
     */
    public synchronized void reverseNext(String to) {
        reverseNext.add(Objects.requireNonNull(to, "to"));
    }

    /**
     * Holds the next message sent from {@code from} to {@code to} until {@link #releaseHeld()}.
     *
     * @param from the sender
     * @param to the recipient
     */
    public synchronized void holdNext(String from, String to) {
        script(from, to, Fate.HOLD);
    }

    /**
     * Delivers every held message now, in the order they were held.
     *
     * @return how many were delivered
     */
    public synchronized int releaseHeld() {
        List<Held> due = new ArrayList<>(held);
        held.clear();
        due.forEach(h -> deliver(h.from, h.to, h.bytes));
        return due.size();
    }

    /**
     * Turns random faults on (the initial state) or off; scripted faults apply either way, and
     * messages already held are still delivered as planned.
     *
     * @param on whether random faults may happen
     */
    public synchronized void faults(boolean on) {
        this.faults = on;
    }

    /**
     * The number of messages held now.
     *
     * @return held messages not yet delivered
     */
    public synchronized int heldCount() {
        return held.size();
    }

    /**
     * The number of messages dropped so far.
     *
     * @return the count of drops
     */
    public synchronized long drops() {
        return drops;
    }

    /**
     * The number of messages delivered twice so far.
     *
     * @return the count of duplications
     */
    public synchronized long duplicates() {
        return duplicates;
    }

    /**
     * The number of messages held back so far, released or not.
     *
     * @return the count of holds
     */
    public synchronized long holds() {
        return holds;
    }

    /**
     * The number of {@link #receive} calls that returned messages in another order than the wrapped
     * transport held them.
     *
     * @return the count of reorderings
     */
    public synchronized long reorders() {
        return reorders;
    }

    @Override
    public synchronized String toString() {
        return "FlakyTransport[drops=" + drops + ", duplicates=" + duplicates + ", holds=" + holds + ", reorders="
                + reorders + ", held=" + held.size() + "]";
    }

    private void script(String from, String to, Fate fate) {
        scripted.computeIfAbsent(pair(Objects.requireNonNull(from, "from"), Objects.requireNonNull(to, "to")),
                p -> new ArrayDeque<>()).add(fate);
    }

    private static String pair(String from, String to) {
        return from + '\u0000' + to;
    }

    private synchronized void sent(String from, String to, byte[] bytes) {
        Queue<Fate> script = scripted.get(pair(from, to));
        Fate fate = script != null && !script.isEmpty() ? script.remove() : null;
        int holdFor = Integer.MAX_VALUE; // scripted holds wait for releaseHeld()
        if (fate == null) {
            fate = faults ? randomFate() : Fate.DELIVER;
            holdFor = fate == Fate.HOLD ? 1 + random.nextInt(maxHoldReceives) : 0;
        }
        switch (fate) {
            case DROP -> drops++;
            case DUPLICATE -> {
                duplicates++;
                deliver(from, to, bytes);
                deliver(from, to, bytes);
            }
            case HOLD -> {
                holds++;
                held.add(new Held(from, to, bytes, holdFor));
            }
            default -> deliver(from, to, bytes);
        }
    }

    private Fate randomFate() {
        double r = random.nextDouble();
        if (r < dropRate) {
            return Fate.DROP;
        }
        if (r < dropRate + duplicateRate) {
            return Fate.DUPLICATE;
        }
        if (r < dropRate + duplicateRate + holdRate) {
            return Fate.HOLD;
        }
        return Fate.DELIVER;
    }

    private void deliver(String from, String to, byte[] bytes) {
        try (OutgoingMessage out = delegate.create(from, to)) {
            out.stream().write(bytes);
            out.send();
        } catch (IOException e) {
            throw new TransportException("cannot deliver a message from " + from + " to " + to, e);
        }
    }

    /** A message held back. */
    private static final class Held {
        final String from;
        final String to;
        final byte[] bytes;
        int receivesLeft;

        Held(String from, String to, byte[] bytes, int receivesLeft) {
            this.from = from;
            this.to = to;
            this.bytes = bytes;
            this.receivesLeft = receivesLeft;
        }
    }

    /** A message being written; its fate is decided at send. */
    private final class Outgoing implements OutgoingMessage {
        private final String from;
        private final String to;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(int b) {
                checkOpen();
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                checkOpen();
                buffer.write(b, off, len);
            }
        };
        private boolean ended;

        Outgoing(String from, String to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public void send() {
            checkOpen();
            ended = true;
            sent(from, to, buffer.toByteArray());
        }

        @Override
        public void close() {
            ended = true;
        }

        private void checkOpen() {
            if (ended) {
                throw new IllegalStateException("the message from " + from + " to " + to
                        + " was already sent or closed");
            }
        }
    }

    /** Builds a {@link FlakyTransport}. Rates are probabilities per message (per receive for reordering). */
    public static final class Builder {
        private long seed;
        private double dropRate;
        private double duplicateRate;
        private double holdRate;
        private double reorderRate;
        private int maxHoldReceives = 3;
        private Transport delegate;

        private Builder() {
        }

        /**
         * The seed of the random fates (default 0).
         *
         * @param seed the seed; print it when a run fails, to replay it
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The probability that a sent message is dropped.
         *
         * @param rate 0 to 1
         * @return this builder
         */
        public Builder dropRate(double rate) {
            this.dropRate = rate(rate, "dropRate");
            return this;
        }

        /**
         * The probability that a sent message is delivered twice.
         *
         * @param rate 0 to 1
         * @return this builder
         */
        public Builder duplicateRate(double rate) {
            this.duplicateRate = rate(rate, "duplicateRate");
            return this;
        }

        /**
         * The probability that a sent message is held back for a few receives.
         *
         * @param rate 0 to 1
         * @return this builder
         */
        public Builder holdRate(double rate) {
            this.holdRate = rate(rate, "holdRate");
            return this;
        }

        /**
         * The probability that a receive returning two or more messages shuffles them.
         *
         * @param rate 0 to 1
         * @return this builder
         */
        public Builder reorderRate(double rate) {
            this.reorderRate = rate(rate, "reorderRate");
            return this;
        }

        /**
         * The most receives of its recipient that a message held at random waits (default 3).
         *
         * @param receives 1 or more
         * @return this builder
         */
        public Builder maxHoldReceives(int receives) {
            if (receives < 1) {
                throw new IllegalArgumentException("maxHoldReceives must be at least 1, got " + receives);
            }
            this.maxHoldReceives = receives;
            return this;
        }

        /**
         * The transport that carries what is delivered (default: a new {@link InMemoryTransport}).
         *
         * @param delegate a reliable transport
         * @return this builder
         */
        public Builder delegate(Transport delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            return this;
        }

        /**
         * The transport.
         *
         * @return a new flaky transport
         * @throws IllegalArgumentException when the drop, duplicate and hold rates add up to more than 1
         */
        public FlakyTransport build() {
            if (dropRate + duplicateRate + holdRate > 1.0) {
                throw new IllegalArgumentException("dropRate + duplicateRate + holdRate must not exceed 1, got "
                        + (dropRate + duplicateRate + holdRate));
            }
            return new FlakyTransport(this);
        }

        private static double rate(double rate, String name) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(name + " must be between 0 and 1, got " + rate);
            }
            return rate;
        }
    }
}
