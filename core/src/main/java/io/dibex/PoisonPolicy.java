package io.dibex;

/**
 * What happens when the host refuses an incoming object ({@link ObjectRejectedException}) (R6).
 */
public enum PoisonPolicy {
    /**
     * The message's body fails whole and keeps failing: that direction's data waits for an
     * operator, while acknowledgments keep flowing both ways.
     */
    KEEP_FAILING,
    /**
     * The object is set aside and the rest applied; its key is listed as rejected in this node's
     * headers to the sender until acknowledged, and the sender stops resending it until it changes
     * or an operator releases it. A newer state of it is tried again.
     */
    QUARANTINE
}
