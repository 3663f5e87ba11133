package io.dibex.examples;

import static io.dibex.examples.TradeConfiguration.BRANCH1;
import static io.dibex.examples.TradeConfiguration.BRANCH2;
import static io.dibex.examples.TradeConfiguration.CENTRE;
import static io.dibex.examples.TradeConfiguration.CHECKS_COST;
import static io.dibex.examples.TradeConfiguration.MAIN;
import static io.dibex.examples.TradeConfiguration.RECEIPT;
import static io.dibex.examples.TradeConfiguration.SALE;
import static io.dibex.examples.TradeConfiguration.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.Sequence;
import io.dibex.model.ObjectKey;
import io.dibex.model.SequenceBoundary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Seed 004's trade configuration end to end. The costs below were computed by hand, at average
 * cost over the whole organization, for good A:
 * <pre>
 * day 1 10:00 ПрихНакл P1  +10 × 10.00            balance 10 / 100.00
 * day 1 11:00 ПрихНакл P2  +10 × 10.00            balance 20 / 200.00
 * day 2       РасхНакл R0   1 × 200/20   = 10.00  balance 19 / 190.00   (branch 1, back-dated)
 * day 3       ПрихНакл P3  +10 × 16.00            balance 29 / 350.00   (branch 2)
 * day 4 23:00 РасходПоЧекам E1  2 × 350/29 = 24.14  balance 27 / 325.86 (branch 2)
 * day 5       РасхНакл R1   4 × 325.86/27 = 48.28 balance 23 / 277.58   (branch 1)
 * day 6       РасхНакл R2   3 × 277.58/23 = 36.21 balance 20 / 241.37   (centre; 30.00 when posted)
 * </pre>
 */
class TradeConfigurationTest {

    private final TradeConfiguration trade = new TradeConfiguration(new PrintStream(new ByteArrayOutputStream(),
            true, StandardCharsets.UTF_8));

    private static ObjectKey sale(String id) {
        return ObjectKey.of(SALE, id);
    }

    private BigDecimal writtenOff(ObjectKey key) {
        return trade.writtenOff(CENTRE, key).orElseThrow(() -> new AssertionError(key + " wrote nothing off"));
    }

    private void assertCosts(String r0, String e1, String r1, String r2) {
        if (r0 != null) {
            assertThat(writtenOff(sale("R0"))).as("R0").isEqualByComparingTo(r0);
        }
        assertThat(writtenOff(ObjectKey.of(CHECKS_COST, "E1"))).as("E1").isEqualByComparingTo(e1);
        assertThat(writtenOff(sale("R1"))).as("R1").isEqualByComparingTo(r1);
        assertThat(writtenOff(sale("R2"))).as("R2").isEqualByComparingTo(r2);
    }

    private void assertBranchesClean() {
        for (String branch : List.of(BRANCH1, BRANCH2)) {
            assertThat(trade.valueRecordSets(branch)).as("no ТовУчет at " + branch).isZero();
            assertThat(trade.node(branch).journal()).as("no ТовУчет ever sent to " + branch)
                    .noneMatch(e -> e.kind() == io.dibex.spi.JournalEntry.Kind.WARNING);
            assertThat(trade.stock(branch)).as("ТовЗап at " + branch).isEqualTo(trade.stock(CENTRE));
        }
    }

    @Test
    @DisplayName("back-dated documents from the branches move the centre's boundary back; the restore reposts them in order, at the right average cost, and sends nothing back (R10, R11, R14)")
    void restoreRevaluesAtTheCentreOnly() {
        trade.setUp();
        assertThat(trade.node(CENTRE).sequenceBoundary(MAIN))
                .contains(SequenceBoundary.before(at(2, 12), sale("R0")));
        assertThat(writtenOff(sale("R2"))).as("R2 as posted before R0, P3, E1, R1 arrived").isEqualByComparingTo("30.00");
        assertThat(trade.writtenOff(CENTRE, sale("R0"))).as("posted at a branch: no ТовУчет").isEmpty();
        for (String branch : List.of(BRANCH1, BRANCH2)) {
            assertThat(trade.node(CENTRE).pendingRegistrations(branch)).isZero();
        }

        List<ObjectKey> order = new ArrayList<>();
        Sequence.RestoreResult r = trade.restore((doc, done, total) -> order.add(doc));
        assertThat(order).containsExactly(sale("R0"), ObjectKey.of(RECEIPT, "P3"), ObjectKey.of(CHECKS_COST, "E1"),
                sale("R1"), sale("R2"));
        assertThat(r.boundary()).contains(SequenceBoundary.pastOf(at(6, 12), sale("R2")));
        assertCosts("10.00", "24.14", "48.28", "36.21");
        for (String branch : List.of(BRANCH1, BRANCH2)) {
            assertThat(trade.node(CENTRE).pendingRegistrations(branch)).as("reposting is sent nowhere: " + branch)
                    .isZero();
        }
        trade.settle();
        assertBranchesClean();
        assertThat(trade.stock(CENTRE)).isEqualTo(Map.of("A@W1", new BigDecimal("2"), "A@W2", new BigDecimal("18")));
    }

