package io.dibex;

/**
 * What one import from a peer did (R4, R5, R6, R15).
 *
 * @param peer the sender
 * @param messageName the transport's name of the message
 * @param status what became of it
 * @param messageNo its number
 * @param receivedNo its {@code receivedNo}
 * @param acknowledged registrations that its acknowledgment deleted
 * @param applied body items applied
 * @param conflicts conflicts resolved (R12)
 * @param bytes its size
 */
public record ImportResult(
        String peer,
        String messageName,
        Status status,
        long messageNo,
        long receivedNo,
        long acknowledged,
        long applied,
        long conflicts,
        long bytes) {

    /** What became of an incoming message. */
    public enum Status {
        /** Header and body were applied. */
        APPLIED,
        /** Its number was not above the last loaded from that peer: nothing changed (R5). */
        ALREADY_RECEIVED,
        /**
         * The sender was restored from a backup and does not know it yet: its message was refused,
         * and this node's next header tells it (R4). Its content comes again once it knows.
         */
        REFUSED_SENDER_RESTORED
    }
}
