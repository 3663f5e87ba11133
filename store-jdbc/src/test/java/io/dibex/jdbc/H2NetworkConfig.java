package io.dibex.jdbc;

import io.dibex.codec.MessageCodec;
import io.dibex.memory.InMemoryTransport;
import io.dibex.spi.Storage;
import io.dibex.spi.Transport;
import io.dibex.tck.NetworkConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Networks whose nodes keep their state in in-memory H2 databases, one per node. A backup is H2's
 * {@code SCRIPT TO} of the committed state, restored with {@code RUNSCRIPT} into a new database.
 */
final class H2NetworkConfig implements NetworkConfig {

    private final MessageCodec codec;
    private final Map<Storage, Entry> stores = new IdentityHashMap<>();

    private record Entry(JdbcConnectionPool db, String node) {
    }

    H2NetworkConfig(MessageCodec codec) {
        this.codec = codec;
    }

    @Override
    public String name() {
        return "h2/" + codec.name();
    }

    @Override
    public synchronized Storage newStorage(String node) {
        JdbcConnectionPool db = H2.memory();
        JdbcStorage storage = H2.storage(db, node);
        stores.put(storage, new Entry(db, node));
        return storage;
    }

    @Override
    public synchronized Storage copy(Storage storage) {
        Entry from = stores.get(storage);
        JdbcConnectionPool db = H2.memory();
        try {
            Path script = Files.createTempFile("dibex-backup", ".sql");
            try {
                try (Connection c = from.db().getConnection();
                        PreparedStatement s = c.prepareStatement("SCRIPT TO ?")) {
                    s.setString(1, script.toString());
                    s.execute();
                }
                try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("RUNSCRIPT FROM ?")) {
                    s.setString(1, script.toString());
                    s.execute();
                }
            } finally {
                Files.deleteIfExists(script);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot copy the H2 store of " + from.node(), e);
        }
        JdbcStorage copy = H2.storage(db, from.node());
        stores.put(copy, new Entry(db, from.node()));
        return copy;
    }

    @Override
    public void checkClosed(Storage storage) {
        H2.checkClosed(storage);
    }

    @Override
    public Transport newTransport() {
        return new InMemoryTransport();
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    /** Frees every database this configuration made. */
    synchronized void shutdown() {
        stores.values().forEach(e -> H2.shutdown(e.db()));
        stores.clear();
    }

    @Override
    public String toString() {
        return name();
    }
}
