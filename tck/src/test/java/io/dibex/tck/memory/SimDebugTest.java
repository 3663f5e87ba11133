package io.dibex.tck.memory;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.Simulation;
import org.junit.jupiter.api.Test;

class SimDebugTest {
    @Test
    void one() {
        new Simulation(NetworkConfig.inMemory(MessageCodec.binary())).run(Long.getLong("seed", 1), 400);
    }
}
