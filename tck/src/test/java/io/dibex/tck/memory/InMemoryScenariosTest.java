package io.dibex.tck.memory;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.ExchangeScenarios;
import io.dibex.tck.NetworkConfig;

/** The exchange scenarios on in-memory stores and transport, through the binary codec. */
class InMemoryScenariosTest extends ExchangeScenarios {

    @Override
    protected NetworkConfig config() {
        return NetworkConfig.inMemory(MessageCodec.binary());
    }
}
