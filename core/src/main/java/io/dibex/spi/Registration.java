package io.dibex.spi;

import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import java.util.Objects;

/**
 * One registration row (R2): a change of {@code key} that must reach {@code peer}.
 *
 * @param peer the recipient
 * @param key the object
 * @param digest the digest of the state registered now (the object's current state, or the
 *     absent digest for a deletion or retraction)
 * @param firstSentNo the number of the first message that carried the row since it was last
 *     registered; 0 while unsent
 * @param lastSentNo the number of the last message that carried the row; 0 if none
 * @param lastSentDigest the digest of the state that message carried; null if none
 * @param rejected whether the peer rejected the object and it is held back (R6 quarantine)
 * @param base the digest of the state this node held when the row was created: the state the
 *     peer may still hold and send again, which is then no conflict (R12); {@link Digest#ABSENT}
 *     when the object did not exist
 * @param seenNo the number of the last message this node had loaded from the peer when the row
 *     was last registered: an incoming item the peer first sent in a message up to this number is
 *     a resend of something this node had already seen before its change, which is then no
 *     conflict (R12); 0 if none
 * @param repair whether the row was registered by a reconciliation as a repair (SPEC §5): the
 *     message carrying it flags it so, and the receiver applies it without the resolver; a later
 *     ordinary registration of the key clears it
 * @param session the engine session that last registered the row: a number that grows each time
 *     the node is built and when it finds it was restored from a backup; 0 if unknown. A restored
 *     node tells by it the rows registered since it knew (its {@link PeerState#restoredSession()}
 *     or later) from those that may come from the backup: only these yield on a restored link (R4)
 */
public record Registration(
        String peer,
        ObjectKey key,
        Digest digest,
        long firstSentNo,
        long lastSentNo,
        Digest lastSentDigest,
        boolean rejected,
        Digest base,
        long seenNo,
        boolean repair,
        long session) {

    /**
     * The session of a row that offers a restored peer back a copy of what it had retracted from
     * this node ({@link ExchangeStore#retractedCopies}): a state older than anything the peer holds,
     * it goes out flagged as one that may come from a backup, and yields to the peer's own (R4).
     * Engine sessions are far greater.
     */
    public static final long COPY_SESSION = 1;

    /** Validates the row. */
    public Registration {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(base, "base");
        if (firstSentNo < 0 || lastSentNo < 0 || seenNo < 0 || (lastSentNo == 0) != (lastSentDigest == null)) {
            throw new IllegalArgumentException("inconsistent registration of " + key + " for " + peer);
        }
    }

    /** A row that is no repair, registered in no known session (0). */
    public Registration(String peer, ObjectKey key, Digest digest, long firstSentNo, long lastSentNo,
            Digest lastSentDigest, boolean rejected, Digest base, long seenNo) {
        this(peer, key, digest, firstSentNo, lastSentNo, lastSentDigest, rejected, base, seenNo, false, 0);
    }

    /** A row that is a repair or not, registered in no known session (0). */
    public Registration(String peer, ObjectKey key, Digest digest, long firstSentNo, long lastSentNo,
            Digest lastSentDigest, boolean rejected, Digest base, long seenNo, boolean repair) {
        this(peer, key, digest, firstSentNo, lastSentNo, lastSentDigest, rejected, base, seenNo, repair, 0);
    }

    /** A row that is no repair, registered in {@code session}. */
    public Registration(String peer, ObjectKey key, Digest digest, long firstSentNo, long lastSentNo,
            Digest lastSentDigest, boolean rejected, Digest base, long seenNo, long session) {
        this(peer, key, digest, firstSentNo, lastSentNo, lastSentDigest, rejected, base, seenNo, false, session);
    }

    /** A row whose base is {@link Digest#ABSENT} and whose {@code seenNo} and session are 0, no repair. */
    public Registration(String peer, ObjectKey key, Digest digest, long firstSentNo, long lastSentNo,
            Digest lastSentDigest, boolean rejected) {
        this(peer, key, digest, firstSentNo, lastSentNo, lastSentDigest, rejected, Digest.ABSENT, 0, false, 0);
    }

    /** A copy with {@code firstSentNo} set. */
    public Registration withFirstSentNo(long no) {
        return new Registration(peer, key, digest, no, lastSentNo, lastSentDigest, rejected, base, seenNo, repair,
                session);
    }

    /** A copy with the last sent number and digest set. */
    public Registration withLastSent(long no, Digest sentDigest) {
        return new Registration(peer, key, digest, firstSentNo, no, sentDigest, rejected, base, seenNo, repair,
                session);
    }

    /** A copy with the base set. */
    public Registration withBase(Digest newBase) {
        return new Registration(peer, key, digest, firstSentNo, lastSentNo, lastSentDigest, rejected, newBase, seenNo,
                repair, session);
    }

    /** A copy with the rejected flag set. */
    public Registration withRejected(boolean flag) {
        return new Registration(peer, key, digest, firstSentNo, lastSentNo, lastSentDigest, flag, base, seenNo,
                repair, session);
    }

    /** Whether a message has carried the row since it was last registered. */
    public boolean numbered() {
        return firstSentNo > 0;
    }
}
