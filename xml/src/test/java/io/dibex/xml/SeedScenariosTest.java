package io.dibex.xml;

import io.dibex.tck.ExchangeScenarios;
import io.dibex.tck.NetworkConfig;

/** The core's exchange scenarios, every message crossing as real XML bytes of the seed dialect. */
class SeedScenariosTest extends ExchangeScenarios {

    @Override
    protected NetworkConfig config() {
        return NetworkConfig.inMemory(XmlCodec.seed());
    }
}
