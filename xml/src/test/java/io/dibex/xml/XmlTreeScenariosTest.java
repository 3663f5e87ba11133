package io.dibex.xml;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.tck.NetworkConfig;
import io.dibex.tck.Simulation;
import io.dibex.tck.TreeScenarios;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tree scenarios and the convergence simulation, every message crossing as real XML bytes: the
 * retractions, rejected keys and restored flags they need travel in dibex's additions.
 */
class XmlTreeScenariosTest {

    @Nested
    class V8msg extends TreeScenarios {
        @Override
        protected NetworkConfig config() {
            return NetworkConfig.inMemory(XmlCodec.v8msg());
        }
    }

    @Nested
    class Seed extends TreeScenarios {
        @Override
        protected NetworkConfig config() {
            return NetworkConfig.inMemory(XmlCodec.seed());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    @DisplayName("the simulation converges over v8msg bytes too")
    void simulationOverV8msg(long seed) {
        Simulation.Report report = new Simulation(NetworkConfig.inMemory(XmlCodec.v8msg())).run(seed, 400);
        assertThat(report.writes()).isPositive();
    }
}
