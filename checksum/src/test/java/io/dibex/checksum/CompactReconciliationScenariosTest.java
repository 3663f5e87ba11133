package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.ReconciliationReport;
import io.dibex.codec.MessageCodec;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.SetComparison;
import io.dibex.tck.Network;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.ReconciliationScenarios;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The reconciliation scenarios again with the compact request: the same repairs, reports and
 * failures, the comparison's messages carried by control items through the engine; and a
 * divergence too large for the first sketch, which takes the estimator's extra round trip.
 */
class CompactReconciliationScenariosTest extends ReconciliationScenarios {

    @Override
    protected NetworkConfig config() {
        return NetworkConfig.inMemory(MessageCodec.binary());
    }

    @Override
    protected SetComparison compact() {
        return CompactReconciliation.comparison();
    }

    private static DataObject doc(String owner, int amount) {
        return DataObject.builder(ObjectKey.of("Doc", UUID.nameUUIDFromBytes((owner + amount).getBytes()).toString()))
                .set("Date", Value.of(LocalDate.of(2025, 12, 20))).set("Owner", owner)
                .set("Amount", Value.of(BigDecimal.valueOf(amount))).build();
    }

    @Test
    void aLargeDivergenceTakesOneMoreRoundTripAndIsRepairedExactly() {
        Network n = new Network(planBuilder(compact()).build(), config());
        for (int i = 0; i < 300; i++) {
            n.put("B1", doc("B1", i));
            n.put("C", doc("C", i).toBuilder().set("To", "B1").build());
        }
        n.settle(12);
        // 150 documents written past registration at B1, and 60 of C's changed there unseen.
        List<ObjectKey> written = new ArrayList<>();
        n.node("B1").inTransaction(tx -> {
            for (int i = 1000; i < 1150; i++) {
                tx.store().objects().put(doc("B1", i));
                written.add(doc("B1", i).key());
            }
            for (int i = 0; i < 60; i++) {
                tx.store().objects().put(doc("C", i).toBuilder().set("To", "B1").set("Amount", Value.of(BigDecimal.valueOf(-1)))
                        .build());
            }
            return null;
        });

        String run = n.node("C").reconcile().get(0).runId();
        n.settle(16);

        ReconciliationReport r = n.node("C").reconciliations().stream().filter(x -> x.runId().equals(run))
                .findFirst().orElseThrow();
        assertThat(r.succeeded()).as(r.describe()).isTrue();
        assertThat(r.repairsToOffice()).containsExactlyInAnyOrderElementsOf(written);
        assertThat(r.repairsToChild()).hasSize(60);
        assertThat(r.officeListed()).isEqualTo(600);
        assertThat(r.childListed()).isEqualTo(750);
        assertThat(n.node("B1").journal()).filteredOn(e -> e.kind() == JournalEntry.Kind.RECONCILIATION)
                .extracting(JournalEntry::detail).anyMatch(d -> d.contains("round 1 asks C for more"));
        for (int i = 0; i < 60; i++) {
            assertThat(n.get("B1", doc("C", i).key())).isEqualTo(n.get("C", doc("C", i).key()));
        }
    }
}
