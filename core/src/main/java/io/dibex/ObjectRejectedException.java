package io.dibex;

import io.dibex.model.ObjectKey;
import java.util.Objects;

/**
 * Thrown by a host's {@link io.dibex.spi.ObjectStore} when it cannot accept an incoming object
 * (a constraint or a validation rule of its own). The engine rolls the import back and names
 * the object (R6).
 */
public class ObjectRejectedException extends DibexException {

    private static final long serialVersionUID = 1L;

    private final ObjectKey key;

    /** The host refuses {@code key} for {@code reason}. */
    public ObjectRejectedException(ObjectKey key, String reason) {
        super("object " + key + " rejected: " + reason);
        this.key = Objects.requireNonNull(key, "key");
    }

    /** The object refused. */
    public ObjectKey key() {
        return key;
    }
}
