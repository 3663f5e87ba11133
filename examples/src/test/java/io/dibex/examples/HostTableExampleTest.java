package io.dibex.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.ExchangePlan;
import io.dibex.ObjectRejectedException;
import io.dibex.Node;
import io.dibex.ObjectKind;
import io.dibex.memory.InMemoryTransport;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A host's own table as a node's object store, on H2: host writes and registrations commit together. */
class HostTableExampleTest {

    private static final ExchangePlan PLAN = ExchangePlan.builder("Shop")
            .central("C").node("B1", "C")
            .kind(ObjectKind.catalog("Item").field("Code", ValueType.STRING).field("Description", ValueType.STRING)
                    .field("Price", ValueType.DECIMAL).build())
            .kind(ObjectKind.catalog("Unit").field("Name", ValueType.STRING).build())
            .build();

    private final InMemoryTransport transport = new InMemoryTransport();
    private JdbcConnectionPool centralDb;
    private JdbcConnectionPool branchDb;
    private Node central;
    private Node branch;

    @BeforeEach
    void startNodes() {
        centralDb = JdbcConnectionPool.create("jdbc:h2:mem:shop-c-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        branchDb = JdbcConnectionPool.create("jdbc:h2:mem:shop-b-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        central = Node.builder(PLAN, "C").storage(HostTableExample.storage(centralDb, "Shop", "C"))
                .transport(transport).build();
        branch = Node.builder(PLAN, "B1").storage(HostTableExample.storage(branchDb, "Shop", "B1"))
                .transport(transport).build();
    }

    @AfterEach
    void stopDatabases() throws SQLException {
        for (JdbcConnectionPool db : List.of(centralDb, branchDb)) {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
            db.dispose();
        }
    }

    @Test
    @DisplayName("a host write lands in the host's table and is registered in the same transaction")
    void aHostWriteAndItsRegistrationCommitTogether() throws SQLException {
        central.inTransaction(tx -> {
            tx.put(HostTableExample.item("42", "Tea", "3.50"));
            tx.put(DataObject.builder(ObjectKey.of("Unit", "kg")).set("Name", Value.of("kilogram")).build());
            return null;
        });
        assertThat(rows(centralDb, "SELECT id, code, description, price FROM shop_item")).containsExactly("42 42 Tea 3.50");
        assertThat(rows(centralDb, "SELECT kind, id FROM dibex_object")).containsExactly("Unit kg");
        assertThat(central.pendingRegistrations("B1")).isEqualTo(2);
    }

    @Test
    @DisplayName("when the host's work fails after its write, neither the row nor the registration stays")
    void aFailingHostWorkLeavesNeitherRowNorRegistration() throws SQLException {
        assertThatThrownBy(() -> central.inTransaction(tx -> {
            tx.put(HostTableExample.item("42", "Tea", "3.50"));
            throw new IllegalStateException("the host's own check failed");
        })).hasMessageContaining("the host's own check failed");
        assertThat(rows(centralDb, "SELECT id FROM shop_item")).isEmpty();
        assertThat(central.pendingRegistrations("B1")).isZero();
    }

    @Test
    @DisplayName("an exchange carries the item from the central node's table into the branch's table")
    void anExchangeFillsTheBranchTable() throws SQLException {
        central.inTransaction(tx -> {
            tx.put(HostTableExample.item("42", "Tea", "3.50"));
            return null;
        });
        central.exportTo("B1");
        branch.importAll();
        assertThat(rows(branchDb, "SELECT id, code, description, price FROM shop_item")).containsExactly("42 42 Tea 3.50");
        Optional<DataObject> held = branch.inTransaction(tx -> tx.get(ObjectKey.of("Item", "42")));
        assertThat(held).contains(HostTableExample.item("42", "Tea", "3.50"));

        branch.exportTo("C"); // acknowledges message 1
        central.importAll();
        assertThat(central.pendingRegistrations("B1")).isZero();
    }

    @Test
    @DisplayName("an item the host's table cannot hold exactly is refused with the key, and nothing changes")
    void anItemTheTableCannotHoldIsRefused() throws SQLException {
        DataObject saffron = DataObject.builder(ObjectKey.of("Item", "7")).set("Code", Value.of("7"))
                .set("Description", Value.of("Saffron")).set("Price", Value.of(new BigDecimal("0.125"))).build();
        assertThatThrownBy(() -> central.inTransaction(tx -> {
            tx.put(DataObject.builder(ObjectKey.of("Unit", "kg")).set("Name", Value.of("kilogram")).build());
            tx.put(saffron);
            return null;
        })).isInstanceOf(ObjectRejectedException.class).hasMessageContaining("Item/7");
        assertThat(rows(centralDb, "SELECT id FROM shop_item")).isEmpty();
        assertThat(rows(centralDb, "SELECT id FROM dibex_object")).isEmpty();
        assertThat(central.pendingRegistrations("B1")).isZero();
    }

    private static List<String> rows(JdbcConnectionPool db, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i == 1 ? "" : " ").append(r.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
