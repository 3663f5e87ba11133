package io.dibex.tck;

import io.dibex.codec.MessageCodec;
import io.dibex.memory.InMemoryStorage;
import io.dibex.memory.InMemoryTransport;
import io.dibex.spi.Storage;
import io.dibex.spi.Transport;

/**
 * What a {@link Network} is built from: a store per node, one transport, one codec. The scenario
 * suite ({@link ExchangeScenarios}) runs unchanged over every configuration, so a new store,
 * codec or transport proves itself by running it.
 */
public interface NetworkConfig {

    /** A name for test reports, e.g. {@code "memory/binary"}. */
    String name();

    /** A new, empty store for {@code node}. */
    Storage newStorage(String node);

    /**
     * An independent copy of a store's committed state, as a backup would hold it; used to restore
     * a node from a backup. Called while no transaction of the store is open.
     */
    Storage copy(Storage storage);

    /** The transport that every node of the network shares. */
    Transport newTransport();

    /** The codec every node uses. */
    MessageCodec codec();

    /**
     * Checks that no transaction or stream of {@code storage} was left open; called after each
     * scenario. The default checks nothing.
     *
     * @throws AssertionError naming what was left open
     */
    default void checkClosed(Storage storage) {
    }

    /** In-memory stores and transport with the given codec. */
    static NetworkConfig inMemory(MessageCodec codec) {
        return new NetworkConfig() {
            @Override
            public String name() {
                return "memory/" + codec.name();
            }

            @Override
            public Storage newStorage(String node) {
                return new InMemoryStorage();
            }

            @Override
            public Storage copy(Storage storage) {
                return ((InMemoryStorage) storage).copy();
            }

            @Override
            public void checkClosed(Storage storage) {
                InMemoryStorage s = (InMemoryStorage) storage;
                if (s.openTransactions() != 0 || s.openStreams() != 0) {
                    throw new AssertionError("left open: " + s.openTransactions() + " transactions, "
                            + s.openStreams() + " streams");
                }
            }

            @Override
            public Transport newTransport() {
                return new InMemoryTransport();
            }

            @Override
            public MessageCodec codec() {
                return codec;
            }

            @Override
            public String toString() {
                return name();
            }
        };
    }
}
