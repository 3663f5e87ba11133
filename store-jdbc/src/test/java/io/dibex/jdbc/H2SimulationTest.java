package io.dibex.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.Simulation;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The randomized convergence simulation with every node on an in-memory H2 store: in the build the
 * same fixed seeds as the in-memory test ({@link Simulation#BUILD_SEEDS}), and three of
 * {@link Simulation#ANY_NODE_SEEDS} that once failed with any node restored; as many seeds as
 * {@code dibex.soak.runs} says under {@code -Psoak}, each both ways.
 */
class H2SimulationTest {

    static LongStream seeds() {
        long runs = Long.getLong("dibex.soak.runs", 0);
        return runs > 0 ? LongStream.range(1000, 1000 + runs)
                : Simulation.BUILD_SEEDS.stream().mapToLong(Long::longValue);
    }

    static LongStream anyNodeSeeds() {
        return Long.getLong("dibex.soak.runs", 0) > 0 ? seeds()
                : LongStream.of(1075, 1474, 1840); // one seed per fix of 2026-11-26 (docs/simulation.md)
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("anyNodeSeeds")
    @DisplayName("on H2, the same with any node restored now and then")
    void convergesRestoringAnyNode(long seed) {
        run(seed, true);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("on H2, after random changes and faults stop, every node converges and nothing is lost or resurrected")
    void converges(long seed) {
        run(seed, false);
    }

    private static void run(long seed, boolean anyNode) {
        H2NetworkConfig config = new H2NetworkConfig(MessageCodec.binary());
        try {
            Simulation simulation = anyNode ? new Simulation(config).restoringAnyNode() : new Simulation(config);
            assertThat(simulation.run(seed, 400).writes()).isPositive();
        } finally {
            config.shutdown();
        }
    }
}
