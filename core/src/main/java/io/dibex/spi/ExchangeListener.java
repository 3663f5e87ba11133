package io.dibex.spi;

/**
 * Observes a node: receives every journal entry as it is written (R15). Called on the thread
 * that did the work, after the entry's transaction committed; it must return quickly and must
 * not call back into the node. An exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface ExchangeListener {

    /** A listener that does nothing. */
    ExchangeListener NONE = entry -> { };

    /** Called for each journal entry. */
    void onEntry(JournalEntry entry);
}
