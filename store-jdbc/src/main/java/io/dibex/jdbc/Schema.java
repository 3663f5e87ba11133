package io.dibex.jdbc;

import io.dibex.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates and upgrades dibex's tables, and checks that a database belongs to this node.
 *
 * <p>The version table {@code dibex_schema} has one row per script applied. Script {@code Vn} is
 * the resource {@code schema/Vn__*.sql} beside this class; {@link #SCRIPTS} lists them. A script's
 * statements are idempotent, and its version row is inserted after its last statement in the same
 * transaction, so a crash halfway leaves a database that the next open completes.
 */
final class Schema {

    /** The scripts, in version order: version n is {@code SCRIPTS.get(n - 1)}. */
    static final List<String> SCRIPTS = List.of("V1__create.sql");

    /** The newest schema version this library knows. */
    static final int LATEST = SCRIPTS.size();

    private static final String VERSION_TABLE = "CREATE TABLE IF NOT EXISTS dibex_schema ("
            + " version INTEGER NOT NULL PRIMARY KEY, script VARCHAR(200) NOT NULL)";

    private Schema() {
    }

    /**
     * Brings the database to {@link #LATEST} and records (or checks) its identity.
     *
     * @throws IncompatibleStoreException when the schema is newer than {@link #LATEST}, or the
     *     database belongs to another plan or node; nothing is changed then
     */
    static void open(Connection c, Dialect dialect, String plan, String node, String where) throws SQLException {
        int version = version(c, dialect);
        if (version > LATEST) {
            throw new IncompatibleStoreException(where + " has dibex schema version " + version
                    + ", newer than this library's " + LATEST + ": use a newer dibex-store-jdbc; nothing was changed");
        }
        if (version >= 1) {
            checkIdentity(c, plan, node, where);
        }
        try (Statement s = c.createStatement()) {
            s.execute(VERSION_TABLE);
        }
        c.commit();
        for (int v = version + 1; v <= LATEST; v++) {
            apply(c, dialect, v);
        }
        if (!checkIdentity(c, plan, node, where)) {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO dibex_identity (id, plan_name, node_name) VALUES (1, ?, ?)")) {
                p.setString(1, plan);
                p.setString(2, node);
                p.executeUpdate();
            }
            c.commit();
        }
    }

    /** The version of the schema, 0 when dibex has no tables there. */
    private static int version(Connection c, Dialect dialect) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT MAX(version) FROM dibex_schema")) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            if (!dialect.isUndefinedTable(e)) {
                throw e;
            }
            c.rollback();
            return 0;
        } finally {
            c.commit();
        }
    }

    /**
     * Compares the recorded identity with this node's.
     *
     * @return whether one is recorded
     * @throws IncompatibleStoreException when it is another plan's or node's
     */
    private static boolean checkIdentity(Connection c, String plan, String node, String where) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT plan_name, node_name FROM dibex_identity WHERE id = 1")) {
            if (!r.next()) {
                return false;
            }
            String p = r.getString(1);
            String n = r.getString(2);
            if (!p.equals(plan) || !n.equals(node)) {
                c.rollback();
                throw new IncompatibleStoreException(where + " belongs to node '" + n + "' of plan '" + p
                        + "', not to node '" + node + "' of plan '" + plan
                        + "': give each node its own database; nothing was changed");
            }
            return true;
        } finally {
            c.commit();
        }
    }

    private static void apply(Connection c, Dialect dialect, int version) throws SQLException {
        String name = SCRIPTS.get(version - 1);
        try (Statement s = c.createStatement()) {
            for (String statement : statements(read(name))) {
                s.execute(dialect.types(statement));
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO dibex_schema (version, script) VALUES (?, ?)")) {
            p.setInt(1, version);
            p.setString(2, name);
            p.executeUpdate();
        } catch (SQLException e) {
            if (!dialect.isDuplicateKey(e)) {
                throw e;
            }
            // Another store object opened the same database at the same time and applied it first.
        }
        c.commit();
    }

    private static String read(String name) {
        try (InputStream in = Schema.class.getResourceAsStream("schema/" + name)) {
            if (in == null) {
                throw new IllegalStateException("schema script " + name + " is missing from dibex-store-jdbc");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StorageException("cannot read schema script " + name + ": " + e.getMessage(), e);
        }
    }

    /** The statements of a script: separated by a semicolon at the end of a line; {@code --} lines are comments. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString());
        }
        return out;
    }
}
