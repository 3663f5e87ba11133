package io.dibex.checksum;

import io.dibex.checksum.DocumentDigests.Entry;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.spi.SetComparison;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;

/**
 * The compact reconciliation request of SPEC §5: the office and a branch find the documents that
 * differ between their sets of (key, digest) entries with messages whose size grows with the
 * number of differences, not of documents. {@code docs/reconciliation-compact.md} gives the
 * algorithm, the byte layout and the measured figures.
 *
 * <p>The exchange, in messages that the engine carries in a control item's binary field:
 * <ol>
 *   <li>office → branch, {@link MessageType#REQUEST}: the office's count, a hash of its whole set
 *       and a small invertible Bloom lookup table (IBLT). A branch that decodes it knows every
 *       difference: no round trip more than the naive request.
 *   <li>otherwise branch → office, {@link MessageType#ESTIMATE}: a strata estimator of the
 *       branch's set; the office answers with a {@link MessageType#SKETCH}, an IBLT sized from the
 *       estimate. One round trip more.
 *   <li>if even that does not decode, branch → office {@link MessageType#NAIVE_ASK} and the office
 *       answers with the {@link MessageType#NAIVE} list. Two round trips more; rare (the document
 *       gives the measured rate).
 * </ol>
 * The office sends the naive list straight away when its set holds an id that is not a UUID in
 * canonical form, or when a sketch would be no smaller than the list.
 *
 * <p>Both sides are pure: they read their entries from an {@link Entries} source each time they
 * need them (one document at a time, never holding the set) and keep no state between messages,
 * so nothing needs to be kept while a message spends hours in the mail. An {@link Office} or
 * {@link Branch} may be called from several threads when its source allows it. Received bytes are
 * parsed strictly; anything malformed raises {@link SketchFormatException}.
 */
public final class CompactReconciliation {

    /** Version of the message layout, the first byte of every message. */
    public static final int VERSION = 1;

    private static final int TYPE_BASE = 1;
    private static final long MAX_COUNT = 1L << 40;
    private static final int NAIVE_ENTRY_MIN = 1 + 1 + 2 + Digest.LENGTH;
    private static final int MAX_ID_BYTES = 4 * ObjectKey.MAX_ID_LENGTH;
    /** Bytes of one entry of the naive request (SPEC §5): a UUID and a SHA-256. */
    static final int NAIVE_ENTRY_BYTES = 16 + Digest.LENGTH;

    private CompactReconciliation() {
    }

    /** The compact request as the engine's {@link SetComparison}, with the default settings. */
    public static SetComparison comparison() {
        return comparison(Settings.defaults());
    }

    /**
     * The compact request as the engine's {@link SetComparison}, for
     * {@link io.dibex.Reconciliation.Builder#compact(SetComparison)}.
     *
     * @param settings the parameters; both ends must use the same
     * @return the comparison
     */
    public static SetComparison comparison(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        return new SetComparison() {
            @Override
            public byte[] request(SetComparison.Entries office) {
                return new Office(adapt(office), settings).request();
            }

            @Override
            public byte[] answer(SetComparison.Entries office, byte[] fromChild) {
                return new Office(adapt(office), settings).answer(fromChild);
            }

            @Override
            public SetComparison.Step receive(SetComparison.Entries child, byte[] fromOffice) {
                CompactReconciliation.Step step = new Branch(adapt(child), settings).receive(fromOffice);
                if (step instanceof CompactReconciliation.Done done) {
                    Outcome o = done.outcome();
                    return new SetComparison.Step.Done(o.onlyAtOffice(), o.onlyAtBranch(), o.different());
                }
                return new SetComparison.Step.Reply(((CompactReconciliation.Reply) step).message());
            }

            @Override
            public String toString() {
                return "CompactReconciliation" + settings;
            }
        };
    }

