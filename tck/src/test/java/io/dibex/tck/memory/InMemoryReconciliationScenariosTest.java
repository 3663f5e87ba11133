package io.dibex.tck.memory;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.ReconciliationScenarios;

/** Document reconciliation on in-memory stores, through the binary codec. */
class InMemoryReconciliationScenariosTest extends ReconciliationScenarios {

    @Override
    protected NetworkConfig config() {
        return NetworkConfig.inMemory(MessageCodec.binary());
    }
}
