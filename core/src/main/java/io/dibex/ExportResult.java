package io.dibex;

/**
 * What one export to a peer sent (R3, R15).
 *
 * @param peer the recipient
 * @param messageNo the number of the message handed to the transport
 * @param receivedNo the {@code receivedNo} it carried
 * @param upserts object states it carried
 * @param deletions deletions it carried
 * @param retractions retractions it carried
 * @param newlyNumbered registrations it carried for the first time
 * @param bytes its size
 * @param restored whether it carried the {@code restored} flag
 */
public record ExportResult(
        String peer,
        long messageNo,
        long receivedNo,
        long upserts,
        long deletions,
        long retractions,
        long newlyNumbered,
        long bytes,
        boolean restored) {

    /** Every body item it carried. */
    public long items() {
        return upserts + deletions + retractions;
    }
}