    private static Entries adapt(SetComparison.Entries entries) {
        return () -> {
            Iterator<SetComparison.Entry> it = entries.open();
            return new Iterator<Entry>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Entry next() {
                    SetComparison.Entry e = it.next();
                    return new Entry(e.key(), e.digest());
                }
            };
        };
    }

    /**
     * A side's entries, read afresh each time: one per document of the compared set, in strictly
     * increasing key order ({@link ObjectKey#compareTo}).
     */
    @FunctionalInterface
    public interface Entries {
        /**
         * Opens a new pass over the entries.
         *
         * @return the entries, in strictly increasing key order
         */
        Iterator<Entry> open();
    }

    /** The two sides of an exchange. */
    public enum Side {
        /** The office, which starts the exchange. */
        OFFICE,
        /** The branch, which decodes. */
        BRANCH
    }

    /** What a message is, from its second byte. */
    public enum MessageType {
        /** Office → branch: count, set hash and a small IBLT. */
        REQUEST,
        /** Branch → office: a strata estimator, when the request did not decode. */
        ESTIMATE,
        /** Office → branch: an IBLT sized from the estimate. */
        SKETCH,
        /** Branch → office: the sketch did not decode either; send the list. */
        NAIVE_ASK,
        /** Office → branch: every entry, as in the naive request. */
        NAIVE;

        /**
         * The type of a message.
         *
         * @param message a message of this class
         * @return its type
         * @throws SketchFormatException when the bytes do not start as a message of this version
         */
        public static MessageType of(byte[] message) {
            Bytes.In in = new Bytes.In(message);
            int version = in.u8("version");
            if (version != VERSION) {
                throw new SketchFormatException("unknown compact reconciliation version " + version + ", this node reads "
                        + VERSION);
            }
            int t = in.u8("message type") - TYPE_BASE;
            if (t < 0 || t >= values().length) {
                throw new SketchFormatException("unknown compact reconciliation message type " + (t + TYPE_BASE));
            }
            return values()[t];
        }
    }

    /**
     * The parameters of an exchange; both sides use the same.
     *
     * @param firstCells cells of the request's IBLT (31 bytes each): it decodes about
     *     {@code firstCells / 2} differing entries; 96 keeps the request under 3.1 KB
     * @param overhead cells of the sized IBLT per estimated differing entry
     * @param extraCells cells added to the sized IBLT, for small estimates
     * @param seed the hash seed of the request's IBLT; the others derive from it
     */
    public record Settings(int firstCells, double overhead, int extraCells, int seed) {
        /** Validates the ranges. */
        public Settings {
            if (firstCells < Iblt.HASHES || firstCells > Iblt.MAX_CELLS) {
                throw new IllegalArgumentException("firstCells must be " + Iblt.HASHES + " to " + Iblt.MAX_CELLS
                        + ", got " + firstCells);
            }
            if (!(overhead >= 1.0 && overhead <= 16.0)) {
                throw new IllegalArgumentException("overhead must be 1 to 16, got " + overhead);
            }
            if (extraCells < 0 || extraCells > Iblt.MAX_CELLS) {
                throw new IllegalArgumentException("extraCells must be 0 to " + Iblt.MAX_CELLS + ", got " + extraCells);
            }
        }

        /**
         * The defaults: 96 first cells, overhead 3.0, 30 extra cells, seed 1.
         *
         * @return the default settings
         */
        public static Settings defaults() {
            return new Settings(96, 3.0, 30, 1);
        }
    }

    /**
     * The documents that differ, as the branch found them. Each list is in key order.
     *
     * @param onlyAtOffice documents the office holds and the branch lacks
     * @param onlyAtBranch documents the branch holds and the office lacks
     * @param different documents both hold, in different states
     */
    public record Outcome(List<ObjectKey> onlyAtOffice, List<ObjectKey> onlyAtBranch, List<ObjectKey> different) {
        /** Copies the lists. */
        public Outcome {
            onlyAtOffice = List.copyOf(onlyAtOffice);
            onlyAtBranch = List.copyOf(onlyAtBranch);
            different = List.copyOf(different);
        }

        /**
         * Whether the two sets are equal.
         *
         * @return true when nothing differs
         */
        public boolean agree() {
            return onlyAtOffice.isEmpty() && onlyAtBranch.isEmpty() && different.isEmpty();
        }

        /**
         * The documents a side must send: those the other side lacks, and those that differ. Of a
         * different document, the owner's state wins (SPEC §5): the engine sends it from the owner's
         * side only.
         *
         * @param side the side
         * @return the keys, in key order
         */
        public List<ObjectKey> toSend(Side side) {
            List<ObjectKey> keys = new ArrayList<>(side == Side.OFFICE ? onlyAtOffice : onlyAtBranch);
            keys.addAll(different);
            keys.sort(Comparator.naturalOrder());
            return List.copyOf(keys);
        }

        /**
         * The documents a side lacks.
         *
         * @param side the side
         * @return the keys, in key order
         */
        public List<ObjectKey> lacking(Side side) {
            return side == Side.OFFICE ? onlyAtBranch : onlyAtOffice;
        }
    }

    /** What the branch does with a message: it is done, or it replies. */
    public sealed interface Step permits Done, Reply {
    }

    /**
     * The branch knows every difference.
     *
     * @param outcome the differences
     */
    public record Done(Outcome outcome) implements Step {
        /** Rejects null. */
        public Done {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** The branch replies to the office with a message. */
    public static final class Reply implements Step {
        private final byte[] message;

        Reply(byte[] message) {
            this.message = message;
        }

        /**
         * The message for the office.
         *
         * @return a copy of its bytes
         */
        public byte[] message() {
            return message.clone();
        }

        @Override
        public String toString() {
            return "Reply[" + MessageType.of(message) + ", " + message.length + " bytes]";
        }
    }

    /**
     * One message of a modeled exchange.
     *
     * @param from its sender
     * @param type its type
     * @param bytes its size
     */
    public record Message(Side from, MessageType type, int bytes) {
    }

    /**
     * A whole exchange, as {@link #run} models it.
     *
     * @param outcome what the branch found
     * @param messages the messages, in order
     */
    public record Exchange(Outcome outcome, List<Message> messages) {
        /** Copies the list. */
        public Exchange {
            Objects.requireNonNull(outcome, "outcome");
            messages = List.copyOf(messages);
        }

        /**
         * Round trips beyond the naive protocol's single request: 0, 1 or 2.
         *
         * @return the extra round trips
         */
        public int extraRoundTrips() {
            return (messages.size() - 1) / 2;
        }

        /**
         * The bytes one side sent.
         *
         * @param from the side
         * @return the sum of its messages' sizes
         */
        public long bytesFrom(Side from) {
            return messages.stream().filter(m -> m.from() == from).mapToLong(Message::bytes).sum();
        }

        /**
         * The bytes both sides sent.
         *
         * @return the sum of every message's size
         */
        public long bytes() {
            return bytesFrom(Side.OFFICE) + bytesFrom(Side.BRANCH);
        }
    }

    /**
     * Runs a whole exchange in-process, passing each message to the other side.
     *
     * @param office the office's entries
     * @param branch the branch's entries
     * @param settings the parameters
     * @return the outcome and the messages
     */
    public static Exchange run(Entries office, Entries branch, Settings settings) {
        Office o = new Office(office, settings);
        Branch b = new Branch(branch, settings);
        List<Message> messages = new ArrayList<>();
        byte[] m = o.request();
        while (true) {
            messages.add(new Message(Side.OFFICE, MessageType.of(m), m.length));
            Step s = b.receive(m);
            if (s instanceof Done d) {
                return new Exchange(d.outcome(), messages);
            }
            byte[] r = ((Reply) s).message;
            messages.add(new Message(Side.BRANCH, MessageType.of(r), r.length));
            if (messages.size() > 4) {
                throw new IllegalStateException("the branch replied after the naive list: " + messages);
            }
            m = o.answer(r);
        }
    }

    /** The office's side: it starts the exchange and answers the branch. */
    public static final class Office {
        private final Entries entries;
        private final Settings settings;

        /**
         * The office over its entries.
         *
         * @param entries the office's entries of the compared set
         * @param settings the parameters
         */
        public Office(Entries entries, Settings settings) {
            this.entries = Objects.requireNonNull(entries, "entries");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /**
         * The first message: a {@link MessageType#REQUEST}, or the {@link MessageType#NAIVE} list
         * when an id of the set is not a UUID.
         *
         * @return the message
         */
        public byte[] request() {
            byte[] sketch = sketch(MessageType.REQUEST, settings.firstCells(), settings.seed());
            return sketch != null ? sketch : naive();
        }

        /**
         * The answer to a branch's reply: a {@link MessageType#SKETCH} sized from an
         * {@link MessageType#ESTIMATE}, or the {@link MessageType#NAIVE} list.
         *
         * @param fromBranch the branch's message
         * @return the message for the branch
         * @throws SketchFormatException when the message is malformed or not one the office answers
         */
        public byte[] answer(byte[] fromBranch) {
            MessageType type = MessageType.of(fromBranch);
            Bytes.In in = new Bytes.In(fromBranch);
            in.u8("version");
            in.u8("message type");
            if (type == MessageType.NAIVE_ASK) {
                in.end();
                return naive();
            }
            if (type != MessageType.ESTIMATE) {
                throw new SketchFormatException("the office answers an ESTIMATE or a NAIVE_ASK, got " + type);
            }
            Elements.KindTable kinds = Elements.KindTable.read(in);
            long theirCount = in.varint(MAX_COUNT, "entry count");
            StrataEstimator theirs = StrataEstimator.read(in);
            in.end();

            StrataEstimator mine = new StrataEstimator(theirs.seed());
            long myCount = 0;
            long outside = 0;
            for (Iterator<Entry> it = ordered(entries.open()); it.hasNext(); ) {
                Entry e = it.next();
                UUID id = e.key().uuid();
                int kind = kinds.indexOf(e.key().kind());
                if (id == null || kind < 0) {
                    outside++;
                    continue;
                }
                mine.add(Elements.hash(Elements.element(id, e.digest(), kind), theirs.seed()));
                myCount++;
            }
            long estimate = Math.max(mine.estimate(theirs), Math.abs(myCount - theirCount)) + outside;
            double cells = estimate * settings.overhead() + settings.extraCells();
            if (cells > Iblt.MAX_CELLS || cells * (1 + Elements.BYTES + 4) >= (double) NAIVE_ENTRY_BYTES * (myCount
                    + outside)) {
                return naive();
            }
            byte[] sketch = sketch(MessageType.SKETCH, (int) Math.ceil(cells), sketchSeed(settings));
            return sketch != null ? sketch : naive();
        }

        /** A REQUEST or SKETCH over the office's set, or null when an id is not a UUID. */
        private byte[] sketch(MessageType type, int cells, int seed) {
            Elements.KindTable kinds = new Elements.KindTable();
            Iblt table = new Iblt(Elements.LANES, cells, seed);
            long count = 0;
            long hashHi = 0;
            long hashLo = 0;
            for (Iterator<Entry> it = ordered(entries.open()); it.hasNext(); ) {
                Entry e = it.next();
                UUID id = e.key().uuid();
                if (id == null) {
                    return null;
                }
                long[] element = Elements.element(id, e.digest(), kinds.intern(e.key().kind()));
                table.add(element);
                long[] h = Elements.setHash(element);
                hashHi ^= h[0];
                hashLo ^= h[1];
                count++;
            }
            Bytes.Out out = header(type, 64 + table.cells() * table.cellBytes());
            out.varint(count).bytes(hashHi, 8).bytes(hashLo, 8);
            kinds.write(out);
            table.write(out);
            return out.toByteArray();
        }

        /** The naive list: every entry, its kind by index into a table that grows as kinds first appear. */
        private byte[] naive() {
            Bytes.Out body = new Bytes.Out(1 << 12);
            Elements.KindTable kinds = new Elements.KindTable();
            long count = 0;
            for (Iterator<Entry> it = ordered(entries.open()); it.hasNext(); ) {
                Entry e = it.next();
                String kind = e.key().kind();
                int k = kinds.indexOf(kind);
                if (k < 0) {
                    body.varint(kinds.size()).string(kind);
                    kinds.intern(kind);
                } else {
                    body.varint(k);
                }
                UUID id = e.key().uuid();
                if (id != null) {
                    body.u8(0).bytes(id.getMostSignificantBits(), 8).bytes(id.getLeastSignificantBits(), 8);
                } else {
                    body.u8(1).string(e.key().id());
                }
                body.raw(e.digest().bytes());
                count++;
            }
            Bytes.Out out = header(MessageType.NAIVE, body.size() + 16);
            out.varint(count);
            out.raw(body.toByteArray());
            return out.toByteArray();
        }
    }

    /** The branch's side: it decodes what the office sends and replies when it cannot. */
    public static final class Branch {
        private final Entries entries;
        private final Settings settings;

        /**
         * The branch over its entries.
         *
         * @param entries the branch's entries of the compared set
         * @param settings the parameters, the office's
         */
        public Branch(Entries entries, Settings settings) {
            this.entries = Objects.requireNonNull(entries, "entries");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /**
         * Takes a message from the office.
         *
         * @param fromOffice a {@link MessageType#REQUEST}, {@link MessageType#SKETCH} or
         *     {@link MessageType#NAIVE}
         * @return {@link Done} with the differences, or the {@link Reply} for the office
         * @throws SketchFormatException when the message is malformed or not one the branch takes
         */
        public Step receive(byte[] fromOffice) {
            MessageType type = MessageType.of(fromOffice);
            Bytes.In in = new Bytes.In(fromOffice);
            in.u8("version");
            in.u8("message type");
            switch (type) {
                case REQUEST:
                case SKETCH:
                    return decode(type, in);
                case NAIVE:
                    return new Done(compare(in));
                default:
                    throw new SketchFormatException("the branch takes a REQUEST, a SKETCH or the NAIVE list, got "
                            + type);
            }
        }

        private Step decode(MessageType type, Bytes.In in) {
            long theirCount = in.varint(MAX_COUNT, "entry count");
            long theirHi = in.bytes(8, "set hash");
            long theirLo = in.bytes(8, "set hash");
            Elements.KindTable kinds = Elements.KindTable.read(in);
            Iblt theirs = Iblt.read(in, Elements.LANES, Iblt.MAX_CELLS);
            in.end();

            // Entries the office's table cannot name (an id not a UUID, a kind the office has no
            // document of) are missing there by construction: the office's set has none such.
            List<ObjectKey> outside = new ArrayList<>();
            Iblt mine = new Iblt(Elements.LANES, theirs.cells(), theirs.seed());
            long count = 0;
            long hi = 0;
            long lo = 0;
            for (Iterator<Entry> it = ordered(entries.open()); it.hasNext(); ) {
                Entry e = it.next();
                UUID id = e.key().uuid();
                int kind = kinds.indexOf(e.key().kind());
                if (id == null || kind < 0) {
                    outside.add(e.key());
                    continue;
                }
                long[] element = Elements.element(id, e.digest(), kind);
                mine.add(element);
                long[] h = Elements.setHash(element);
                hi ^= h[0];
                lo ^= h[1];
                count++;
            }
            if (count == theirCount && hi == theirHi && lo == theirLo) {
                return new Done(new Outcome(List.of(), outside, List.of()));
            }
            Iblt.Decoded d = theirs.subtract(mine).decode();
            if (d.complete()) {
                for (long[] e : d.plus()) {
                    long[] h = Elements.setHash(e);
                    hi ^= h[0];
                    lo ^= h[1];
                }
                for (long[] e : d.minus()) {
                    long[] h = Elements.setHash(e);
                    hi ^= h[0];
                    lo ^= h[1];
                }
                // The whole-set hash confirms the decoding: a cell wrongly taken as pure would show here.
                if (hi == theirHi && lo == theirLo && count - d.minus().size() + d.plus().size() == theirCount) {
                    return new Done(outcome(d, kinds, outside));
                }
            }
            if (type == MessageType.SKETCH) {
                return new Reply(header(MessageType.NAIVE_ASK, 2).toByteArray());
            }
            return new Reply(estimate(kinds));
        }

        private byte[] estimate(Elements.KindTable kinds) {
            int seed = settings.seed() + 0x100;
            StrataEstimator est = new StrataEstimator(seed);
            long count = 0;
            for (Iterator<Entry> it = ordered(entries.open()); it.hasNext(); ) {
                Entry e = it.next();
                UUID id = e.key().uuid();
                int kind = kinds.indexOf(e.key().kind());
                if (id != null && kind >= 0) {
                    est.add(Elements.hash(Elements.element(id, e.digest(), kind), seed));
                    count++;
                }
            }
            Bytes.Out out = header(MessageType.ESTIMATE, 40_000);
            kinds.write(out);
            out.varint(count);
            est.write(out);
            return out.toByteArray();
        }

        private static Outcome outcome(Iblt.Decoded d, Elements.KindTable kinds, List<ObjectKey> outside) {
            Map<ObjectKey, Integer> seen = new HashMap<>();
            for (long[] e : d.plus()) {
                seen.merge(Elements.key(e, kinds), 1, (a, b) -> a | b);
            }
            for (long[] e : d.minus()) {
                seen.merge(Elements.key(e, kinds), 2, (a, b) -> a | b);
            }
            List<ObjectKey> atOffice = new ArrayList<>();
            List<ObjectKey> atBranch = new ArrayList<>(outside);
            List<ObjectKey> different = new ArrayList<>();
            seen.forEach((k, v) -> (v == 1 ? atOffice : v == 2 ? atBranch : different).add(k));
            atOffice.sort(Comparator.naturalOrder());
            atBranch.sort(Comparator.naturalOrder());
            different.sort(Comparator.naturalOrder());
            return new Outcome(atOffice, atBranch, different);
        }

        private Outcome compare(Bytes.In in) {
            long count = in.varint(Math.min(MAX_COUNT, in.remaining() / NAIVE_ENTRY_MIN), "entry count");
            Outcome outcome = naive(entries.open(), naiveEntries(in, count));
            in.end();
            return outcome;
        }
    }

    /**
     * The naive comparison (SPEC §5): the branch's entries against the office's, both in key order;
     * what the compact exchange must find too.
     */
    static Outcome naive(Iterator<Entry> branch, Iterator<Entry> office) {
        List<ObjectKey> atOffice = new ArrayList<>();
        List<ObjectKey> atBranch = new ArrayList<>();
        List<ObjectKey> different = new ArrayList<>();
        DocumentDigests.compare(branch, office, new DocumentDigests.Differences() {
            @Override
            public void onlyMine(Entry mine) {
                atBranch.add(mine.key());
            }

            @Override
            public void onlyTheirs(Entry theirs) {
                atOffice.add(theirs.key());
            }

            @Override
            public void different(ObjectKey key, Digest mine, Digest theirs) {
                different.add(key);
            }
        });
        return new Outcome(atOffice, atBranch, different);
    }

    /** The entries of a naive list, parsed as they are taken. */
    private static Iterator<Entry> naiveEntries(Bytes.In in, long count) {
        Elements.KindTable kinds = new Elements.KindTable();
        return new Iterator<>() {
            private long read;
            private ObjectKey last;

            @Override
            public boolean hasNext() {
                return read < count;
            }

            @Override
            public Entry next() {
                if (read == count) {
                    throw new NoSuchElementException();
                }
                int at = in.position();
                int k = (int) in.varint(kinds.size(), "kind index");
                if (k == kinds.size()) {
                    String name = in.string(Elements.MAX_KIND_BYTES, "kind name");
                    if (kinds.indexOf(name) >= 0) {
                        throw new SketchFormatException("kind " + name + " introduced twice (at byte " + at + ")");
                    }
                    kinds.intern(name);
                }
                int form = in.u8("id form");
                String id;
                if (form == 0) {
                    id = new UUID(in.bytes(8, "id"), in.bytes(8, "id")).toString();
                } else if (form == 1) {
                    id = in.string(MAX_ID_BYTES, "id");
                } else {
                    throw in.error("unknown id form " + form);
                }
                byte[] digest = in.raw(Digest.LENGTH, "digest");
                ObjectKey key;
                try {
                    key = ObjectKey.of(kinds.name(k), id);
                } catch (IllegalArgumentException e) {
                    throw new SketchFormatException("entry " + read + " has no valid key: " + e.getMessage()
                            + " (at byte " + at + ")", e);
                }
                if (last != null && last.compareTo(key) >= 0) {
                    throw new SketchFormatException("entry " + read + " of the naive list, " + key + ", does not come"
                            + " after " + last + " (at byte " + at + ")");
                }
                last = key;
                read++;
                return new Entry(key, Digest.of(digest));
            }
        };
    }

    private static int sketchSeed(Settings settings) {
        return settings.seed() ^ 0x9E3779B9;
    }

    private static Bytes.Out header(MessageType type, int capacity) {
        return new Bytes.Out(capacity).u8(VERSION).u8(type.ordinal() + TYPE_BASE);
    }

    /** A side's own entries, checked to rise strictly, since a set sketch assumes each key once. */
    private static Iterator<Entry> ordered(Iterator<Entry> entries) {
        Objects.requireNonNull(entries, "entries");
        return new Iterator<>() {
            private ObjectKey last;

            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Entry next() {
                Entry e = Objects.requireNonNull(entries.next(), "null entry");
                if (last != null && last.compareTo(e.key()) >= 0) {
                    throw new IllegalArgumentException("entries are not in strictly increasing key order: " + e.key()
                            + " after " + last);
                }
                last = e.key();
                return e;
            }
        };
    }
}
