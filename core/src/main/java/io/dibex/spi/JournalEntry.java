package io.dibex.spi;

import io.dibex.model.ObjectKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the exchange journal (R15, the seeds' "protocols").
 *
 * @param at when it happened
 * @param kind what happened
 * @param peer the neighbour concerned; empty when none
 * @param messageNo the message's number; 0 when none
 * @param receivedNo the message's {@code receivedNo}; 0 when none
 * @param objects how many objects the message carried or the step touched
 * @param bytes the message's size in bytes; 0 when unknown
 * @param durationMillis how long the step took
 * @param detail a readable description, errors included
 * @param keys the objects concerned (a failing object, conflicting objects); may be empty
 */
public record JournalEntry(
        Instant at,
        Kind kind,
        String peer,
        long messageNo,
        long receivedNo,
        long objects,
        long bytes,
        long durationMillis,
        String detail,
        List<ObjectKey> keys) {

    /** What a journal entry records. */
    public enum Kind {
        /** A message was exported and handed to the transport. */
        EXPORT,
        /** An export failed; nothing was handed over. */
        EXPORT_FAILED,
        /** A message was imported. */
        IMPORT,
        /** A message was skipped as already received (R5). */
        DUPLICATE,
        /** A message's header was rejected (R8) or the message was malformed (R16). */
        REJECTED,
        /** A message's body failed and was rolled back (R6). */
        IMPORT_FAILED,
        /** This node found that it was restored from a backup, or that a peer was (R4). */
        RESTORE,
        /** A conflict was resolved (R12). */
        CONFLICT,
        /** An object the host refused was set aside (R6 quarantine). */
        QUARANTINE,
        /** A sequence restore reposted documents, finished, or stopped (R14). */
        SEQUENCE,
        /** A step of a document reconciliation was taken, or a repair loaded (SPEC §5). */
        RECONCILIATION,
        /** Something worth an operator's attention that did not fail the step. */
        WARNING
    }

    /** Validates and copies. */
    public JournalEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        peer = peer == null ? "" : peer;
        detail = detail == null ? "" : detail;
        keys = List.copyOf(keys);
    }

    @Override
    public String toString() {
        return at + " " + kind + (peer.isEmpty() ? "" : " peer=" + peer)
                + (messageNo == 0 ? "" : " no=" + messageNo)
                + (receivedNo == 0 ? "" : " received=" + receivedNo)
                + " objects=" + objects + " bytes=" + bytes + " " + durationMillis + "ms"
                + (detail.isEmpty() ? "" : " " + detail) + (keys.isEmpty() ? "" : " keys=" + keys);
    }
}
