package io.dibex.codec;

import io.dibex.model.ObjectKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A message's header (R1, R4, R6, R8).
 *
 * @param plan the exchange plan's name
 * @param from the sender
 * @param to the recipient
 * @param messageNo this message's number, positive, increasing per (from, to)
 * @param messageId this message's random id
 * @param receivedNo the number of the last message {@code from} loaded from {@code to}; 0 if none
 * @param receivedId the id of that message; null exactly when {@code receivedNo} is 0
 * @param restored whether the sender found it was restored from a backup and the recipient has
 *     not yet acknowledged a message carrying this flag
 * @param rejectedKeys keys the sender set aside from the recipient's messages (R6 quarantine)
 * @param previousId the id of the sender's message {@code messageNo - 1} to the same recipient,
 *     or null (message 1, or a wire format without ids): a recipient that loaded a message of that
 *     number with another id learns that the sender was restored from a backup (R4)
 * @param restoredSinceNo when {@code restored}: the number of the first message that carried the
 *     flag since the sender found this restore, which tells one restore from the next; 0 when not
 *     restored or not said
 * @param earlierIds the ids of the sender's messages before {@code messageNo - 1} to the same
 *     recipient that it has not seen acknowledged, oldest first and consecutive, the last one that
 *     of message {@code messageNo - 2} (at most {@link #MAX_EARLIER_IDS}; only with a
 *     {@code previousId}); empty when there are none or they are not said. A recipient whose last
 *     loaded message is one of them and has another id learns that the sender was restored (R4)
 */
public record MessageHeader(
        String plan,
        String from,
        String to,
        long messageNo,
        UUID messageId,
        long receivedNo,
        UUID receivedId,
        boolean restored,
        List<ObjectKey> rejectedKeys,
        UUID previousId,
        long restoredSinceNo,
        List<UUID> earlierIds) {

    /** The most ids of earlier messages a header carries. */
    public static final int MAX_EARLIER_IDS = 16;

    /** Validates the numbers and copies the keys. */
    public MessageHeader {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(messageId, "messageId");
        if (messageNo < 1) {
            throw new IllegalArgumentException("messageNo must be positive, got " + messageNo);
        }
        if (receivedNo < 0) {
            throw new IllegalArgumentException("receivedNo must not be negative, got " + receivedNo);
        }
        if ((receivedNo == 0) != (receivedId == null)) {
            throw new IllegalArgumentException("receivedId must be present exactly when receivedNo > 0");
        }
        rejectedKeys = List.copyOf(rejectedKeys);
        if (messageNo == 1 && previousId != null) {
            throw new IllegalArgumentException("message 1 has no previous message, yet a previousId is given");
        }
        if (restoredSinceNo < 0 || restoredSinceNo > messageNo || (restoredSinceNo > 0 && !restored)) {
            throw new IllegalArgumentException("restoredSinceNo must be 0, or at most messageNo " + messageNo
                    + " on a restored message, got " + restoredSinceNo);
        }
        earlierIds = List.copyOf(earlierIds);
        if (!earlierIds.isEmpty() && (previousId == null || earlierIds.size() > MAX_EARLIER_IDS
                || earlierIds.size() > messageNo - 2)) {
            throw new IllegalArgumentException("earlierIds need a previousId and name at most " + MAX_EARLIER_IDS
                    + " messages from 1 to messageNo - 2 (" + (messageNo - 2) + "), got " + earlierIds.size());
        }
    }

    /** A header that names no earlier messages than the previous one. */
    public MessageHeader(String plan, String from, String to, long messageNo, UUID messageId, long receivedNo,
            UUID receivedId, boolean restored, List<ObjectKey> rejectedKeys, UUID previousId, long restoredSinceNo) {
        this(plan, from, to, messageNo, messageId, receivedNo, receivedId, restored, rejectedKeys, previousId,
                restoredSinceNo, List.of());
    }

    /** The number of the message {@code earlierIds.get(0)} names; 0 when there are none. */
    public long firstEarlierNo() {
        return earlierIds.isEmpty() ? 0 : messageNo - 1 - earlierIds.size();
    }

    /** A header that does not say since when its restored flag goes out. */
    public MessageHeader(String plan, String from, String to, long messageNo, UUID messageId, long receivedNo,
            UUID receivedId, boolean restored, List<ObjectKey> rejectedKeys, UUID previousId) {
        this(plan, from, to, messageNo, messageId, receivedNo, receivedId, restored, rejectedKeys, previousId, 0);
    }

    /** A header that names no previous message. */
    public MessageHeader(String plan, String from, String to, long messageNo, UUID messageId, long receivedNo,
            UUID receivedId, boolean restored, List<ObjectKey> rejectedKeys) {
        this(plan, from, to, messageNo, messageId, receivedNo, receivedId, restored, rejectedKeys, null, 0);
    }

    /**
     * The id of a message whose format carries none (a codec without
     * {@link MessageCodec.Capability#MESSAGE_IDS}, or a message from 1C): the name-based (type 3)
     * UUID of the UTF-8 bytes of {@code "dibex-message\0" + plan + "\0" + from + "\0" + to + "\0"
     * + messageNo}. Both ends of a link compute the same id for the same message, so an engine
     * gives its own messages these ids when its codec cannot carry random ones, and
     * acknowledgments still match (R4).
     *
     * @param plan the plan's name
     * @param from the sender
     * @param to the recipient
     * @param messageNo the message's number
     * @return the implied id
     */
    public static UUID impliedId(String plan, String from, String to, long messageNo) {
        String name = "dibex-message\u0000" + plan + '\u0000' + from + '\u0000' + to + '\u0000' + messageNo;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }
}
