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
 * The randomized convergence simulation on in-memory stores: fixed lists of seeds in the build,
 * restoring leaves and restoring any node; thousands of each under {@code -Psoak} (property
 * {@code dibex.soak.runs} seeds from {@code dibex.soak.from}, 1000 unless set). {@code -Dsim.seeds=<seed>,...} runs only those seeds, both ways;
 * {@code -Dsim.trace=Kind/id} follows one object through them.
 */
class InMemorySimulationTest {

    static LongStream seeds() {
        String only = System.getProperty("sim.seeds");
        if (only != null) {
            return java.util.Arrays.stream(only.split(",")).mapToLong(Long::parseLong);
        }
        long runs = Long.getLong("dibex.soak.runs", 0);
        long from = Long.getLong("dibex.soak.from", 1000);
        return runs > 0 ? LongStream.range(from, from + runs) : Simulation.BUILD_SEEDS.stream().mapToLong(Long::longValue);
    }

    static LongStream anyNodeSeeds() {
        boolean chosen = System.getProperty("sim.seeds") != null || Long.getLong("dibex.soak.runs", 0) > 0;
        return chosen ? seeds() : Simulation.ANY_NODE_SEEDS.stream().mapToLong(Long::longValue);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("after random changes and faults stop, every node converges and nothing is lost or resurrected")
    void converges(long seed) {
        Simulation.Report report = new Simulation(NetworkConfig.inMemory(MessageCodec.binary())).run(seed, 400);
        assertThat(report.writes()).isPositive();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("anyNodeSeeds")
    @DisplayName("the same with any node restored now and then, the central node and middle ones too")
    void convergesRestoringAnyNode(long seed) {
        Simulation.Report report = new Simulation(NetworkConfig.inMemory(MessageCodec.binary())).restoringAnyNode()
                .run(seed, 400);
        assertThat(report.writes()).isPositive();
    }
}
