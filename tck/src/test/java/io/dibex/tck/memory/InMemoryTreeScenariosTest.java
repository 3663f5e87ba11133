package io.dibex.tck.memory;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.TreeScenarios;

/** The tree scenarios on in-memory stores and transport, through the binary codec. */
class InMemoryTreeScenariosTest extends TreeScenarios {

    @Override
    protected NetworkConfig config() {
        return NetworkConfig.inMemory(MessageCodec.binary());
    }
}
