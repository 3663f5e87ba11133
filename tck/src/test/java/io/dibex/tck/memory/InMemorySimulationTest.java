package io.dibex.tck.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.Simulation;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The randomized convergence simulation on in-memory stores: a fixed list of seeds in the build,
 * thousands under {@code -Psoak} (property {@code dibex.soak.runs}).
 */
class InMemorySimulationTest {

    static LongStream seeds() {
        String only = System.getProperty("sim.seeds");
        if (only != null) {
            return java.util.Arrays.stream(only.split(",")).mapToLong(Long::parseLong);
        }
        long runs = Long.getLong("dibex.soak.runs", 0);
        return runs > 0 ? LongStream.range(1000, 1000 + runs) : Simulation.BUILD_SEEDS.stream().mapToLong(Long::longValue);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("after random changes and faults stop, every node converges and nothing is lost or resurrected")
    void converges(long seed) {
        Simulation.Report report = new Simulation(NetworkConfig.inMemory(MessageCodec.binary())).run(seed, 400);
        assertThat(report.writes()).isPositive();
    }
}
