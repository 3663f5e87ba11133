package io.dibex.spi;

import java.util.Objects;
import java.util.UUID;

/**
 * A node's counters for one neighbour (R1, R4, R5, R7), as kept in the {@link ExchangeStore}.
 *
 * @param peer the neighbour's name
 * @param lastAllocatedNo the last message number allocated for a message to the peer (R1); 0 if none
 * @param acknowledgedNo the highest number the peer has acknowledged with a matching id (R4)
 * @param lastLoadedNo the number of the last message loaded from the peer (R5); 0 if none
 * @param lastLoadedId the id of that message; null when {@code lastLoadedNo} is 0
 * @param ackOwed whether something loaded from the peer waits to be acknowledged (R7)
 * @param restoredSinceNo when this node found it was restored: the first message number to the
 *     peer that carries the {@code restored} flag; 0 when no flag is pending (R4)
 * @param peerRestoredSinceNo when the peer was found restored: the first message number to the
 *     peer sent after this node re-registered everything for it; until the peer acknowledges
 *     that number, a flagged message acknowledging less than before is another restore (R4); 0
 *     when not in force
 * @param lastSentAtMillis when a message to the peer was last handed to the transport, in epoch
 *     milliseconds; 0 if never
 * @param peerRegressed whether the peer's messages show that it was restored from a backup before
 *     it knows it (a number already loaded, again with another id): its messages are refused until
 *     one carries the {@code restored} flag (R4)
 * @param lastHeaderNo the highest number of a message from the peer whose header took effect (R6):
 *     an older message arriving later is stale even if its body never loaded
 * @param restoredSession when this node last found on this link that it was restored: the
 *     session it then began (see {@link Registration#session()}), or the one it had begun when it
 *     found the same restore on another link. A row for the peer registered in that session or a
 *     later one is a change made after the node knew; an older row may come from the backup, and
 *     only such a row yields on the restored link (R4). 0 if never
 */
public record PeerState(
        String peer,
        long lastAllocatedNo,
        long acknowledgedNo,
        long lastLoadedNo,
        UUID lastLoadedId,
        boolean ackOwed,
        long restoredSinceNo,
        long peerRestoredSinceNo,
        long lastSentAtMillis,
        boolean peerRegressed,
        long lastHeaderNo,
        long restoredSession) {

    /** Validates the counters. */
    public PeerState {
        Objects.requireNonNull(peer, "peer");
        if (lastAllocatedNo < 0 || acknowledgedNo < 0 || lastLoadedNo < 0 || restoredSinceNo < 0
                || peerRestoredSinceNo < 0 || lastSentAtMillis < 0 || lastHeaderNo < 0 || restoredSession < 0) {
            throw new IllegalArgumentException("negative counter in peer state of " + peer);
        }
        if ((lastLoadedNo == 0) != (lastLoadedId == null)) {
            throw new IllegalArgumentException("lastLoadedId must be present exactly when lastLoadedNo > 0, peer "
                    + peer);
        }
    }

    /** Counters with no {@code restoredSession} (0). */
    public PeerState(String peer, long lastAllocatedNo, long acknowledgedNo, long lastLoadedNo, UUID lastLoadedId,
            boolean ackOwed, long restoredSinceNo, long peerRestoredSinceNo, long lastSentAtMillis,
            boolean peerRegressed, long lastHeaderNo) {
        this(peer, lastAllocatedNo, acknowledgedNo, lastLoadedNo, lastLoadedId, ackOwed, restoredSinceNo,
                peerRestoredSinceNo, lastSentAtMillis, peerRegressed, lastHeaderNo, 0);
    }

    /** The state of a peer nothing was exchanged with yet. */
    public static PeerState initial(String peer) {
        return new PeerState(peer, 0, 0, 0, null, false, 0, 0, 0, false, 0, 0);
    }

    /** A copy with {@code lastAllocatedNo} set. */
    public PeerState withLastAllocatedNo(long no) {
        return new PeerState(peer, no, acknowledgedNo, lastLoadedNo, lastLoadedId, ackOwed, restoredSinceNo,
                peerRestoredSinceNo, lastSentAtMillis, peerRegressed, lastHeaderNo, restoredSession);
    }

    /** A copy with {@code acknowledgedNo} set. */
    public PeerState withAcknowledgedNo(long no) {
        return new PeerState(peer, lastAllocatedNo, no, lastLoadedNo, lastLoadedId, ackOwed, restoredSinceNo,
                peerRestoredSinceNo, lastSentAtMillis, peerRegressed, lastHeaderNo, restoredSession);
    }

    /** A copy with the last loaded message set. */
    public PeerState withLastLoaded(long no, UUID id) {
        return new PeerState(peer, lastAllocatedNo, acknowledgedNo, no, id, ackOwed, restoredSinceNo,
                peerRestoredSinceNo, lastSentAtMillis, peerRegressed, lastHeaderNo, restoredSession);
    }

    /** A copy with {@code ackOwed} set. */
    public PeerState withAckOwed(boolean owed) {
        return new PeerState(peer, lastAllocatedNo, acknowledgedNo, lastLoadedNo, lastLoadedId, owed,
                restoredSinceNo, peerRestoredSinceNo, lastSentAtMillis, peerRegressed, lastHeaderNo, restoredSession);
    }

    /** A copy with {@code restoredSinceNo} set. */
    public PeerState withRestoredSinceNo(long no) {
        return new PeerState(peer, lastAllocatedNo, acknowledgedNo, lastLoadedNo, lastLoadedId, ackOwed, no,
                peerRestoredSinceNo, lastSentAtMillis, peerRegressed, lastHeaderNo, restoredSession);
    }

    /** A copy with {@code peerRestoredSinceNo} set. */
    public PeerState withPeerRestoredSinceNo(long no) {
        return new PeerState(peer, lastAllocatedNo, acknowledgedNo, lastLoadedNo, lastLoadedId, ackOwed,
                restoredSinceNo, no, lastSentAtMillis, peerRegressed, lastHeaderNo, restoredSession);
    }

    /** A copy with {@code peerRegressed} set. */
    public PeerState withPeerRegressed(boolean regressed) {
        return new PeerState(peer, lastAllocatedNo, acknowledgedNo, lastLoadedNo, lastLoadedId, ackOwed,
                restoredSinceNo, peerRestoredSinceNo, lastSentAtMillis, regressed, lastHeaderNo, restoredSession);
    }

    /** A copy with {@code lastHeaderNo} set. */
    public PeerState withLastHeaderNo(long no) {
        return new PeerState(peer, lastAllocatedNo, acknowledgedNo, lastLoadedNo, lastLoadedId, ackOwed,
                restoredSinceNo, peerRestoredSinceNo, lastSentAtMillis, peerRegressed, no, restoredSession);
    }

    /** A copy with {@code lastSentAtMillis} set. */
    public PeerState withLastSentAtMillis(long millis) {
        return new PeerState(peer, lastAllocatedNo, acknowledgedNo, lastLoadedNo, lastLoadedId, ackOwed,
                restoredSinceNo, peerRestoredSinceNo, millis, peerRegressed, lastHeaderNo, restoredSession);
    }

    /** A copy with {@code restoredSession} set. */
    public PeerState withRestoredSession(long session) {
        return new PeerState(peer, lastAllocatedNo, acknowledgedNo, lastLoadedNo, lastLoadedId, ackOwed,
                restoredSinceNo, peerRestoredSinceNo, lastSentAtMillis, peerRegressed, lastHeaderNo, session);
    }
}
