package io.dibex.jdbc;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.ControlScenarios;
import io.dibex.tck.NetworkConfig;
import org.junit.jupiter.api.AfterEach;

/** Registration control, migration policies and sequences (R10, R11, R14) with every node on its own in-memory H2 store, through the binary codec. */
class H2ControlScenariosTest extends ControlScenarios {

    private final H2NetworkConfig config = new H2NetworkConfig(MessageCodec.binary());

    @Override
    protected NetworkConfig config() {
        return config;
    }

    @AfterEach
    void freeTheDatabases() {
        config.shutdown();
    }
}
