/**
 * The dibex exchange engine. Exports only its API packages; {@code io.dibex.internal} is not part
 * of the API.
 */
module io.dibex.core {
    exports io.dibex;
    exports io.dibex.model;
    exports io.dibex.spi;
    exports io.dibex.codec;
    exports io.dibex.memory;
}
