package io.dibex.jdbc;

import io.dibex.DibexException;
import io.dibex.ObjectRejectedException;
import io.dibex.StorageException;
import io.dibex.codec.ObjectBytes;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ObjectStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * dibex's own object table {@code dibex_object}: each object's exact state as {@link ObjectBytes},
 * by (kind, id). The default {@link ObjectStore} of a {@link JdbcStorage}.
 */
final class JdbcObjects implements ObjectStore {

    /** Keys per query of {@link #getAll}. */
    private static final int CHUNK = 128;

    private final JdbcTransaction tx;

    JdbcObjects(JdbcTransaction tx) {
        this.tx = tx;
    }

    @Override
    public Optional<DataObject> get(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        return tx.sql("read " + key, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "SELECT data FROM dibex_object WHERE kind = ? AND id = ?")) {
                p.setString(1, key.kind());
                p.setString(2, key.id());
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(decode(r.getBytes(1), key)) : Optional.<DataObject>empty();
                }
            }
        });
    }

    /** One query per {@value #CHUNK} keys. */
    @Override
    public Map<ObjectKey, DataObject> getAll(Collection<ObjectKey> keys) {
        Map<ObjectKey, DataObject> found = new LinkedHashMap<>();
        List<ObjectKey> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<ObjectKey> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            StringBuilder sql = new StringBuilder("SELECT kind, id, data FROM dibex_object WHERE (kind, id) IN (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
            }
            sql.append(')');
            tx.sql("read " + chunk.size() + " objects", () -> {
                try (PreparedStatement p = tx.connection().prepareStatement(sql.toString())) {
                    int at = 1;
                    for (ObjectKey key : chunk) {
                        p.setString(at++, key.kind());
                        p.setString(at++, key.id());
                    }
                    try (ResultSet r = p.executeQuery()) {
                        while (r.next()) {
                            ObjectKey key = new ObjectKey(r.getString(1), r.getString(2));
                            found.put(key, decode(r.getBytes(3), key));
                        }
                    }
                }
                return null;
            });
        }
        // In the order asked, as the default implementation gives them.
        Map<ObjectKey, DataObject> ordered = new LinkedHashMap<>();
        for (ObjectKey key : all) {
            DataObject o = found.get(key);
            if (o != null) {
                ordered.put(key, o);
            }
        }
        return ordered;
    }

    @Override
    public void put(DataObject object) {
        Objects.requireNonNull(object, "object");
        tx.check();
        ObjectKey key = object.key();
        byte[] data;
        try {
            data = ObjectBytes.encode(object);
        } catch (DibexException e) {
            throw new ObjectRejectedException(key, "it cannot be stored: " + e.getMessage());
        }
        tx.sql("write " + key, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "UPDATE dibex_object SET data = ? WHERE kind = ? AND id = ?")) {
                p.setBytes(1, data);
                p.setString(2, key.kind());
                p.setString(3, key.id());
                if (p.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "INSERT INTO dibex_object (kind, id, data) VALUES (?, ?, ?)")) {
                p.setString(1, key.kind());
                p.setString(2, key.id());
                p.setBytes(3, data);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean delete(ObjectKey key) {
        Objects.requireNonNull(key, "key");
        return tx.sql("delete " + key, () -> {
            try (PreparedStatement p = tx.connection().prepareStatement(
                    "DELETE FROM dibex_object WHERE kind = ? AND id = ?")) {
                p.setString(1, key.kind());
                p.setString(2, key.id());
                return p.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Stream<DataObject> list(String kind) {
        Objects.requireNonNull(kind, "kind");
        PreparedStatement p = tx.sql("list the objects of kind " + kind, () -> {
            PreparedStatement s = tx.connection().prepareStatement(
                    "SELECT id, data FROM dibex_object WHERE kind = ? ORDER BY id");
            s.setFetchSize(256);
            s.setString(1, kind);
            return s;
        });
        return tx.stream("list the objects of kind " + kind, p,
                r -> decode(r.getBytes(2), new ObjectKey(kind, r.getString(1))));
    }

    private static DataObject decode(byte[] data, ObjectKey key) {
        return decode(data, "dibex_object", key);
    }

    /**
     * The object stored as {@link ObjectBytes} in the row {@code key} of {@code table}.
     *
     * @throws StorageException when the bytes are corrupt or hold another key's state
     */
    static DataObject decode(byte[] data, String table, ObjectKey key) {
        String row = table + " row " + key;
        try {
            DataObject o = ObjectBytes.decode(data, row);
            if (!o.key().equals(key)) {
                throw new StorageException(row + " holds the state of " + o.key()
                        + ": the table was changed outside dibex");
            }
            return o;
        } catch (io.dibex.MalformedMessageException e) {
            throw new StorageException(row + " is corrupt: " + e.getMessage(), e);
        }
    }
}
