package io.dibex.xml;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.tck.Network;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.ReconciliationScenarios;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Document reconciliation (SPEC §5), every message crossing as real XML bytes in both dialects:
 * the control items travel as objects of dibex's reserved kind, the repairs with
 * {@code dx:repair}; without dibex's additions a reconciling plan is refused.
 */
class XmlReconciliationScenariosTest {

    @Nested
    class V8msg extends ReconciliationScenarios {
        @Override
        protected NetworkConfig config() {
            return NetworkConfig.inMemory(XmlCodec.v8msg());
        }
    }

    @Nested
    class Seed extends ReconciliationScenarios {
        @Override
        protected NetworkConfig config() {
            return NetworkConfig.inMemory(XmlCodec.seed());
        }
    }

    @ParameterizedTest
    @EnumSource(XmlDialect.class)
    @DisplayName("a plan with reconciliation settings is refused when its node is built on a codec without additions")
    void reconciliationIsRefusedWithoutAdditions(XmlDialect dialect) {
        XmlCodec plain = XmlCodec.builder(dialect).additions(false).build();
        assertThatThrownBy(() -> new Network(ReconciliationScenarios.plan(), NetworkConfig.inMemory(plain)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(plain.name())
                .hasMessageContaining("reconciliation settings need repair flags and control items");
    }
}
