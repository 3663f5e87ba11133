package io.dibex.spi;

import io.dibex.model.DataObject;
import java.util.Objects;

/**
 * A control item waiting in the exchange store to go to a peer (SPEC §5): dibex's own message
 * item, such as a step of a reconciliation, sent in every message to the peer until a message
 * that carried it is acknowledged.
 *
 * @param peer the recipient
 * @param item the item as it travels; its key's kind is dibex's reserved control kind
 * @param sentNo the number of the first message that carried it; 0 while none did
 */
public record Control(String peer, DataObject item, long sentNo) {

    /** Rejects null and a negative number. */
    public Control {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(item, "item");
        if (sentNo < 0) {
            throw new IllegalArgumentException("sentNo must not be negative, got " + sentNo);
        }
    }
}
