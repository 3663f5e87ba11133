package io.dibex.examples;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * An embedded H2 database in a file, as a {@link DataSource} over {@link DriverManager}: H2 is a
 * runtime dependency only, found by its JDBC URL. The database stays open while {@link #open}'s
 * connection is held, so transactions do not reopen the file each time; closing that connection
 * closes the database.
 */
final class H2Files implements DataSource {

    private final String url;

    private H2Files(String url) {
        this.url = url;
    }

    /** The database {@code name} in {@code folder} (H2 adds {@code .mv.db}). */
    static H2Files in(Path folder, String name) {
        return new H2Files("jdbc:h2:file:" + folder.resolve(name).toAbsolutePath()
                + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0");
    }

    /** A connection that keeps the database open until it is closed. */
    Connection open() throws SQLException {
        return getConnection();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return DriverManager.getConnection(url, "sa", "");
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // DriverManager's log is used
    }

    @Override
    public void setLoginTimeout(int seconds) {
        DriverManager.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return DriverManager.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no parent logger");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return url;
    }
}
