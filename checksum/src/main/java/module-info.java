/**
 * dibex's document reconciliation (SPEC §5). Exports only its API package.
 */
module io.dibex.checksum {
    requires transitive io.dibex.core;

    exports io.dibex.checksum;
}
