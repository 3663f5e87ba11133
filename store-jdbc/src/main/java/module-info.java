/**
 * A durable {@link io.dibex.spi.Storage} over plain JDBC. Exports only its API package; the
 * schema scripts are resources of that package.
 */
module io.dibex.jdbc {
    requires transitive io.dibex.core;
    requires transitive java.sql;

    exports io.dibex.jdbc;
}
