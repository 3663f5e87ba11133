package io.dibex.jdbc;

import io.dibex.StorageException;
import io.dibex.codec.ObjectBytes;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.SequenceBoundary;
import io.dibex.spi.Control;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * dibex's own state in the {@code dibex_*} tables, within one {@link JdbcTransaction}.
 *
 * <p>Each method is one or a few statements that change what they change atomically, never a
 * read in Java followed by a write of what was read, except {@link #putPeer} after
 * {@link #peer}, which is guarded by the row's version. {@link #register} and
 * {@link #recordSent} are queued and sent as JDBC batches; any other call, and commit, sends the
 * queue first, so every read sees every write before it.
 */
final class JdbcExchange implements ExchangeStore {

    private static final int BATCH = 512;
    /** Marks a peer that this transaction read and found absent. */
    private static final long ABSENT = -1;

    private static final String REGISTRATION_COLUMNS =
            "peer, kind, id, digest, first_sent_no, last_sent_no, last_sent_digest, rejected, base, seen_no, repair,"
                    + " session_no";
    private static final String PEER_COLUMNS = "last_allocated_no, acknowledged_no, last_loaded_no, last_loaded_id,"
            + " ack_owed, restored_since_no, peer_restored_since_no, last_sent_at_millis, peer_regressed, last_header_no,"
            + " restored_session";

    private final JdbcTransaction tx;
    /** The version of each peer row this transaction read or wrote, for {@link #putPeer}. */
    private final Map<String, Long> peerVersions = new HashMap<>();
    /** Queued registrations by (peer, key), coalesced: the first base, the last digest, seenNo, repair flag and session. */
    private final Map<List<Object>, Object[]> queuedRegistrations = new LinkedHashMap<>();
    /** Queued recordSent calls, in order. */
    private final List<Object[]> queuedSent = new ArrayList<>();

    JdbcExchange(JdbcTransaction tx) {
        this.tx = tx;
    }

    // ---- batches

    /** Sends the queued writes. */
    void flush() {
        tx.check();
        if (!queuedRegistrations.isEmpty()) {
            List<Object[]> rows = new ArrayList<>(queuedRegistrations.values());
            queuedRegistrations.clear();
            tx.sql("register changes", () -> {
                flushRegistrations(rows);
                return null;
            });
        }
        if (!queuedSent.isEmpty()) {
            List<Object[]> rows = new ArrayList<>(queuedSent);
            queuedSent.clear();
            tx.sql("record what a message carried", () -> {
                try (PreparedStatement p = tx.connection().prepareStatement("UPDATE dibex_registration"
                        + " SET last_sent_no = ?, last_sent_digest = ? WHERE peer = ? AND kind = ? AND id = ?")) {
                    for (Object[] r : rows) {
                        p.setLong(1, (Long) r[2]);
                        p.setBytes(2, ((Digest) r[3]).bytes());
                        setKey(p, 3, (String) r[0], (ObjectKey) r[1]);
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                return null;
            });
        }
    }

    /** R2: an update of every existing row, then an insert of the rows that did not exist. */
    private void flushRegistrations(List<Object[]> rows) throws SQLException {
        int[] updated;
        try (PreparedStatement p = tx.connection().prepareStatement("UPDATE dibex_registration"
                + " SET digest = ?, first_sent_no = 0, rejected = FALSE, seen_no = ?, repair = ?, session_no = ?"
                + " WHERE peer = ? AND kind = ? AND id = ?")) {
            for (Object[] r : rows) {
                p.setBytes(1, ((Digest) r[2]).bytes());
                p.setLong(2, (Long) r[4]);
                p.setBoolean(3, (Boolean) r[5]);
                p.setLong(4, (Long) r[6]);
                setKey(p, 5, (String) r[0], (ObjectKey) r[1]);
                p.addBatch();
            }
            updated = p.executeBatch();
        }
        try (PreparedStatement p = tx.connection().prepareStatement("INSERT INTO dibex_registration ("
                + REGISTRATION_COLUMNS + ") VALUES (?, ?, ?, ?, 0, 0, NULL, FALSE, ?, ?, ?, ?)")) {
            int inserts = 0;
            for (int i = 0; i < rows.size(); i++) {
                if (updated[i] == Statement.SUCCESS_NO_INFO) {
                    throw new SQLException("the driver does not report batch update counts; dibex needs them");
                }
                if (updated[i] == 0) {
                    Object[] r = rows.get(i);
                    setKey(p, 1, (String) r[0], (ObjectKey) r[1]);
                    p.setBytes(4, ((Digest) r[2]).bytes());
                    p.setBytes(5, ((Digest) r[3]).bytes());
                    p.setLong(6, (Long) r[4]);
                    p.setBoolean(7, (Boolean) r[5]);
                    p.setLong(8, (Long) r[6]);
                    p.addBatch();
                    inserts++;
                }
            }
            if (inserts > 0) {
                p.executeBatch();
            }
        }
    }

    // ---- peers

    @Override
    public PeerState peer(String peer) {
        Objects.requireNonNull(peer, "peer");
        flush();
        return tx.sql("read the counters of peer " + peer, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "SELECT " + PEER_COLUMNS + ", version FROM dibex_peer WHERE peer = ?")) {
                p.setString(1, peer);
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        peerVersions.put(peer, ABSENT);
                        return PeerState.initial(peer);
                    }
                    peerVersions.put(peer, r.getLong(12));
                    return new PeerState(peer, r.getLong(1), r.getLong(2), r.getLong(3), r.getObject(4, UUID.class),
                            r.getBoolean(5), r.getLong(6), r.getLong(7), r.getLong(8), r.getBoolean(9), r.getLong(10),
                            r.getLong(11));
                }
            }
        });
    }

    /**
     * Writes the counters. When this transaction read them first, the write succeeds only if no
     * other transaction changed them meanwhile: a lost update is a {@link StorageException}.
     */
    @Override
    public void putPeer(PeerState s) {
        Objects.requireNonNull(s, "state");
        flush();
        String peer = s.peer();
        Long read = peerVersions.get(peer);
        boolean done = tx.sql("write the counters of peer " + peer, () -> {
            if (read == null || read != ABSENT) {
                try (PreparedStatement p = tx.connection().prepareStatement("UPDATE dibex_peer SET"
                        + " last_allocated_no = ?, acknowledged_no = ?, last_loaded_no = ?, last_loaded_id = ?,"
                        + " ack_owed = ?, restored_since_no = ?, peer_restored_since_no = ?, last_sent_at_millis = ?,"
                        + " peer_regressed = ?, last_header_no = ?, restored_session = ?, version = version + 1"
                        + " WHERE peer = ?" + (read == null ? "" : " AND version = ?"))) {
                    setPeer(p, s);
                    p.setString(12, peer);
                    if (read != null) {
                        p.setLong(13, read);
                    }
                    if (p.executeUpdate() == 1) {
                        peerVersions.put(peer, read == null ? version(peer) : read + 1);
                        return true;
                    }
                    if (read != null) {
                        return false;
                    }
                }
            }
            try (PreparedStatement p = tx.connection().prepareStatement("INSERT INTO dibex_peer (" + PEER_COLUMNS
                    + ", version, peer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)")) {
                setPeer(p, s);
                p.setString(12, peer);
                if (!tx.insertUnlessDuplicate(p)) {
                    return false;
                }
                peerVersions.put(peer, 1L);
                return true;
            }
        });
        if (!done) {
            // Writers that retry at once keep colliding and one of them may never win: a short random
            // pause spreads them out. The engine serializes each peer itself and never gets here.
            try {
                Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new StorageException("the counters of peer " + peer + " were changed by another transaction"
                    + " after this one read them; roll back and retry");
        }
    }

    private long version(String peer) throws SQLException {
        try (PreparedStatement p = tx.connection().prepareStatement("SELECT version FROM dibex_peer WHERE peer = ?")) {
            p.setString(1, peer);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void setPeer(PreparedStatement p, PeerState s) throws SQLException {
        p.setLong(1, s.lastAllocatedNo());
        p.setLong(2, s.acknowledgedNo());
        p.setLong(3, s.lastLoadedNo());
        p.setObject(4, s.lastLoadedId());
        p.setBoolean(5, s.ackOwed());
        p.setLong(6, s.restoredSinceNo());
        p.setLong(7, s.peerRestoredSinceNo());
        p.setLong(8, s.lastSentAtMillis());
        p.setBoolean(9, s.peerRegressed());
        p.setLong(10, s.lastHeaderNo());
        p.setLong(11, s.restoredSession());
    }

    @Override
    public void putSentMessage(String peer, long no, UUID id) {
        Objects.requireNonNull(peer, "peer");
        requirePositive(no, "message number");
        Objects.requireNonNull(id, "id");
        flush();
        tx.sql("record the id of message " + no + " to " + peer, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "UPDATE dibex_sent_message SET message_id = ? WHERE peer = ? AND message_no = ?")) {
                p.setObject(1, id);
                p.setString(2, peer);
                p.setLong(3, no);
                if (p.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "INSERT INTO dibex_sent_message (peer, message_no, message_id) VALUES (?, ?, ?)")) {
                p.setString(1, peer);
                p.setLong(2, no);
                p.setObject(3, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<UUID> sentMessageId(String peer, long no) {
        Objects.requireNonNull(peer, "peer");
        flush();
        return tx.sql("read the id of message " + no + " to " + peer, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "SELECT message_id FROM dibex_sent_message WHERE peer = ? AND message_no = ?")) {
                p.setString(1, peer);
                p.setLong(2, no);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(r.getObject(1, UUID.class)) : Optional.<UUID>empty();
                }
            }
        });
    }

    @Override
    public void pruneSentMessages(String peer, long no) {
        Objects.requireNonNull(peer, "peer");
        update("forget the ids of messages to " + peer, "DELETE FROM dibex_sent_message WHERE peer = ? AND message_no < ?",
                peer, no);
    }

    // ---- object keys

    @Override
    public void lock(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        flush();
        tx.sql("lock " + key, () -> {
            for (int attempt = 0; attempt < 2; attempt++) {
                try (PreparedStatement p = tx.connection().prepareStatement(
                        "SELECT kind FROM dibex_key_lock WHERE kind = ? AND id = ? FOR UPDATE")) {
                    setKey(p, 1, key);
                    try (ResultSet r = p.executeQuery()) {
                        if (r.next()) {
                            return null;
                        }
                    }
                }
                // The first lock of this key: the uncommitted row is the lock. Another transaction
                // inserting it meanwhile waits for this one, then finds it (or the reverse).
                try (PreparedStatement p = tx.connection().prepareStatement(
                        "INSERT INTO dibex_key_lock (kind, id) VALUES (?, ?)")) {
                    setKey(p, 1, key);
                    if (tx.insertUnlessDuplicate(p)) {
                        return null;
                    }
                }
            }
            throw new SQLException("the lock row of " + key + " was inserted and deleted again meanwhile");
        });
    }

    // ---- registrations

    @Override
    public void register(String peer, ObjectKey key, Digest digest, Digest base, long seenNo, boolean repair,
            long session) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(base, "base");
        if (seenNo < 0) {
            throw new IllegalArgumentException("seenNo must not be negative: " + seenNo);
        }
        tx.check();
        if (!queuedSent.isEmpty()) {
            flush();
        }
        // Registering twice in one batch: one row with the newer digest, seenNo, repair flag and session
        // (the later registration's, as if the two ran one after the other) and the base of its creation.
        queuedRegistrations.merge(List.of(peer, key), new Object[] {peer, key, digest, base, seenNo, repair, session},
                (old, now) -> new Object[] {peer, key, digest, old[3], seenNo, repair, session});
        if (queuedRegistrations.size() >= BATCH) {
            flush();
        }
    }

    @Override
    public boolean reject(String peer, ObjectKey key) {
        return update("mark " + key + " rejected for " + peer,
                "UPDATE dibex_registration SET rejected = TRUE WHERE peer = ? AND kind = ? AND id = ?",
                peer, key.kind(), key.id()) > 0;
    }

    @Override
    public boolean unregister(String peer, ObjectKey key) {
        return update("unregister " + key + " for " + peer,
                "DELETE FROM dibex_registration WHERE peer = ? AND kind = ? AND id = ?", peer, key.kind(), key.id()) > 0;
    }

    @Override
    public Optional<Registration> registration(String peer, ObjectKey key) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(key, "key");
        flush();
        return tx.sql("read the registration of " + key + " for " + peer, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement("SELECT " + REGISTRATION_COLUMNS
                    + " FROM dibex_registration WHERE peer = ? AND kind = ? AND id = ?")) {
                setKey(p, 1, peer, key);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(registration(r)) : Optional.<Registration>empty();
                }
            }
        });
    }

    @Override
    public Stream<Registration> registrations(String peer) {
        return registrationStream("list the registrations of " + peer, "peer = ?", peer);
    }

    @Override
    public long countRegistrations(String peer) {
        return count("count the registrations of " + peer, "SELECT COUNT(*) FROM dibex_registration WHERE peer = ?",
                peer);
    }

    @Override
    public long countSendable(String peer) {
        return count("count the sendable registrations of " + peer,
                "SELECT COUNT(*) FROM dibex_registration WHERE peer = ? AND rejected = FALSE", peer);
    }

    @Override
    public long numberUnsent(String peer, long messageNo, long cap) {
        Objects.requireNonNull(peer, "peer");
        requirePositive(messageNo, "message number");
        if (cap < 0) {
            throw new IllegalArgumentException("cap must not be negative, got " + cap);
        }
        if (cap == 0) {
            flush();
            return 0;
        }
        String unsent = "peer = ? AND first_sent_no = 0 AND rejected = FALSE";
        if (cap >= Integer.MAX_VALUE) {
            return update("number the unsent registrations of " + peer,
                    "UPDATE dibex_registration SET first_sent_no = ? WHERE " + unsent, messageNo, peer);
        }
        // R3: the first cap unsent rows in key order, and no others.
        return update("number the unsent registrations of " + peer,
                "UPDATE dibex_registration SET first_sent_no = ? WHERE " + unsent + " AND (kind, id) IN ("
                        + "SELECT kind, id FROM dibex_registration WHERE " + unsent
                        + " ORDER BY kind, id FETCH FIRST ? ROWS ONLY)",
                messageNo, peer, peer, cap);
    }

    @Override
    public Stream<Registration> numbered(String peer) {
        return registrationStream("list the numbered registrations of " + peer,
                "peer = ? AND first_sent_no > 0 AND rejected = FALSE", peer);
    }

    @Override
    public void recordSent(String peer, ObjectKey key, long messageNo, Digest digest) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(key, "key");
        requirePositive(messageNo, "message number");
        Objects.requireNonNull(digest, "digest");
        tx.check();
        if (!queuedRegistrations.isEmpty()) {
            flush();
        }
        queuedSent.add(new Object[] {peer, key, messageNo, digest});
        if (queuedSent.size() >= BATCH) {
            flush();
        }
    }

    @Override
    public void unnumber(String peer, long messageNo) {
        Objects.requireNonNull(peer, "peer");
        if (messageNo <= 0) {
            flush();
            return;
        }
        update("un-number the registrations of message " + messageNo + " to " + peer,
                "UPDATE dibex_registration SET first_sent_no = 0 WHERE peer = ? AND first_sent_no = ?", peer, messageNo);
    }

    /**
     * R4, by range over the indexes on (peer, first_sent_no) and (peer, last_sent_no): the cost
     * follows the rows the acknowledgment covers, not all rows.
     */
    @Override
    public long acknowledge(String peer, long k) {
        Objects.requireNonNull(peer, "peer");
        if (k <= 0) {
            flush();
            return 0;
        }
        String what = "apply the acknowledgment of message " + k + " from " + peer;
        long deleted = update(what, "DELETE FROM dibex_registration"
                + " WHERE peer = ? AND first_sent_no BETWEEN 1 AND ? AND rejected = FALSE", peer, k);
        deleted += update(what, "DELETE FROM dibex_registration WHERE peer = ? AND last_sent_no BETWEEN 1 AND ?"
                + " AND rejected = FALSE AND last_sent_digest = digest", peer, k);
        // The peer now holds what the last message carried: the base of the change still pending (R12).
        update(what, "UPDATE dibex_registration SET base = last_sent_digest"
                + " WHERE peer = ? AND last_sent_no BETWEEN 1 AND ? AND base <> last_sent_digest", peer, k);
        return deleted;
    }

    // ---- control items and reconciliation runs (SPEC §5)

    @Override
    public void putControl(String peer, DataObject item) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(item, "item");
        ObjectKey key = item.key();
        byte[] data = ObjectBytes.encode(item);
        String what = "store the control item " + key + " to " + peer;
        if (update(what, "UPDATE dibex_control SET data = ?, sent_no = 0 WHERE peer = ? AND kind = ? AND id = ?",
                data, peer, key.kind(), key.id()) == 0) {
            update(what, "INSERT INTO dibex_control (peer, kind, id, data, sent_no) VALUES (?, ?, ?, ?, 0)",
                    peer, key.kind(), key.id(), data);
        }
    }

    @Override
    public Stream<Control> controls(String peer) {
        Objects.requireNonNull(peer, "peer");
        flush();
        String what = "list the control items to " + peer;
        PreparedStatement p = tx.sql(what, () -> {
            PreparedStatement s = prepareStream(
                    "SELECT kind, id, data, sent_no FROM dibex_control WHERE peer = ? ORDER BY kind, id");
            s.setString(1, peer);
            return s;
        });
        return tx.stream(what, p, r -> new Control(peer, JdbcObjects.decode(r.getBytes(3), "dibex_control",
                new ObjectKey(r.getString(1), r.getString(2))), r.getLong(4)));
    }

    /** One conditional update: of two messages recorded at once, the first to commit wins. */
    @Override
    public void recordControlSent(String peer, ObjectKey key, long no) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(key, "key");
        requirePositive(no, "message number");
        update("record that message " + no + " carried the control item " + key + " to " + peer,
                "UPDATE dibex_control SET sent_no = ? WHERE peer = ? AND kind = ? AND id = ? AND sent_no = 0",
                no, peer, key.kind(), key.id());
    }

    /** By range over the index on (peer, sent_no), as {@link #acknowledge}. */
    @Override
    public long acknowledgeControls(String peer, long k) {
        Objects.requireNonNull(peer, "peer");
        if (k <= 0) {
            flush();
            return 0;
        }
        return update("apply the acknowledgment of message " + k + " from " + peer + " to the control items",
                "DELETE FROM dibex_control WHERE peer = ? AND sent_no BETWEEN 1 AND ?", peer, k);
    }

    @Override
    public void putRun(DataObject run) {
        Objects.requireNonNull(run, "run");
        ObjectKey key = run.key();
        byte[] data = ObjectBytes.encode(run);
        String what = "store the reconciliation run " + key;
        if (update(what, "UPDATE dibex_run SET data = ? WHERE kind = ? AND id = ?", data, key.kind(), key.id()) == 0) {
            update(what, "INSERT INTO dibex_run (kind, id, data) VALUES (?, ?, ?)", key.kind(), key.id(), data);
        }
    }

    @Override
    public boolean deleteRun(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        return update("delete the reconciliation run " + key, "DELETE FROM dibex_run WHERE kind = ? AND id = ?",
                key.kind(), key.id()) > 0;
    }

    @Override
    public Optional<DataObject> run(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        flush();
        return tx.sql("read the reconciliation run " + key, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "SELECT data FROM dibex_run WHERE kind = ? AND id = ?")) {
                setKey(p, 1, key);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(JdbcObjects.decode(r.getBytes(1), "dibex_run", key))
                            : Optional.<DataObject>empty();
                }
            }
        });
    }

    @Override
    public Stream<DataObject> runs() {
        flush();
        PreparedStatement p = tx.sql("list the reconciliation runs", () -> prepareStream(
                "SELECT kind, id, data FROM dibex_run ORDER BY kind, id"));
        return tx.stream("list the reconciliation runs", p, r -> JdbcObjects.decode(r.getBytes(3), "dibex_run",
                new ObjectKey(r.getString(1), r.getString(2))));
    }

    // ---- sequence boundaries (R14)

    @Override
    public Optional<SequenceBoundary> sequenceBoundary(String sequence) {
        Objects.requireNonNull(sequence, "sequence");
        flush();
        return tx.sql("read the boundary of sequence " + sequence, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "SELECT at_time, kind, id, past FROM dibex_sequence_boundary WHERE sequence_name = ?")) {
                p.setString(1, sequence);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new SequenceBoundary(LocalDateTime.parse(r.getString(1)),
                            new ObjectKey(r.getString(2), r.getString(3)), r.getBoolean(4)))
                            : Optional.<SequenceBoundary>empty();
                }
            }
        });
    }

    @Override
    public void putSequenceBoundary(String sequence, SequenceBoundary boundary) {
        Objects.requireNonNull(sequence, "sequence");
        Objects.requireNonNull(boundary, "boundary");
        String what = "move the boundary of sequence " + sequence + " to " + boundary;
        // ISO text keeps every nanosecond and every year, which a TIMESTAMP column may not.
        String at = boundary.at().toString();
        if (update(what, "UPDATE dibex_sequence_boundary SET at_time = ?, kind = ?, id = ?, past = ?"
                + " WHERE sequence_name = ?", at, boundary.document().kind(), boundary.document().id(),
                boundary.past(), sequence) == 0) {
            update(what, "INSERT INTO dibex_sequence_boundary (sequence_name, at_time, kind, id, past)"
                    + " VALUES (?, ?, ?, ?, ?)", sequence, at, boundary.document().kind(), boundary.document().id(),
                    boundary.past());
        }
    }

    // ---- tombstones

    @Override
    public void putTombstone(ObjectKey key, Instant at) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(at, "at");
        String what = "record the tombstone of " + key;
        if (update(what, "UPDATE dibex_tombstone SET deleted_second = ?, deleted_nano = ? WHERE kind = ? AND id = ?",
                at.getEpochSecond(), at.getNano(), key.kind(), key.id()) == 0) {
            update(what, "INSERT INTO dibex_tombstone (kind, id, deleted_second, deleted_nano) VALUES (?, ?, ?, ?)",
                    key.kind(), key.id(), at.getEpochSecond(), at.getNano());
        }
    }

    @Override
    public Optional<Instant> tombstone(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        flush();
        return tx.sql("read the tombstone of " + key, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "SELECT deleted_second, deleted_nano FROM dibex_tombstone WHERE kind = ? AND id = ?")) {
                setKey(p, 1, key);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(Instant.ofEpochSecond(r.getLong(1), r.getInt(2)))
                            : Optional.<Instant>empty();
                }
            }
        });
    }

    @Override
    public Stream<ObjectKey> tombstones() {
        flush();
        PreparedStatement p = tx.sql("list the tombstones", () -> prepareStream(
                "SELECT kind, id FROM dibex_tombstone ORDER BY kind, id"));
        return tx.stream("list the tombstones", p, r -> new ObjectKey(r.getString(1), r.getString(2)));
    }

    @Override
    public boolean removeTombstone(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        return update("remove the tombstone of " + key, "DELETE FROM dibex_tombstone WHERE kind = ? AND id = ?",
                key.kind(), key.id()) > 0;
    }

    @Override
    public long pruneTombstones(Instant before) {
        Objects.requireNonNull(before, "before");
        return update("prune tombstones", "DELETE FROM dibex_tombstone t WHERE (t.deleted_second < ?"
                + " OR (t.deleted_second = ? AND t.deleted_nano < ?)) AND NOT EXISTS (SELECT 1 FROM dibex_registration r"
                + " WHERE r.kind = t.kind AND r.id = t.id)",
                before.getEpochSecond(), before.getEpochSecond(), before.getNano());
    }

    // ---- documents to repost at the central node

    @Override
    public void putRepostMark(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        String what = "mark " + key + " for reposting";
        if (update(what, "UPDATE dibex_repost_mark SET kind = kind WHERE kind = ? AND id = ?", key.kind(),
                key.id()) == 0) {
            update(what, "INSERT INTO dibex_repost_mark (kind, id) VALUES (?, ?)", key.kind(), key.id());
        }
    }

    @Override
    public boolean removeRepostMark(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        return update("unmark " + key + " for reposting", "DELETE FROM dibex_repost_mark WHERE kind = ? AND id = ?",
                key.kind(), key.id()) > 0;
    }

    @Override
    public Stream<ObjectKey> repostMarks() {
        flush();
        PreparedStatement p = tx.sql("list the documents marked for reposting", () -> prepareStream(
                "SELECT kind, id FROM dibex_repost_mark ORDER BY kind, id"));
        return tx.stream("list the documents marked for reposting", p,
                r -> new ObjectKey(r.getString(1), r.getString(2)));
    }

    // ---- retractions

    @Override
    public void putRetraction(String peer, ObjectKey key, Instant at) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(at, "at");
        String what = "record the retraction of " + key + " from " + peer;
        if (update(what, "UPDATE dibex_retraction SET retracted_second = ?, retracted_nano = ?"
                + " WHERE peer = ? AND kind = ? AND id = ?", at.getEpochSecond(), at.getNano(), peer, key.kind(),
                key.id()) == 0) {
            update(what, "INSERT INTO dibex_retraction (peer, kind, id, retracted_second, retracted_nano)"
                    + " VALUES (?, ?, ?, ?, ?)", peer, key.kind(), key.id(), at.getEpochSecond(), at.getNano());
        }
    }

    @Override
    public Stream<ObjectKey> retractions(String peer) {
        Objects.requireNonNull(peer, "peer");
        flush();
        String what = "list the retractions from " + peer;
        PreparedStatement p = tx.sql(what, () -> {
            PreparedStatement s = prepareStream("SELECT kind, id FROM dibex_retraction WHERE peer = ? ORDER BY kind, id");
            s.setString(1, peer);
            return s;
        });
        return tx.stream(what, p, r -> new ObjectKey(r.getString(1), r.getString(2)));
    }

    @Override
    public void putRetractedCopy(String peer, DataObject state, Instant at) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        ObjectKey key = state.key();
        byte[] data = ObjectBytes.encode(state);
        String what = "keep the copy of " + key + " retracted by " + peer;
        if (update(what, "UPDATE dibex_retracted_copy SET retracted_second = ?, retracted_nano = ?, data = ?"
                + " WHERE peer = ? AND kind = ? AND id = ?", at.getEpochSecond(), at.getNano(), data, peer,
                key.kind(), key.id()) == 0) {
            update(what, "INSERT INTO dibex_retracted_copy (peer, kind, id, retracted_second, retracted_nano, data)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", peer, key.kind(), key.id(), at.getEpochSecond(), at.getNano(),
                    data);
        }
    }

    @Override
    public Stream<DataObject> retractedCopies(String peer) {
        Objects.requireNonNull(peer, "peer");
        flush();
        String what = "list the copies retracted by " + peer;
        PreparedStatement p = tx.sql(what, () -> {
            PreparedStatement s = prepareStream(
                    "SELECT kind, id, data FROM dibex_retracted_copy WHERE peer = ? ORDER BY kind, id");
            s.setString(1, peer);
            return s;
        });
        return tx.stream(what, p, r -> JdbcObjects.decode(r.getBytes(3), "dibex_retracted_copy",
                new ObjectKey(r.getString(1), r.getString(2))));
    }

    @Override
    public long pruneRetractions(Instant before) {
        Objects.requireNonNull(before, "before");
        String older = " WHERE retracted_second < ? OR (retracted_second = ? AND retracted_nano < ?)";
        return update("prune retractions", "DELETE FROM dibex_retraction" + older,
                before.getEpochSecond(), before.getEpochSecond(), before.getNano())
                + update("prune retracted copies", "DELETE FROM dibex_retracted_copy" + older,
                        before.getEpochSecond(), before.getEpochSecond(), before.getNano());
    }

    // ---- rejected keys

    @Override
    public void putRejectedKey(String peer, ObjectKey key, long sinceNo) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(key, "key");
        requirePositive(sinceNo, "sinceNo");
        String what = "list " + key + " as rejected for " + peer;
        if (update(what, "UPDATE dibex_rejected_key SET since_no = ? WHERE peer = ? AND kind = ? AND id = ?",
                sinceNo, peer, key.kind(), key.id()) == 0) {
            update(what, "INSERT INTO dibex_rejected_key (peer, kind, id, since_no) VALUES (?, ?, ?, ?)",
                    peer, key.kind(), key.id(), sinceNo);
        }
    }

    @Override
    public List<ObjectKey> rejectedKeys(String peer) {
        Objects.requireNonNull(peer, "peer");
        flush();
        return tx.sql("read the rejected keys of " + peer, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "SELECT kind, id FROM dibex_rejected_key WHERE peer = ? ORDER BY kind, id")) {
                p.setString(1, peer);
                List<ObjectKey> keys = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        keys.add(new ObjectKey(r.getString(1), r.getString(2)));
                    }
                }
                return List.copyOf(keys);
            }
        });
    }

    @Override
    public void pruneRejectedKeys(String peer, long acknowledgedNo) {
        Objects.requireNonNull(peer, "peer");
        update("prune the rejected keys of " + peer, "DELETE FROM dibex_rejected_key WHERE peer = ? AND since_no <= ?",
                peer, acknowledgedNo);
    }

    // ---- journal

    @Override
    public void appendJournal(JournalEntry e) {
        Objects.requireNonNull(e, "entry");
        StringBuilder keys = new StringBuilder();
        for (ObjectKey key : e.keys()) {
            // Kinds are names and ids hold no control characters: tab and newline separate safely.
            keys.append(key.kind()).append('\t').append(key.id()).append('\n');
        }
        update("append to the journal", "INSERT INTO dibex_journal (at_second, at_nano, entry_kind, peer, message_no,"
                + " received_no, objects, bytes, duration_millis, detail, object_keys)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                e.at().getEpochSecond(), e.at().getNano(), e.kind().name(), e.peer(), e.messageNo(), e.receivedNo(),
                e.objects(), e.bytes(), e.durationMillis(), e.detail(), keys.toString());
    }

    @Override
    public Stream<JournalEntry> journal() {
        flush();
        PreparedStatement p = tx.sql("read the journal", () -> prepareStream(
                "SELECT at_second, at_nano, entry_kind, peer, message_no, received_no, objects, bytes,"
                        + " duration_millis, detail, object_keys FROM dibex_journal ORDER BY seq"));
        return tx.stream("read the journal", p, r -> {
            List<ObjectKey> keys = new ArrayList<>();
            for (String line : r.getString(11).split("\n")) {
                if (!line.isEmpty()) {
                    int tab = line.indexOf('\t');
                    keys.add(new ObjectKey(line.substring(0, tab), line.substring(tab + 1)));
                }
            }
            return new JournalEntry(Instant.ofEpochSecond(r.getLong(1), r.getInt(2)),
                    JournalEntry.Kind.valueOf(r.getString(3)), r.getString(4), r.getLong(5), r.getLong(6),
                    r.getLong(7), r.getLong(8), r.getLong(9), r.getString(10), keys);
        });
    }

    @Override
    public long pruneJournal(Instant before) {
        Objects.requireNonNull(before, "before");
        return update("prune the journal",
                "DELETE FROM dibex_journal WHERE at_second < ? OR (at_second = ? AND at_nano < ?)",
                before.getEpochSecond(), before.getEpochSecond(), before.getNano());
    }

    // ---- helpers

    private Stream<Registration> registrationStream(String what, String where, String peer) {
        Objects.requireNonNull(peer, "peer");
        flush();
        PreparedStatement p = tx.sql(what, () -> {
            PreparedStatement s = prepareStream("SELECT " + REGISTRATION_COLUMNS + " FROM dibex_registration WHERE "
                    + where + " ORDER BY kind, id");
            s.setString(1, peer);
            return s;
        });
        return tx.stream(what, p, JdbcExchange::registration);
    }

    private PreparedStatement prepareStream(String sql) throws SQLException {
        PreparedStatement p = tx.connection().prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY);
        // A cursor, not the whole result at once, where the driver can (R3: memory does not grow with rows).
        p.setFetchSize(BATCH);
        return p;
    }

    private static Registration registration(ResultSet r) throws SQLException {
        byte[] lastSent = r.getBytes(7);
        return new Registration(r.getString(1), new ObjectKey(r.getString(2), r.getString(3)), Digest.of(r.getBytes(4)),
                r.getLong(5), r.getLong(6), lastSent == null ? null : Digest.of(lastSent), r.getBoolean(8),
                Digest.of(r.getBytes(9)), r.getLong(10), r.getBoolean(11), r.getLong(12));
    }

    private long count(String what, String sql, String peer) {
        Objects.requireNonNull(peer, "peer");
        flush();
        return tx.sql(what, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(sql)) {
                p.setString(1, peer);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        });
    }

    /** Runs one data-changing statement with these parameters; returns the rows it changed. */
    private long update(String what, String sql, Object... params) {
        flush();
        return tx.sql(what, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    p.setObject(i + 1, params[i]);
                }
                return (long) p.executeUpdate();
            }
        });
    }

    private static void setKey(PreparedStatement p, int at, ObjectKey key) throws SQLException {
        p.setString(at, key.kind());
        p.setString(at + 1, key.id());
    }

    private static void setKey(PreparedStatement p, int at, String peer, ObjectKey key) throws SQLException {
        p.setString(at, peer);
        setKey(p, at + 1, key);
    }

    private static long requirePositive(long no, String what) {
        if (no <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + no);
        }
        return no;
    }
}
