package io.dibex.xml;

import io.dibex.tck.ExchangeScenarios;
import io.dibex.tck.NetworkConfig;

/** The core's exchange scenarios, every message crossing as real XML bytes of the v8msg dialect. */
class V8msgScenariosTest extends ExchangeScenarios {

    @Override
    protected NetworkConfig config() {
        return NetworkConfig.inMemory(XmlCodec.v8msg());
    }
}
