package io.dibex.examples;

import io.dibex.ObjectRejectedException;
import io.dibex.StorageException;
import io.dibex.jdbc.JdbcStorage;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.spi.ObjectStore;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A host that keeps its items in a table of its own, {@code shop_item}, beside dibex's tables in
 * the same database. Its {@link ObjectStore} maps kind {@value #ITEM} onto that table and leaves
 * every other kind to dibex's object table, so a host write through {@code node.inTransaction}
 * and the registration it causes commit in one database transaction (SPEC §2).
 *
 * <pre>{@code
 * JdbcStorage storage = HostTableExample.storage(dataSource, "Shop", "Branch1");
 * Node node = Node.builder(plan, "Branch1").storage(storage).transport(transport).build();
 * node.inTransaction(tx -> { tx.put(HostTableExample.item("42", "Tea", "3.50")); return null; });
 * }</pre>
 */
public final class HostTableExample {

    /** The kind kept in the host's table. */
    public static final String ITEM = "Item";

    /** The host's own table; a real host has it already. */
    public static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS shop_item ("
            + " id VARCHAR(256) NOT NULL PRIMARY KEY, code VARCHAR(32) NOT NULL,"
            + " description VARCHAR(200) NOT NULL, price DECIMAL(19, 2) NOT NULL)";

    private static final Set<String> FIELDS = Set.of("Code", "Description", "Price");

    private HostTableExample() {
    }

    /**
     * The store of one node: dibex's tables plus the host's {@code shop_item}, created if missing.
     *
     * @throws StorageException when the database fails
     */
    public static JdbcStorage storage(DataSource dataSource, String plan, String node) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(CREATE_TABLE);
        } catch (SQLException e) {
            throw new StorageException("cannot create table shop_item: " + e.getMessage(), e);
        }
        return JdbcStorage.builder(dataSource, plan, node).objects(ItemTable::new).build();
    }

    /** An item as the host writes it: price in cents, with scale 2. */
    public static DataObject item(String id, String description, String price) {
        return DataObject.builder(ObjectKey.of(ITEM, id))
                .set("Code", Value.of(id))
                .set("Description", Value.of(description))
                .set("Price", Value.of(new BigDecimal(price).setScale(2)))
                .build();
    }

    /**
     * Kind {@value #ITEM} in {@code shop_item}, one column per field; other kinds in dibex's table.
     * It uses the transaction's connection and never commits it. An item it cannot hold exactly
     * (another field, a price finer than a cent) is refused with {@link ObjectRejectedException},
     * which the engine reports for the object that failed (R6).
     */
    public static final class ItemTable implements ObjectStore {
        private final Connection connection;
        private final ObjectStore others;

        /** Over the transaction's connection; {@code others} holds the remaining kinds. */
        public ItemTable(Connection connection, ObjectStore others) {
            this.connection = connection;
            this.others = others;
        }

        @Override
        public Optional<DataObject> get(ObjectKey key) {
            if (!key.kind().equals(ITEM)) {
                return others.get(key);
            }
            try (PreparedStatement p = connection.prepareStatement(
                    "SELECT id, code, description, price FROM shop_item WHERE id = ?")) {
                p.setString(1, key.id());
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(row(r)) : Optional.empty();
                }
            } catch (SQLException e) {
                throw new StorageException("cannot read " + key + " from shop_item: " + e.getMessage(), e);
            }
        }

        @Override
        public void put(DataObject object) {
            ObjectKey key = object.key();
            if (!key.kind().equals(ITEM)) {
                others.put(object);
                return;
            }
            if (!object.fields().keySet().equals(FIELDS) || !object.tables().isEmpty()
                    || !object.recordSets().isEmpty()) {
                throw new ObjectRejectedException(key, "shop_item holds exactly the fields " + FIELDS);
            }
            if (!(object.get("Price") instanceof Value.Decimal price) || price.value().scale() != 2
                    || !(object.get("Code") instanceof Value.Text code)
                    || !(object.get("Description") instanceof Value.Text description)) {
                throw new ObjectRejectedException(key, "shop_item needs text Code and Description and a price in cents");
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE shop_item SET code = ?, description = ?, price = ? WHERE id = ?")) {
                update.setString(1, code.value());
                update.setString(2, description.value());
                update.setBigDecimal(3, price.value());
                update.setString(4, key.id());
                if (update.executeUpdate() == 0) {
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO shop_item (code, description, price, id) VALUES (?, ?, ?, ?)")) {
                        insert.setString(1, code.value());
                        insert.setString(2, description.value());
                        insert.setBigDecimal(3, price.value());
                        insert.setString(4, key.id());
                        insert.executeUpdate();
                    }
                }
            } catch (SQLException e) {
                throw new StorageException("cannot write " + key + " to shop_item: " + e.getMessage(), e);
            }
        }

        @Override
        public boolean delete(ObjectKey key) {
            if (!key.kind().equals(ITEM)) {
                return others.delete(key);
            }
            try (PreparedStatement p = connection.prepareStatement("DELETE FROM shop_item WHERE id = ?")) {
                p.setString(1, key.id());
                return p.executeUpdate() > 0;
            } catch (SQLException e) {
                throw new StorageException("cannot delete " + key + " from shop_item: " + e.getMessage(), e);
            }
        }

        /** Items in id order. A small host table is read at once; a large one would stream like dibex's own. */
        @Override
        public Stream<DataObject> list(String kind) {
            if (!kind.equals(ITEM)) {
                return others.list(kind);
            }
            List<DataObject> items = new ArrayList<>();
            try (PreparedStatement p = connection.prepareStatement(
                    "SELECT id, code, description, price FROM shop_item ORDER BY id");
                    ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    items.add(row(r));
                }
            } catch (SQLException e) {
                throw new StorageException("cannot list shop_item: " + e.getMessage(), e);
            }
            return items.stream();
        }

        private static DataObject row(ResultSet r) throws SQLException {
            return DataObject.builder(ObjectKey.of(ITEM, r.getString(1)))
                    .set("Code", Value.of(r.getString(2)))
                    .set("Description", Value.of(r.getString(3)))
                    .set("Price", Value.of(r.getBigDecimal(4)))
                    .build();
        }
    }
}
