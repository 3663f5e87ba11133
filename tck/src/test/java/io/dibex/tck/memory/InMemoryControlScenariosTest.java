package io.dibex.tck.memory;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.ControlScenarios;
import io.dibex.tck.NetworkConfig;

/** Registration control, migration policies and sequences on in-memory stores, through the binary codec. */
class InMemoryControlScenariosTest extends ControlScenarios {

    @Override
    protected NetworkConfig config() {
        return NetworkConfig.inMemory(MessageCodec.binary());
    }
}
