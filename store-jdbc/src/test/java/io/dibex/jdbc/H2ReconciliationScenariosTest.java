package io.dibex.jdbc;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.ReconciliationScenarios;
import org.junit.jupiter.api.AfterEach;

/** Document reconciliation (SPEC §5) with every node on its own in-memory H2 store, through the binary codec. */
class H2ReconciliationScenariosTest extends ReconciliationScenarios {

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
