package io.dibex.examples;

import static io.dibex.examples.PharmacyChain.OFFICE;
import static io.dibex.examples.PharmacyChain.P1;
import static io.dibex.examples.PharmacyChain.P2;
import static io.dibex.examples.PharmacyChain.P3;
import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.ReconciliationReport;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Seed 000's pharmacy chain end to end: the reconciliation repairs exactly what diverged, every
 * pharmacy's documents and every office document routed to a pharmacy end identical at both
 * ends, and nothing else moved.
 */
class PharmacyChainTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PharmacyChain.Outcome outcome =
            new PharmacyChain(new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

    private ReconciliationReport report(String pharmacy) {
        return outcome.reports().stream().filter(r -> r.child().equals(pharmacy)).findFirst().orElseThrow();
    }

    @Test
    void everyRunCompletesWithoutErrors() {
        assertThat(outcome.reports()).extracting(ReconciliationReport::child).containsExactlyInAnyOrder(P1, P2, P3);
        assertThat(outcome.reports()).allSatisfy(r -> assertThat(r.succeeded()).as(r.describe()).isTrue());
    }

    @Test
    void theReportsListExactlyWhatDiverged() {
        Set<ObjectKey> p1 = outcome.diverged().get(P1);
        ReconciliationReport r1 = report(P1);
        assertThat(r1.repairsToOffice()).hasSize(1).allMatch(p1::contains);
        assertThat(r1.repairsToChild()).hasSize(1).allMatch(p1::contains);
        assertThat(r1.askedBack()).isEmpty();

        ReconciliationReport r2 = report(P2);
        Set<ObjectKey> lostByP2 = outcome.diverged().get(P2);
        assertThat(lostByP2).hasSize(3);
        assertThat(r2.repairsToOffice()).isEmpty();
        assertThat(new TreeSet<>(r2.repairsToChild())).isEqualTo(lostByP2);
        // Its own lost invoices it asked back; the office's transfer the office found missing there.
        assertThat(r2.askedBack()).hasSize(2).allMatch(k -> k.id().startsWith(P2 + "-"));

        ReconciliationReport r3 = report(P3);
        assertThat(r3.repairsToOffice()).containsExactlyElementsOf(outcome.diverged().get(P3));
        assertThat(r3.repairsToChild()).isEmpty();
    }

    @Test
    void afterwardsOwnersAndOfficeHoldTheSameDocuments() {
        Map<ObjectKey, DataObject> office = outcome.after().get(OFFICE);
        for (String pharmacy : List.of(P1, P2, P3)) {
            Map<ObjectKey, DataObject> at = outcome.after().get(pharmacy);
            // Everything the pharmacy holds is at the office as it is there: its own (internal
            // subdivisions and departments included) and the office's transfers to it.
            at.forEach((key, doc) -> assertThat(office).as(pharmacy + " " + key).containsEntry(key, doc));
            // And every office document owned by it or sent to it is there.
            office.values().stream()
                    .filter(d -> d.key().id().startsWith(pharmacy) || pharmacy.equals(d.text("Recipient").orElse("")))
                    .forEach(d -> assertThat(at).as(pharmacy + " " + d.key()).containsEntry(d.key(), d));
        }
    }

    @Test
    void nothingElseMoved() {
        for (String node : List.of(OFFICE, P1, P2, P3)) {
            Map<ObjectKey, DataObject> before = outcome.before().get(node);
            Map<ObjectKey, DataObject> after = outcome.after().get(node);
            Set<ObjectKey> changed = new TreeSet<>();
            before.forEach((k, v) -> {
                if (!v.equals(after.get(k))) {
                    changed.add(k);
                }
            });
            after.keySet().stream().filter(k -> !before.containsKey(k)).forEach(changed::add);
            Set<ObjectKey> repaired = new TreeSet<>();
            for (ReconciliationReport r : outcome.reports()) {
                (node.equals(OFFICE) ? r.repairsToOffice() : node.equals(r.child()) ? r.repairsToChild() : List.<ObjectKey>of())
                        .forEach(repaired::add);
            }
            assertThat(changed).as(node).isEqualTo(repaired);
            // The journal agrees: the imports of the reconciliation applied exactly the repairs.
            assertThat(outcome.loadedDuringReconciliation().get(node)).as(node + " journal").isEqualTo(repaired.size());
        }
    }

    @Test
    void theExamplePrintsEachReport() {
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("reconciliation", "with " + P1, "with " + P2, "with " + P3, "asked back: 2",
                "errors: none");
    }
}
