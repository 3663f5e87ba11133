/**
 * dibex's document reconciliation (SPEC §5). Exports only its API package.
 */
module io.dibex.checksum {
    requires transitive io.dibex.core;
    // MurmurHash3 places and checks the elements of the compact request's sketches.
    requires org.apache.commons.codec;

    exports io.dibex.checksum;
}
