package io.dibex.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.spi.PeerState;
import io.dibex.spi.StoreTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store creates, upgrades and guards its own schema. */
class SchemaTest {

    @TempDir
    Path dir;

    private JdbcConnectionPool db;

    @BeforeEach
    void openDatabase() {
        db = H2.file(dir);
    }

    @AfterEach
    void closeDatabase() {
        H2.shutdown(db);
    }

    @Test
    @DisplayName("a new database gets every table, the latest version and this node's identity")
    void createsTheSchema() throws SQLException {
        H2.storage(db, "B1");
        assertThat(query("SELECT version, script FROM dibex_schema ORDER BY version"))
                .containsExactly("1 V1__create.sql");
        assertThat(query("SELECT plan_name, node_name FROM dibex_identity")).containsExactly("tck B1");
        assertThat(Schema.LATEST).isEqualTo(1);
    }

    @Test
    @DisplayName("reopening keeps the data: the store is durable across storage objects")
    void reopeningKeepsTheData() {
        JdbcStorage first = H2.storage(db, "B1");
        try (StoreTransaction tx = first.begin()) {
            tx.exchange().putPeer(PeerState.initial("C").withLastAllocatedNo(7));
            tx.commit();
        }
        JdbcStorage again = H2.storage(db, "B1");
        try (StoreTransaction tx = again.begin()) {
            assertThat(tx.exchange().peer("C").lastAllocatedNo()).isEqualTo(7);
        }
    }

    @Test
    @DisplayName("a database of another node or plan is refused, and nothing in it changes")
    void anotherNodesDatabaseIsRefused() throws SQLException {
        H2.storage(db, "B1");
        List<String> before = everything();
        assertThatThrownBy(() -> H2.storage(db, "B2")).isInstanceOf(IncompatibleStoreException.class)
                .hasMessageContaining("belongs to node 'B1' of plan 'tck'").hasMessageContaining("'B2'");
        assertThatThrownBy(() -> JdbcStorage.builder(db, "Other", "B1").build())
                .isInstanceOf(IncompatibleStoreException.class).hasMessageContaining("plan 'Other'");
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    @DisplayName("a schema newer than the library's is refused, and nothing in it changes")
    void aNewerSchemaIsRefused() throws SQLException {
        H2.storage(db, "B1");
        execute("INSERT INTO dibex_schema (version, script) VALUES (2, 'V2__from_the_future.sql')");
        List<String> before = everything();
        assertThatThrownBy(() -> H2.storage(db, "B1")).isInstanceOf(IncompatibleStoreException.class)
                .hasMessageContaining("schema version 2, newer than this library's 1");
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    @DisplayName("a creation cut off halfway (some tables made, no version row) is completed by the next open")
    void aCreationCutOffHalfwayIsCompleted() throws SQLException, java.io.IOException {
        // What a crash after the first statements of V1 leaves on H2, which commits each DDL statement.
        List<String> statements = Schema.statements(new String(
                getClass().getResourceAsStream("/io/dibex/jdbc/schema/V1__create.sql").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8));
        for (String s : statements.subList(0, 3)) {
            execute(Dialect.H2.types(s));
        }
        JdbcStorage storage = H2.storage(db, "B1");
        assertThat(query("SELECT version FROM dibex_schema")).containsExactly("1");
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange().register("C", io.dibex.model.ObjectKey.of("Item", "a"), io.dibex.model.Digest.ABSENT);
            tx.commit();
        }
    }

    @Test
    @DisplayName("an H2 file that writes commits late (WRITE_DELAY, 500 ms by default) is refused before anything is"
            + " written: a killed process would lose committed transactions (found by ProcessKillTest)")
    void anH2FileWithAWriteDelayIsRefused() throws SQLException {
        JdbcConnectionPool late = H2.pool("jdbc:h2:file:" + dir.resolve("late").toAbsolutePath());
        try {
            assertThatThrownBy(() -> H2.storage(late, "B1")).isInstanceOf(IncompatibleStoreException.class)
                    .hasMessageContaining("WRITE_DELAY=500").hasMessageContaining(";WRITE_DELAY=0");
            try (Connection c = late.getConnection(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"
                            + " WHERE LOWER(TABLE_NAME) LIKE 'dibex%'")) {
                r.next();
                assertThat(r.getInt(1)).as("dibex tables created").isZero();
            }
            try (Connection c = late.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET WRITE_DELAY 0");
            }
            H2.checkClosed(H2.storage(late, "B1"));
        } finally {
            H2.shutdown(late);
        }
    }

    @Test
    @DisplayName("a database that is not H2 has no dialect yet, and says so")
    void anUnknownDatabaseIsNamed() {
        assertThatThrownBy(() -> Dialect.forProduct("Oracle")).isInstanceOf(io.dibex.StorageException.class)
                .hasMessageContaining("'Oracle'");
        assertThat(Dialect.forProduct("H2")).isSameAs(Dialect.H2);
    }

    /** Every table's rows, as text: what "nothing changed" compares. */
    private List<String> everything() throws SQLException {
        List<String> all = new ArrayList<>();
        for (String table : List.of("dibex_schema", "dibex_identity", "dibex_peer", "dibex_registration",
                "dibex_object", "dibex_journal")) {
            all.add(table + "=" + query("SELECT * FROM " + table));
        }
        return all;
    }

    private List<String> query(String sql) throws SQLException {
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

    private void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
