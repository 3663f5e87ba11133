package io.dibex.memory;

import io.dibex.StorageException;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The reference {@link Storage}: both stores in memory, serializable by mutual exclusion.
 *
 * <p>{@link #begin()} takes the storage's one lock, and the transaction holds it until it is
 * committed or closed, so transactions run one at a time and every other {@code begin()} waits
 * (fairly, in arrival order). Writes apply in place and are recorded in an undo log; closing a
 * transaction that was not committed replays the log backwards, which undoes everything it did.
 * The lock is not reentrant: a thread that already holds an open transaction and calls
 * {@code begin()} again gets an {@link IllegalStateException}, since waiting would deadlock.
 * After commit or close, the transaction, its stores and its streams refuse every use with an
 * {@link IllegalStateException}.
 *
 * <p>Registrations are kept per peer with indexes by {@code firstSentNo} and by
 * {@code lastSentNo}, so that {@link ExchangeStore#acknowledge} visits only the rows those
 * indexes select (R4), and an index of unsent rows, so that {@link ExchangeStore#numberUnsent}
 * visits only the rows it numbers. Streams are lazy cursors in key order over the live maps: they
 * read the transaction's current state, which the SPI lets them do because the engine does not
 * write the rows a stream reads while it is open.
 *
 * <p>For tests: {@link #copy()} takes a backup of the committed state, and
 * {@link #openTransactions()} and {@link #openStreams()} find leaks.
 */
public final class InMemoryStorage implements Storage {

    private final Semaphore lock = new Semaphore(1, true);
    /** The thread that began the open transaction, to refuse a second begin() on it. */
    private volatile Thread owner;
    private final AtomicInteger openTransactions = new AtomicInteger();
    private final AtomicInteger openStreams = new AtomicInteger();

    // The state, guarded by the lock. An open transaction's writes are in it, undone on rollback.
    private final Map<String, PeerState> peers = new HashMap<>();
    private final Map<String, TreeMap<Long, UUID>> sentIds = new HashMap<>();
    private final Map<String, RegistrationTable> registrations = new HashMap<>();
    private final TreeMap<ObjectKey, Instant> tombstones = new TreeMap<>();
    /** The documents marked to be reposted at this node. */
    private final java.util.TreeSet<ObjectKey> repostMarks = new java.util.TreeSet<>();
    /** Per peer: the keys retracted from it, with when. */
    private final Map<String, TreeMap<ObjectKey, Instant>> retractions = new HashMap<>();
    private final Map<String, TreeMap<ObjectKey, RetractedCopy>> retractedCopies = new HashMap<>();
    /** Per peer: the keys set aside from its messages, with the first message number listing them. */
    private final Map<String, TreeMap<ObjectKey, Long>> rejectedKeys = new HashMap<>();
    private final List<JournalEntry> journal = new ArrayList<>();
    /** Per sequence: its boundary (R14). */
    private final Map<String, io.dibex.model.SequenceBoundary> boundaries = new HashMap<>();
    private final TreeMap<ObjectKey, DataObject> objects = new TreeMap<>();
    private final Map<String, TreeMap<ObjectKey, io.dibex.spi.Control>> controls = new HashMap<>();
    private final TreeMap<ObjectKey, DataObject> runs = new TreeMap<>();

    /** An empty storage. */
    public InMemoryStorage() {
    }

    /**
     * Begins a transaction, waiting until no other transaction is open.
     *
     * @throws IllegalStateException when the calling thread already holds an open transaction of
     *     this storage (waiting for itself would deadlock)
     * @throws StorageException when the thread is interrupted while waiting; its interrupt flag is
     *     set again
     */
    @Override
    public StoreTransaction begin() {
        acquire("begin a transaction");
        openTransactions.incrementAndGet();
        return new Tx();
    }

    /**
     * An independent storage holding this one's committed state: a backup, from which a test
     * restores a node by building a new node on the copy. Waits for an open transaction to end,
     * so it never sees uncommitted writes.
     *
     * @throws IllegalStateException when the calling thread holds an open transaction of this
     *     storage
     * @throws StorageException when the thread is interrupted while waiting
     */
    public InMemoryStorage copy() {
        acquire("copy the storage");
        try {
            InMemoryStorage copy = new InMemoryStorage();
            copy.peers.putAll(peers);
            sentIds.forEach((peer, ids) -> copy.sentIds.put(peer, new TreeMap<>(ids)));
            registrations.forEach((peer, table) -> copy.registrations.put(peer, table.copy()));
            copy.tombstones.putAll(tombstones);
            retractions.forEach((peer, keys) -> copy.retractions.put(peer, new TreeMap<>(keys)));
            retractedCopies.forEach((peer, copies) -> copy.retractedCopies.put(peer, new TreeMap<>(copies)));
            copy.repostMarks.addAll(repostMarks);
            rejectedKeys.forEach((peer, keys) -> copy.rejectedKeys.put(peer, new TreeMap<>(keys)));
            copy.journal.addAll(journal);
            copy.boundaries.putAll(boundaries);
            copy.objects.putAll(objects);
            controls.forEach((peer, items) -> copy.controls.put(peer, new TreeMap<>(items)));
            copy.runs.putAll(runs);
            return copy;
        } finally {
            release();
        }
    }

    /** The number of transactions begun and not yet committed or closed: 0 or 1. */
    public int openTransactions() {
        return openTransactions.get();
    }

    /** The number of streams opened by {@code numbered}, {@code journal} or {@code list} and not yet closed. */
    public int openStreams() {
        return openStreams.get();
    }

    @Override
    public String toString() {
        return "InMemoryStorage[openTransactions=" + openTransactions.get() + ", openStreams="
                + openStreams.get() + "]";
    }

    private void acquire(String what) {
        if (owner == Thread.currentThread()) {
            throw new IllegalStateException("cannot " + what + ": thread " + Thread.currentThread().getName()
                    + " already holds an open transaction of this InMemoryStorage, which would deadlock;"
                    + " commit or close it first");
        }
        try {
            lock.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting to " + what + " of an InMemoryStorage", e);
        }
        owner = Thread.currentThread();
    }

    private void release() {
        owner = null;
        lock.release();
    }

    /** The state an object had here when a peer retracted it, and when. */
    private record RetractedCopy(DataObject state, Instant at) {
    }

    private static <K, V> void restore(Map<K, V> map, K key, V old) {
        if (old == null) {
            map.remove(key);
        } else {
            map.put(key, old);
        }
    }

    private static long requirePositive(long no, String what) {
        if (no <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + no);
        }
        return no;
    }

    /** One transaction: holds the lock from construction until commit or close. */
    private final class Tx implements StoreTransaction {
        /** Undo actions, newest first. */
        private final Deque<Runnable> undo = new ArrayDeque<>();
        private final Exchange exchange = new Exchange();
        private final Data data = new Data();
        private volatile boolean ended;
        private volatile boolean committed;

        @Override
        public ExchangeStore exchange() {
            check();
            return exchange;
        }

        @Override
        public ObjectStore objects() {
            check();
            return data;
        }

        @Override
        public void commit() {
            check();
            undo.clear();
            committed = true;
            end();
        }

        @Override
        public void close() {
            if (ended) {
                return;
            }
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
            end();
        }

        private void end() {
            ended = true;
            openTransactions.decrementAndGet();
            release();
        }

        void check() {
            if (ended) {
                throw new IllegalStateException("this transaction of an InMemoryStorage was already "
                        + (committed ? "committed" : "closed") + "; begin a new one");
            }
        }

        /** A stream whose elements {@code cursor} yields until it returns null; counted while open. */
        <T> Stream<T> stream(Cursor<T> cursor) {
            openStreams.incrementAndGet();
            Spliterator<T> spliterator = new Spliterators.AbstractSpliterator<T>(Long.MAX_VALUE,
                    Spliterator.ORDERED | Spliterator.NONNULL) {
                private boolean done;

                @Override
                public boolean tryAdvance(Consumer<? super T> action) {
                    check();
                    T next = done ? null : cursor.next();
                    if (next == null) {
                        done = true;
                        return false;
                    }
                    action.accept(next);
                    return true;
                }
            };
            return StreamSupport.stream(spliterator, false).onClose(openStreams::decrementAndGet);
        }

        private void setRow(RegistrationTable table, ObjectKey key, Registration row) {
            Registration old = table.set(key, row);
            undo.push(() -> table.set(key, old));
        }

        private RegistrationTable table(String peer) {
            return registrations.computeIfAbsent(Objects.requireNonNull(peer, "peer"), p -> new RegistrationTable());
        }

        private Registration row(String peer, ObjectKey key) {
            RegistrationTable table = registrations.get(Objects.requireNonNull(peer, "peer"));
            return table == null ? null : table.get(Objects.requireNonNull(key, "key"));
        }

        /** The exchange store of this transaction. */
        private final class Exchange implements ExchangeStore {

            @Override
            public PeerState peer(String peer) {
                check();
                PeerState state = peers.get(Objects.requireNonNull(peer, "peer"));
                return state != null ? state : PeerState.initial(peer);
            }

            @Override
            public void putPeer(PeerState state) {
                check();
                PeerState old = peers.put(state.peer(), state);
                undo.push(() -> restore(peers, state.peer(), old));
            }

            @Override
            public void putSentMessage(String peer, long no, UUID id) {
                check();
                requirePositive(no, "message number");
                Objects.requireNonNull(id, "id");
                TreeMap<Long, UUID> ids = sentIds.computeIfAbsent(Objects.requireNonNull(peer, "peer"),
                        p -> new TreeMap<>());
                UUID old = ids.put(no, id);
                undo.push(() -> restore(ids, no, old));
            }

            @Override
            public Optional<UUID> sentMessageId(String peer, long no) {
                check();
                TreeMap<Long, UUID> ids = sentIds.get(Objects.requireNonNull(peer, "peer"));
                return Optional.ofNullable(ids == null ? null : ids.get(no));
            }

            @Override
            public void pruneSentMessages(String peer, long no) {
                check();
                TreeMap<Long, UUID> ids = sentIds.get(Objects.requireNonNull(peer, "peer"));
                if (ids == null) {
                    return;
                }
                SortedMap<Long, UUID> below = ids.headMap(no);
                if (!below.isEmpty()) {
                    TreeMap<Long, UUID> removed = new TreeMap<>(below);
                    below.clear();
                    undo.push(() -> ids.putAll(removed));
                }
            }

            @Override
            public void register(String peer, ObjectKey key, Digest digest, Digest base, long seenNo,
                    boolean repair, long session) {
                check();
                if (seenNo < 0) {
                    throw new IllegalArgumentException("seenNo must not be negative: " + seenNo);
                }
                Objects.requireNonNull(digest, "digest");
                Objects.requireNonNull(base, "base");
                RegistrationTable table = table(peer);
                Registration old = table.get(Objects.requireNonNull(key, "key"));
                // R2: one row per (peer, key); a new state must go out again, what was last sent stays known.
                setRow(table, key, old == null
                        ? new Registration(peer, key, digest, 0, 0, null, false, base, seenNo, repair, session)
                        : new Registration(peer, key, digest, 0, old.lastSentNo(), old.lastSentDigest(), false,
                                old.base(), seenNo, repair, session));
            }

            @Override
            public boolean reject(String peer, ObjectKey key) {
                check();
                Registration old = row(peer, key);
                if (old == null) {
                    return false;
                }
                if (!old.rejected()) {
                    setRow(table(peer), key, old.withRejected(true));
                }
                return true;
            }

            @Override
            public boolean unregister(String peer, ObjectKey key) {
                check();
                if (row(peer, key) == null) {
                    return false;
                }
                setRow(table(peer), key, null);
                return true;
            }

            @Override
            public Optional<Registration> registration(String peer, ObjectKey key) {
                check();
                return Optional.ofNullable(row(peer, key));
            }

            @Override
            public long countRegistrations(String peer) {
                check();
                RegistrationTable table = registrations.get(Objects.requireNonNull(peer, "peer"));
                return table == null ? 0 : table.size();
            }

            @Override
            public long countSendable(String peer) {
                check();
                RegistrationTable table = registrations.get(Objects.requireNonNull(peer, "peer"));
                return table == null ? 0 : table.sendable();
            }

            @Override
            public long numberUnsent(String peer, long messageNo, long cap) {
                check();
                requirePositive(messageNo, "message number");
                if (cap < 0) {
                    throw new IllegalArgumentException("cap must not be negative, got " + cap);
                }
                RegistrationTable table = registrations.get(Objects.requireNonNull(peer, "peer"));
                long numbered = 0;
                // Each row numbered leaves the unsent index, so the next first unsent key is the next in order.
                for (ObjectKey key; table != null && numbered < cap && (key = table.firstUnsent()) != null; numbered++) {
                    Registration r = table.get(key);
                    setRow(table, key, r.withFirstSentNo(messageNo));
                }
                return numbered;
            }

            @Override
            public Stream<Registration> registrations(String peer) {
                return rows(peer, RegistrationTable::nextKey);
            }

            @Override
            public Stream<ObjectKey> tombstones() {
                check();
                return stream(new Cursor<>() {
                    private ObjectKey last;

                    @Override
                    public ObjectKey next() {
                        ObjectKey key = last == null ? (tombstones.isEmpty() ? null : tombstones.firstKey())
                                : tombstones.higherKey(last);
                        if (key != null) {
                            last = key;
                        }
                        return key;
                    }
                });
            }

            @Override
            public Stream<Registration> numbered(String peer) {
                return rows(peer, RegistrationTable::nextNumbered);
            }

            /** The rows of {@code peer} that {@code next} walks, in key order, read lazily. */
            private Stream<Registration> rows(String peer,
                    java.util.function.BiFunction<RegistrationTable, ObjectKey, ObjectKey> next) {
                check();
                Objects.requireNonNull(peer, "peer");
                return stream(new Cursor<>() {
                    private ObjectKey last;

                    @Override
                    public Registration next() {
                        RegistrationTable table = registrations.get(peer);
                        ObjectKey key = table == null ? null : next.apply(table, last);
                        if (key == null) {
                            return null;
                        }
                        last = key;
                        return table.get(key);
                    }
                });
            }

            @Override
            public void recordSent(String peer, ObjectKey key, long messageNo, Digest digest) {
                check();
                requirePositive(messageNo, "message number");
                Objects.requireNonNull(digest, "digest");
                Registration r = row(peer, key);
                if (r != null) {
                    setRow(table(peer), key, r.withLastSent(messageNo, digest));
                }
            }

            @Override
            public void unnumber(String peer, long messageNo) {
                check();
                RegistrationTable table = registrations.get(Objects.requireNonNull(peer, "peer"));
                if (table == null || messageNo <= 0) {
                    return;
                }
                for (ObjectKey key : table.withFirstSentNo(messageNo)) {
                    Registration r = table.get(key);
                    setRow(table, key, r.withFirstSentNo(0));
                }
            }

            @Override
            public long acknowledge(String peer, long k) {
                check();
                RegistrationTable table = registrations.get(Objects.requireNonNull(peer, "peer"));
                if (table == null || k <= 0) {
                    return 0;
                }
                long deleted = 0;
                for (ObjectKey key : table.withFirstSentNoUpTo(k)) {
                    Registration r = table.get(key);
                    if (!r.rejected()) {
                        setRow(table, key, null);
                        deleted++;
                    }
                }
                // R4: the peer holds the state registered now, so keeping the row would only cause a false conflict.
                for (ObjectKey key : table.withLastSentNoUpTo(k)) {
                    Registration r = table.get(key);
                    if (r != null && !r.rejected() && r.digest().equals(r.lastSentDigest())) {
                        setRow(table, key, null);
                        deleted++;
                    } else if (r != null && !r.base().equals(r.lastSentDigest())) {
                        // The peer now holds what that message carried: the base of the change still pending.
                        setRow(table, key, r.withBase(r.lastSentDigest()));
                    }
                }
                return deleted;
            }

            @Override
            public Optional<io.dibex.model.SequenceBoundary> sequenceBoundary(String sequence) {
                check();
                return Optional.ofNullable(boundaries.get(Objects.requireNonNull(sequence, "sequence")));
            }

            @Override
            public void putSequenceBoundary(String sequence, io.dibex.model.SequenceBoundary boundary) {
                check();
                Objects.requireNonNull(boundary, "boundary");
                io.dibex.model.SequenceBoundary old = boundaries.put(Objects.requireNonNull(sequence, "sequence"),
                        boundary);
                undo.push(() -> restore(boundaries, sequence, old));
            }

            @Override
            public void putTombstone(ObjectKey key, Instant at) {
                check();
                Objects.requireNonNull(at, "at");
                Instant old = tombstones.put(Objects.requireNonNull(key, "key"), at);
                undo.push(() -> restore(tombstones, key, old));
            }

            @Override
            public Optional<Instant> tombstone(ObjectKey key) {
                check();
                return Optional.ofNullable(tombstones.get(Objects.requireNonNull(key, "key")));
            }

            @Override
            public long pruneTombstones(Instant before) {
                check();
                Objects.requireNonNull(before, "before");
                List<ObjectKey> doomed = new ArrayList<>();
                tombstones.forEach((key, at) -> {
                    if (at.isBefore(before) && registrations.values().stream().noneMatch(t -> t.get(key) != null)) {
                        doomed.add(key);
                    }
                });
                for (ObjectKey key : doomed) {
                    Instant old = tombstones.remove(key);
                    undo.push(() -> tombstones.put(key, old));
                }
                return doomed.size();
            }

            @Override
            public void putRepostMark(ObjectKey key) {
                check();
                if (repostMarks.add(Objects.requireNonNull(key, "key"))) {
                    undo.push(() -> repostMarks.remove(key));
                }
            }

            @Override
            public boolean removeRepostMark(ObjectKey key) {
                check();
                if (repostMarks.remove(Objects.requireNonNull(key, "key"))) {
                    undo.push(() -> repostMarks.add(key));
                    return true;
                }
                return false;
            }

            @Override
            public Stream<ObjectKey> repostMarks() {
                check();
                return stream(new Cursor<>() {
                    private ObjectKey last;

                    @Override
                    public ObjectKey next() {
                        ObjectKey key = last == null ? (repostMarks.isEmpty() ? null : repostMarks.first())
                                : repostMarks.higher(last);
                        if (key != null) {
                            last = key;
                        }
                        return key;
                    }
                });
            }

            @Override
            public void putRetraction(String peer, ObjectKey key, Instant at) {
                check();
                Objects.requireNonNull(key, "key");
                Objects.requireNonNull(at, "at");
                TreeMap<ObjectKey, Instant> keys = retractions.computeIfAbsent(Objects.requireNonNull(peer, "peer"),
                        p -> new TreeMap<>());
                Instant old = keys.put(key, at);
                undo.push(() -> restore(keys, key, old));
            }

            @Override
            public Stream<ObjectKey> retractions(String peer) {
                check();
                return inKeyOrder(retractions, Objects.requireNonNull(peer, "peer"), (key, at) -> key);
            }

            @Override
            public void putRetractedCopy(String peer, DataObject state, Instant at) {
                check();
                Objects.requireNonNull(state, "state");
                Objects.requireNonNull(at, "at");
                TreeMap<ObjectKey, RetractedCopy> copies = retractedCopies.computeIfAbsent(
                        Objects.requireNonNull(peer, "peer"), p -> new TreeMap<>());
                RetractedCopy old = copies.put(state.key(), new RetractedCopy(state, at));
                undo.push(() -> restore(copies, state.key(), old));
            }

            @Override
            public Stream<DataObject> retractedCopies(String peer) {
                check();
                return inKeyOrder(retractedCopies, Objects.requireNonNull(peer, "peer"), (key, copy) -> copy.state());
            }

            /** A peer's entries in key order, read as the stream advances (a cursor, like the other streams). */
            private <V, T> Stream<T> inKeyOrder(Map<String, TreeMap<ObjectKey, V>> byPeer, String peer,
                    java.util.function.BiFunction<ObjectKey, V, T> read) {
                return stream(new Cursor<>() {
                    private ObjectKey last;

                    @Override
                    public T next() {
                        TreeMap<ObjectKey, V> entries = byPeer.get(peer);
                        Map.Entry<ObjectKey, V> e = entries == null ? null
                                : last == null ? entries.firstEntry() : entries.higherEntry(last);
                        if (e == null) {
                            return null;
                        }
                        last = e.getKey();
                        return read.apply(e.getKey(), e.getValue());
                    }
                });
            }

            @Override
            public long pruneRetractions(Instant before) {
                check();
                Objects.requireNonNull(before, "before");
                return pruneOlder(retractions, at -> at, before) + pruneOlder(retractedCopies, RetractedCopy::at, before);
            }

            /** Removes, as part of this transaction, every peer's entries timed before {@code before}. */
            private <V> long pruneOlder(Map<String, TreeMap<ObjectKey, V>> byPeer,
                    java.util.function.Function<V, Instant> time, Instant before) {
                long pruned = 0;
                for (TreeMap<ObjectKey, V> entries : byPeer.values()) {
                    List<ObjectKey> doomed = new ArrayList<>();
                    entries.forEach((key, value) -> {
                        if (time.apply(value).isBefore(before)) {
                            doomed.add(key);
                        }
                    });
                    for (ObjectKey key : doomed) {
                        V old = entries.remove(key);
                        undo.push(() -> entries.put(key, old));
                    }
                    pruned += doomed.size();
                }
                return pruned;
            }

            @Override
            public void putControl(String peer, DataObject item) {
                check();
                io.dibex.spi.Control control = new io.dibex.spi.Control(peer, item, 0);
                TreeMap<ObjectKey, io.dibex.spi.Control> items = controls.computeIfAbsent(peer, p -> new TreeMap<>());
                io.dibex.spi.Control old = items.put(item.key(), control);
                undo.push(() -> restore(items, item.key(), old));
            }

            @Override
            public Stream<io.dibex.spi.Control> controls(String peer) {
                check();
                Objects.requireNonNull(peer, "peer");
                return stream(new Cursor<>() {
                    private ObjectKey last;

                    @Override
                    public io.dibex.spi.Control next() {
                        TreeMap<ObjectKey, io.dibex.spi.Control> items = controls.get(peer);
                        if (items == null) {
                            return null;
                        }
                        Map.Entry<ObjectKey, io.dibex.spi.Control> e = last == null ? items.firstEntry()
                                : items.higherEntry(last);
                        if (e == null) {
                            return null;
                        }
                        last = e.getKey();
                        return e.getValue();
                    }
                });
            }

            @Override
            public void recordControlSent(String peer, ObjectKey key, long no) {
                check();
                requirePositive(no, "message number");
                TreeMap<ObjectKey, io.dibex.spi.Control> items = controls.get(Objects.requireNonNull(peer, "peer"));
                io.dibex.spi.Control old = items == null ? null : items.get(Objects.requireNonNull(key, "key"));
                if (old != null && old.sentNo() == 0) {
                    items.put(key, new io.dibex.spi.Control(peer, old.item(), no));
                    undo.push(() -> items.put(key, old));
                }
            }

            @Override
            public long acknowledgeControls(String peer, long k) {
                check();
                TreeMap<ObjectKey, io.dibex.spi.Control> items = controls.get(Objects.requireNonNull(peer, "peer"));
                if (items == null) {
                    return 0;
                }
                long deleted = 0;
                for (io.dibex.spi.Control c : List.copyOf(items.values())) {
                    if (c.sentNo() > 0 && c.sentNo() <= k) {
                        items.remove(c.item().key());
                        undo.push(() -> items.put(c.item().key(), c));
                        deleted++;
                    }
                }
                return deleted;
            }

            @Override
            public void putRun(DataObject run) {
                check();
                DataObject old = runs.put(run.key(), run);
                undo.push(() -> restore(runs, run.key(), old));
            }

            @Override
            public boolean deleteRun(ObjectKey key) {
                check();
                DataObject old = runs.remove(Objects.requireNonNull(key, "key"));
                if (old == null) {
                    return false;
                }
                undo.push(() -> runs.put(key, old));
                return true;
            }

            @Override
            public Optional<DataObject> run(ObjectKey key) {
                check();
                return Optional.ofNullable(runs.get(Objects.requireNonNull(key, "key")));
            }

            @Override
            public Stream<DataObject> runs() {
                check();
                return stream(new Cursor<>() {
                    private ObjectKey last;

                    @Override
                    public DataObject next() {
                        Map.Entry<ObjectKey, DataObject> e = last == null ? runs.firstEntry() : runs.higherEntry(last);
                        if (e == null) {
                            return null;
                        }
                        last = e.getKey();
                        return e.getValue();
                    }
                });
            }

            @Override
            public void putRejectedKey(String peer, ObjectKey key, long sinceNo) {
                check();
                Objects.requireNonNull(key, "key");
                requirePositive(sinceNo, "sinceNo");
                TreeMap<ObjectKey, Long> keys = rejectedKeys.computeIfAbsent(Objects.requireNonNull(peer, "peer"),
                        p -> new TreeMap<>());
                Long old = keys.put(key, sinceNo);
                undo.push(() -> restore(keys, key, old));
            }

            @Override
            public List<ObjectKey> rejectedKeys(String peer) {
                check();
                TreeMap<ObjectKey, Long> keys = rejectedKeys.get(Objects.requireNonNull(peer, "peer"));
                return keys == null ? List.of() : List.copyOf(keys.keySet());
            }

            @Override
            public void pruneRejectedKeys(String peer, long acknowledgedNo) {
                check();
                TreeMap<ObjectKey, Long> keys = rejectedKeys.get(Objects.requireNonNull(peer, "peer"));
                if (keys == null) {
                    return;
                }
                for (Map.Entry<ObjectKey, Long> e : List.copyOf(keys.entrySet())) {
                    if (e.getValue() <= acknowledgedNo) {
                        keys.remove(e.getKey());
                        undo.push(() -> keys.put(e.getKey(), e.getValue()));
                    }
                }
            }

            @Override
            public boolean removeTombstone(ObjectKey key) {
                check();
                Instant old = tombstones.remove(Objects.requireNonNull(key, "key"));
                if (old == null) {
                    return false;
                }
                undo.push(() -> tombstones.put(key, old));
                return true;
            }

            @Override
            public void appendJournal(JournalEntry entry) {
                check();
                journal.add(Objects.requireNonNull(entry, "entry"));
                // Undo runs newest first, so this entry is the last one when it is undone.
                undo.push(() -> journal.remove(journal.size() - 1));
            }

            @Override
            public Stream<JournalEntry> journal() {
                check();
                return stream(new Cursor<>() {
                    private int next;

                    @Override
                    public JournalEntry next() {
                        return next < journal.size() ? journal.get(next++) : null;
                    }
                });
            }

            @Override
            public long pruneJournal(Instant before) {
                check();
                Objects.requireNonNull(before, "before");
                List<Integer> positions = new ArrayList<>();
                List<JournalEntry> removed = new ArrayList<>();
                int kept = 0;
                for (int i = 0; i < journal.size(); i++) {
                    JournalEntry e = journal.get(i);
                    if (e.at().isBefore(before)) {
                        positions.add(i);
                        removed.add(e);
                    } else {
                        journal.set(kept++, e);
                    }
                }
                journal.subList(kept, journal.size()).clear();
                if (!removed.isEmpty()) {
                    // Reinserting at the original positions in ascending order restores the exact list.
                    undo.push(() -> {
                        for (int i = 0; i < removed.size(); i++) {
                            journal.add(positions.get(i), removed.get(i));
                        }
                    });
                }
                return removed.size();
            }
        }

        /** The object store of this transaction. */
        private final class Data implements ObjectStore {

            @Override
            public Optional<DataObject> get(ObjectKey key) {
                check();
                return Optional.ofNullable(objects.get(Objects.requireNonNull(key, "key")));
            }

            @Override
            public void put(DataObject object) {
                check();
                ObjectKey key = object.key();
                DataObject old = objects.put(key, object);
                undo.push(() -> restore(objects, key, old));
            }

            @Override
            public boolean delete(ObjectKey key) {
                check();
                DataObject old = objects.remove(Objects.requireNonNull(key, "key"));
                if (old == null) {
                    return false;
                }
                undo.push(() -> objects.put(key, old));
                return true;
            }

            @Override
            public Stream<DataObject> list(String kind) {
                check();
                // " " is the least id an ObjectKey can have: ids are non-empty and hold no control characters.
                ObjectKey least = new ObjectKey(kind, " ");
                return stream(new Cursor<>() {
                    private ObjectKey last;

                    @Override
                    public DataObject next() {
                        ObjectKey key = last == null ? objects.ceilingKey(least) : objects.higherKey(last);
                        if (key == null || !key.kind().equals(kind)) {
                            return null;
                        }
                        last = key;
                        return objects.get(key);
                    }
                });
            }
        }
    }

    /** Yields the elements of a lazy stream, then null. */
    private interface Cursor<T> {
        T next();
    }
}