    @Test
    @DisplayName("a restore interrupted halfway resumes where it stopped and ends with the same costs (R14)")
    void interruptedRestoreResumes() {
        trade.setUp();
        Sequence.RestoreResult first = trade.restore((doc, done, total) -> {
            if (done == 2) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(Thread.interrupted()).as("the flag stays set").isTrue();
        assertThat(first.complete()).isFalse();
        assertThat(first.reposted()).isEqualTo(2);
        assertThat(trade.node(CENTRE).sequenceBoundary(MAIN))
                .contains(SequenceBoundary.pastOf(at(3, 12), ObjectKey.of(RECEIPT, "P3")));
        assertThat(writtenOff(sale("R2"))).as("not reached yet").isEqualByComparingTo("30.00");

        Sequence.RestoreResult rest = trade.restore(Sequence.Progress.NONE);
        assertThat(rest.complete()).isTrue();
        assertThat(rest.reposted()).isEqualTo(3);
        assertCosts("10.00", "24.14", "48.28", "36.21");
    }

    @Test
    @DisplayName("a back-dated document deleted at one branch and another unposted at the other are revalued out at the centre (R14)")
    void deletedAndUnpostedBackDatedDocuments() {
        trade.setUp();
        trade.restore(Sequence.Progress.NONE);
        trade.node(BRANCH1).inTransaction(tx -> tx.delete(sale("R0")));
        trade.unpost(BRANCH2, ObjectKey.of(RECEIPT, "P3"));
        trade.settle();
        assertThat(trade.node(CENTRE).sequenceBoundary(MAIN))
                .contains(SequenceBoundary.before(at(2, 12), sale("R0")));

        trade.restore(Sequence.Progress.NONE);
        // Without R0 and P3: E1 2 × 200/20 = 20.00; R1 4 × 180/18 = 40.00; R2 3 × 140/14 = 30.00.
        assertCosts(null, "20.00", "40.00", "30.00");
        assertThat(trade.writtenOff(CENTRE, ObjectKey.of(RECEIPT, "P3"))).as("unposted").isEmpty();
        trade.settle();
        assertBranchesClean();
        assertThat(trade.stock(CENTRE)).isEqualTo(Map.of("A@W1", new BigDecimal("3"), "A@W2", new BigDecimal("8")));
    }

    @Test
    @DisplayName("a document changed at the centre and not yet sent keeps its registration through the suppressed reposting (R10)")
    void suppressedRepostingKeepsAnEarlierRegistration() {
        trade.setUp();
        trade.post(CENTRE, TradeConfiguration.document(SALE, "R3", at(7, 12), "W2", "A", 1, "15.00"));
        assertThat(trade.node(CENTRE).pendingRegistrations(BRANCH1)).isEqualTo(1);
        trade.restore(Sequence.Progress.NONE);
        for (String branch : List.of(BRANCH1, BRANCH2)) {
            assertThat(trade.node(CENTRE).pendingRegistrations(branch)).as(branch).isEqualTo(1);
        }
        trade.settle();
        java.util.Optional<io.dibex.model.DataObject> atBranch = trade.node(BRANCH2).inTransaction(tx -> tx.get(sale("R3")));
        assertThat(atBranch).isPresent();
        assertBranchesClean();
    }

    @Test
    @DisplayName("the program prints the story and its costs")
    void programRuns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TradeConfiguration(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("R2 wrote off 30.00", "РасхНакл R2 wrote off 36.21",
                "РасходПоЧекам E1 wrote off 24.14", "left to send to the branches after the restore: 0 and 0",
                "Филиал1: ТовЗап {A@W1=2, A@W2=18}, 0 ТовУчет record sets");
    }
}
