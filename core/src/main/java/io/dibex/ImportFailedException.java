package io.dibex;

import io.dibex.model.ObjectKey;
import java.util.Optional;

/**
 * A message's body could not be applied: nothing of it was committed (R6), the message stays
 * with the transport, and a later delivery can succeed once the cause is fixed. Its header's
 * acknowledgment has taken effect.
 */
public class ImportFailedException extends DibexException {

    private static final long serialVersionUID = 1L;

    private final String messageName;
    private final transient ObjectKey key;

    /**
     * @param messageName the message that failed
     * @param key the object being applied when it failed, or null
     * @param cause why
     */
    public ImportFailedException(String messageName, ObjectKey key, Throwable cause) {
        super("import of " + messageName + " failed" + (key == null ? "" : " at object " + key)
                + ": " + cause.getMessage() + "; nothing of its body was applied, the message stays"
                + " with the transport and can be imported again once the cause is fixed", cause);
        this.messageName = messageName;
        this.key = key;
    }

    /** The failing message's name. */
    public String messageName() {
        return messageName;
    }

    /** The object being applied when the body failed, if it was at an object. */
    public Optional<ObjectKey> key() {
        return Optional.ofNullable(key);
    }
}
