package io.dibex.tck;

import static io.dibex.tck.TestPlans.item;
import static io.dibex.tck.TestPlans.itemKey;
import static io.dibex.tck.TestPlans.sale;
import static io.dibex.tck.TestPlans.saleKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.ConflictResolver;
import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.ImportResult;
import io.dibex.PoisonPolicy;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.Registration;
import io.dibex.spi.Storage;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tree scenarios (R4, R6, R7, R9, R12, R13), written once and run over any
 * {@link NetworkConfig}. The network is {@code C} with branches {@code B1} and {@code B2}, and
 * {@code B11} under {@code B1}; sales are routed to their owner and the path to {@code C}, items
 * everywhere.
 */
public abstract class TreeScenarios {

    /** The store, codec and transport under test. */
    protected abstract NetworkConfig config();

    private Network net;

    private Network network(ExchangePlan plan) {
        net = new Network(plan, config());
        return net;
    }

    @AfterEach
    void nothingLeftOpen() {
        if (net != null) {
            net.checkClosed();
        }
    }

    // ---- R9 routing

    @Test
    @DisplayName("a change at a branch of a branch reaches the other branch through the central node and never echoes back (R9)")
    void changeTravelsTheTreeWithoutEcho() {
        network(TestPlans.routed());
        net.put("B11", item("A", "from B11", "1"));
        net.settle(10);
        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("A"))).as(node).contains(item("A", "from B11", "1"));
        }
        assertThat(itemsLoaded("B11")).as("nothing came back to where it started").isZero();
        assertThat(itemsLoaded("B1", "C")).as("C never sends it back to B1").isZero();
        assertThat(itemsLoaded("C", "B1")).isPositive();
        assertThat(itemsLoaded("B2", "C")).isPositive();
    }

    @Test
    @DisplayName("a document moved to another branch is retracted at the first, not deleted nor marked, and appears at the second (R9)")
    void movedDocumentIsRetracted() {
        network(TestPlans.routedBuilder("Trade")
                .kind(io.dibex.ObjectKind.document("Marked").deletionMark("DeletionMark").build()).build());
        net.put("B1", sale("S", "B1", "10.00"));
        net.settle(10);
        assertThat(net.get("B2", saleKey("S"))).isEmpty();
        assertThat(net.get("B11", saleKey("S"))).as("routed to its owner and up, not down").isEmpty();

        net.put("C", sale("S", "B2", "10.00"));
        net.settle(10);

        assertThat(net.get("B1", saleKey("S"))).as("retracted").isEmpty();
        assertThat(net.state("B1").tombstones()).as("a retraction leaves no tombstone").isEmpty();
        assertThat(net.get("B2", saleKey("S"))).contains(sale("S", "B2", "10.00"));
        assertThat(net.get("C", saleKey("S"))).contains(sale("S", "B2", "10.00"));
    }

    @Test
    @DisplayName("a retraction meeting an unsent edit is a conflict the parent wins, and the document is deleted nowhere (R9, R12)")
    void retractionMeetingUnsentEdit() {
        for (boolean branchFirst : new boolean[] {false, true}) {
            network(TestPlans.routed());
            net.put("B1", sale("S", "B1", "10.00"));
            net.settle(10);
            net.put("B1", sale("S", "B1", "99.00"));
            net.put("C", sale("S", "B2", "10.00"));
            if (branchFirst) {
                net.exchange("B1", "C");
                net.exchange("C", "B1");
            } else {
                net.exchange("C", "B1");
                net.exchange("B1", "C");
            }
            net.settle(10);
            String order = branchFirst ? "branch's edit first" : "retraction first";
            assertThat(journal(branchFirst ? "C" : "B1", JournalEntry.Kind.CONFLICT)).as(order).isNotEmpty();
            assertThat(net.get("B1", saleKey("S"))).as(order).isEmpty();
            assertThat(net.get("C", saleKey("S"))).as(order).contains(sale("S", "B2", "10.00"));
            assertThat(net.get("B2", saleKey("S"))).as(order).contains(sale("S", "B2", "10.00"));
            for (String node : net.names()) {
                assertThat(net.state(node).tombstones()).as(order + ": deleted nowhere, " + node).isEmpty();
            }
            net.checkClosed();
        }
    }

    // ---- R12 conflicts

    @Test
    @DisplayName("a branch editing what the central node just sent it is no conflict: the central node keeps the branch's version (R4, R12)")
    void editOfReceivedStateIsNoConflict() {
        network(TestPlans.routed());
        for (int i = 1; i <= 4; i++) {
            net.put("C", item("P" + i, "pad", "1"));
            net.exchange("C", "B1");
            net.exchange("B1", "C");
        }
        net.put("C", item("X", "central", "1"));
        ExportResult five = net.export("C", "B1").orElseThrow();
        assertThat(five.messageNo()).isEqualTo(5);
        net.deliver("B1");
        net.put("B1", item("X", "branch", "2"));
        ExportResult reply = net.exchange("B1", "C").orElseThrow();
        assertThat(reply.receivedNo()).isEqualTo(5);

        assertThat(net.get("C", itemKey("X"))).contains(item("X", "branch", "2"));
        assertThat(journal("C", JournalEntry.Kind.CONFLICT)).isEmpty();
        net.settle(10);
        assertEverywhere(itemKey("X"), item("X", "branch", "2"));
    }

    @Test
    @DisplayName("a resend of the state a branch had seen before its edit is no conflict at either end (R12)")
    void resendOfSeenStateIsNoConflict() {
        network(TestPlans.routed());
        net.put("C", item("X", "central", "1"));
        net.export("C", "B1");
        net.export("C", "B1"); // the same state again: the central node has no acknowledgment yet
        net.deliver("B1"); // loads the first; the second is a resend of what it has just seen...
        net.put("B1", item("X", "branch", "2"));
        net.export("C", "B1");
        net.deliver("B1"); // ...and so is this third message, loaded after the edit
        net.settle(10);

        assertEverywhere(itemKey("X"), item("X", "branch", "2"));
        assertThat(journal("B1", JournalEntry.Kind.CONFLICT)).isEmpty();
        assertThat(journal("C", JournalEntry.Kind.CONFLICT)).isEmpty();
    }

    @Test
    @DisplayName("the central node changing an object away and back while a branch edits it is a conflict decided alike at both ends (R12)")
    void changeAwayAndBackIsAConflict() {
        for (boolean branchFirst : new boolean[] {false, true}) {
            network(TestPlans.routed());
            net.put("C", item("X", "original", "1"));
            net.settle(10);
            net.put("B1", item("X", "branch", "2"));
            net.put("C", item("X", "central", "3"));
            net.put("C", item("X", "original", "1")); // back to the state the branch's edit replaced
            net.export("C", "B1");
            net.export("B1", "C");
            String order = branchFirst ? "branch loads first" : "central node loads first";
            if (branchFirst) {
                net.deliver("B1");
                net.deliver("C");
            } else {
                net.deliver("C");
                net.deliver("B1");
            }
            net.settle(10);

            assertEverywhere(itemKey("X"), item("X", "original", "1"));
            assertThat(journal("C", JournalEntry.Kind.CONFLICT)).as(order).singleElement()
                    .satisfies(e -> assertThat(e.detail()).contains("kept local"));
            assertThat(journal("B1", JournalEntry.Kind.CONFLICT)).as(order).singleElement()
                    .satisfies(e -> assertThat(e.detail()).contains("kept incoming"));
            net.checkClosed();
        }
    }

    @Test
    @DisplayName("the same object changed at the central node and at a branch converges to the parent's version by default (R12)")
    void parentWinsByDefault() {
        network(TestPlans.routed());
        concurrentEdits();
        assertEverywhere(itemKey("X"), item("X", "central", "3"));
        assertThat(journal("C", JournalEntry.Kind.CONFLICT)).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("parent").contains("kept local"));
        assertThat(journal("B1", JournalEntry.Kind.CONFLICT)).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("parent").contains("kept incoming"));
    }

    @Test
    @DisplayName("a custom resolver decides alike at both ends (R12)")
    void customResolverDecides() {
        network(TestPlans.routedBuilder("Trade").conflictResolver((parent, child, key) -> ConflictResolver.Winner.CHILD)
                .build());
        concurrentEdits();
        assertEverywhere(itemKey("X"), item("X", "branch", "2"));
    }

    private void concurrentEdits() {
        net.put("C", item("X", "original", "1"));
        net.settle(10);
        net.put("B1", item("X", "branch", "2"));
        net.put("C", item("X", "central", "3"));
        net.export("B1", "C");
        net.export("C", "B1");
        net.deliver("C");
        net.deliver("B1");
        net.settle(10);
    }

    @Test
    @DisplayName("two sibling branches editing one item converge to the first that reached the central node (R12)")
    void siblingsFirstArrivalWins() {
        network(TestPlans.routed());
        net.put("C", item("X", "original", "1"));
        net.settle(10);
        net.put("B1", item("X", "from B1", "2"));
        net.put("B2", item("X", "from B2", "3"));
        net.exchange("B2", "C");
        net.exchange("B1", "C");
        net.settle(10);
        assertEverywhere(itemKey("X"), item("X", "from B2", "3"));
    }

    @Test
    @DisplayName("an edit racing a deletion is decided by the resolver and every node agrees (R12, R13)")
    void editRacingDeletion() {
        for (ConflictResolver.Winner winner : ConflictResolver.Winner.values()) {
            network(TestPlans.routedBuilder("Trade").conflictResolver((p, c, k) -> winner).build());
            net.put("C", item("X", "original", "1"));
            net.settle(10);
            net.delete("C", itemKey("X"));
            net.put("B1", item("X", "edited", "2"));
            net.export("B1", "C");
            net.export("C", "B1");
            net.deliver("C");
            net.deliver("B1");
            net.settle(10);
            if (winner == ConflictResolver.Winner.PARENT) {
                for (String node : net.names()) {
                    assertThat(net.get(node, itemKey("X"))).as("deleted at " + node).isEmpty();
                }
            } else {
                assertEverywhere(itemKey("X"), item("X", "edited", "2"));
            }
            net.checkClosed();
        }
    }

    // ---- R13 deletions

    @Test
    @DisplayName("a stale upsert of a deleted object from a sender the deletion is still registered for does not resurrect it (R13)")
    void staleUpsertDoesNotResurrect() {
        network(TestPlans.routed());
        net.put("C", item("X", "original", "1"));
        net.settle(10);
        net.put("B1", item("X", "stale edit", "2"));
        net.delete("C", itemKey("X"));
        net.exchange("B1", "C");
        assertThat(net.get("C", itemKey("X"))).as("the deletion still registered for B1 wins at C").isEmpty();
        net.settle(10);
        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("X"))).as(node).isEmpty();
        }
    }

    @Test
    @DisplayName("a tombstone is kept while registered and for the retention period, then pruned (R13)")
    void tombstoneRetention() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        net.delete("C", itemKey("X"));
        net.clock().advance(net.plan().tombstoneRetention().plusDays(1));
        assertThat(net.node("C").pruneTombstones()).as("still registered for B1 and B2").isZero();
        net.settle(10);
        assertThat(net.node("B11").pruneTombstones()).as("deleted there after the clock moved: within retention")
                .isZero();
        assertThat(net.node("C").pruneTombstones()).isEqualTo(1);
        assertThat(net.state("C").tombstones()).isEmpty();
        assertThat(net.state("B11").tombstones()).containsExactly(itemKey("X"));
    }

    @Test
    @DisplayName("a kind that maps deletions to a deletion mark keeps the object, marked, everywhere (R13)")
    void deletionMark() {
        network(TestPlans.routedBuilder("Trade")
                .kind(io.dibex.ObjectKind.catalog("Unit").deletionMark("DeletionMark").build()).build());
        DataObject kg = DataObject.builder(ObjectKey.of("Unit", "kg")).set("Name", "kilogram").build();
        net.put("B11", kg);
        net.settle(10);
        net.delete("B11", kg.key());
        net.settle(10);
        DataObject marked = kg.toBuilder().set("DeletionMark", Value.of(true)).build();
        assertEverywhere(kg.key(), marked);
        for (String node : net.names()) {
            assertThat(net.state(node).tombstones()).as(node).isEmpty();
        }
    }

    // ---- R4 restored nodes

    @Test
    @DisplayName("a branch restored from an old backup gets back everything and never overwrites the central node's newer edit (R4)")
    void restoredBranchConverges() {
        for (ConflictResolver resolver : List.of(ConflictResolver.PARENT_WINS, CHILD_WINS)) {
            network(TestPlans.routedBuilder("Trade").conflictResolver(resolver).build());
            restoreBranchFromOldBackup();
            net.checkClosed();
        }
    }

    /** Child-wins: proves the restored-link rule, not the resolver, keeps a restored child's stale state out. */
    private static final ConflictResolver CHILD_WINS = (parent, child, key) -> ConflictResolver.Winner.CHILD;

    private void restoreBranchFromOldBackup() {
        net.put("B1", item("X", "by B1", "1"));
        net.put("B1", sale("S1", "B1", "5.00"));
        net.settle(10);
        Storage backup = net.backup("B1");

        net.put("B1", item("Y", "after backup", "1"));
        net.exchange("B1", "C");
        net.put("C", item("X", "central edit", "2"));
        net.exchange("C", "B1");
        net.put("C", sale("S2", "B11", "7.00"));
        net.exchange("C", "B1");

        net.restore("B1", backup);
        assertThat(net.get("B1", itemKey("X"))).contains(item("X", "by B1", "1"));
        net.put("B1", item("X", "stale edit after restore", "9"));
        quiesce();

        assertEverywhere(itemKey("X"), item("X", "central edit", "2"));
        assertEverywhere(itemKey("Y"), item("Y", "after backup", "1"));
        for (String node : List.of("C", "B1", "B11")) {
            assertThat(net.get(node, saleKey("S2"))).as(node).contains(sale("S2", "B11", "7.00"));
        }
        for (String node : List.of("C", "B1")) {
            assertThat(net.get(node, saleKey("S1"))).as(node).contains(sale("S1", "B1", "5.00"));
        }
        assertThat(net.get("B11", saleKey("S1"))).as("not routed below its owner").isEmpty();
        assertThat(journal("C", JournalEntry.Kind.RESTORE)).as("C registered everything again for B1").isNotEmpty();
        assertThat(journal("B1", JournalEntry.Kind.RESTORE)).as("B1 found it was restored").isNotEmpty();
    }

    @Test
    @DisplayName("a branch restored from a backup that still holds a document moved away from it has it retracted again (R4, R9)")
    void restoredBranchLosesWhatWasRetractedAfterItsBackup() {
        network(TestPlans.routed());
        net.put("B11", sale("S", "B11", "5.00"));
        net.settle(10);
        Storage backup = net.backup("B11");
        net.put("C", sale("S", "B2", "5.00")); // moved: retracted at B1 and B11, which hold no tombstone
        net.settle(10);
        assertThat(net.get("B11", saleKey("S"))).isEmpty();

        net.restore("B11", backup);
        assertThat(net.get("B11", saleKey("S"))).as("back from the backup").isPresent();
        quiesce();

        assertThat(net.get("B11", saleKey("S"))).as("retracted again").isEmpty();
        assertThat(net.get("B1", saleKey("S"))).isEmpty();
        assertThat(net.get("B2", saleKey("S"))).contains(sale("S", "B2", "5.00"));
        assertThat(net.get("C", saleKey("S"))).contains(sale("S", "B2", "5.00"));
        for (String node : net.names()) {
            assertThat(net.state(node).tombstones()).as("deleted nowhere, " + node).isEmpty();
        }
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a central node restored from a backup taken before it moved a document away from a branch sends it there again (R4, R9)")
    void restoredCentralSendsBackWhatItHadRetracted() {
        network(TestPlans.routed());
        net.put("B11", sale("S", "B11", "5.00"));
        net.settle(10);
        Storage backup = net.backup("C");
        net.put("C", sale("S", "C", "5.00")); // moved to C itself: retracted at B1 and B11, no tombstone there
        net.settle(10);
        assertThat(net.get("B1", saleKey("S"))).isEmpty();

        net.restore("C", backup);
        assertThat(net.get("C", saleKey("S"))).as("back from the backup, owned by B11").contains(sale("S", "B11", "5.00"));
        assertThat(net.node("C").pendingRegistrations("B1")).as("acknowledged before the backup").isZero();
        quiesce();

        for (String node : List.of("C", "B1", "B11")) {
            assertThat(net.get(node, saleKey("S"))).as(node).contains(sale("S", "B11", "5.00"));
        }
        assertThat(net.get("B2", saleKey("S"))).isEmpty();
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a central node restored from a backup that never held a document it later moved away gets it back from the branch that kept a copy of what was retracted (R4, R9)")
    void restoredCentralGetsBackWhatItHadMovedAwayFromTheBranchesCopy() {
        network(TestPlans.routed());
        Storage backup = net.backup("C"); // before the sale exists
        net.put("C", item("Y", "y", "1")); // C's history goes on after the backup
        net.settle(10);
        net.put("B11", sale("S", "B11", "5.00"));
        net.settle(10);
        net.put("C", sale("S", "C", "5.00")); // moved to C itself: retracted at B1 and B11
        net.settle(10);
        assertThat(net.get("B1", saleKey("S"))).isEmpty();
        assertThat(net.get("B11", saleKey("S"))).isEmpty();

        net.restore("C", backup); // the sale is nowhere now but in the copies B1 and B11 kept
        assertThat(net.get("C", saleKey("S"))).isEmpty();
        quiesce();

        for (String node : List.of("C", "B1", "B11")) {
            assertThat(net.get(node, saleKey("S"))).as(node).contains(sale("S", "B11", "5.00"));
        }
        assertThat(net.get("B2", saleKey("S"))).isEmpty();
        assertEverywhere(itemKey("Y"), item("Y", "y", "1"));
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a copy of what was retracted, offered back to a restored node whose backup holds the move, changes nothing: the retraction stands (R4, R9)")
    void retractedCopyYieldsToAMoveTheRestoredNodeKept() {
        network(TestPlans.routed());
        net.put("B1", sale("S", "B1", "5.00"));
        net.settle(10);
        net.put("C", sale("S", "C", "5.00")); // moved to C itself: retracted at B1, which keeps a copy
        net.settle(10);
        Storage backup = net.backup("C"); // holds the move
        net.put("C", item("Y", "y", "1")); // C's history goes on after the backup
        net.settle(10);

        net.restore("C", backup);
        quiesce();

        assertThat(net.get("C", saleKey("S"))).contains(sale("S", "C", "5.00"));
        assertThat(net.get("B1", saleKey("S"))).as("held again while offered, then retracted again").isEmpty();
        assertThat(journal("C", JournalEntry.Kind.CONFLICT)).anySatisfy(e -> assertThat(e.detail())
                .startsWith("incoming STATE").contains("vs local RETRACTION")
                .contains("B1 offers back a copy of what this node had retracted from it").contains("kept local"));
        assertEverywhere(itemKey("Y"), item("Y", "y", "1"));
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a restored central node's old state never overwrites a branch's newer one, whatever the resolver (R4)")
    void restoredCentralOldStateLoses() {
        network(TestPlans.routed());
        net.put("C", item("X", "old at C", "1"));
        Storage backup = net.backup("C");
        net.settle(10);
        net.put("B1", item("X", "newer at B1", "2"));
        net.settle(10);
        assertEverywhere(itemKey("X"), item("X", "newer at B1", "2"));

        net.restore("C", backup);
        assertThat(net.node("C").pendingRegistrations("B1")).as("the backup still holds X v1 for B1").isEqualTo(1);
        quiesce();

        assertEverywhere(itemKey("X"), item("X", "newer at B1", "2"));
        assertThat(journal("B1", JournalEntry.Kind.CONFLICT)).anySatisfy(e -> assertThat(e.detail())
                .contains("C was restored from a backup: this node's version wins"));
    }

    @Test
    @DisplayName("a central node restored from a backup gets back every change its branches had seen (R4)")
    void restoredCentralConverges() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        Storage backup = net.backup("C");
        net.put("B1", item("Y", "y", "1"));
        net.put("B11", sale("S", "B11", "3.00"));
        net.put("C", item("Z", "z", "1"));
        net.settle(10);
        net.delete("B2", itemKey("X"));
        net.exchange("B2", "C");

        net.restore("C", backup);
        quiesce();

        assertEverywhere(itemKey("Y"), item("Y", "y", "1"));
        assertEverywhere(itemKey("Z"), item("Z", "z", "1"));
        for (String node : List.of("C", "B1", "B11")) {
            assertThat(net.get(node, saleKey("S"))).as(node).contains(sale("S", "B11", "3.00"));
        }
        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("X"))).as("the deletion that had reached C before its restore, " + node)
                    .isEmpty();
        }
    }

    @Test
    @DisplayName("a restored middle node keeps a deletion it loaded after the restore against an older edit from its other side: the resolver decides, nothing is resurrected (R4, R12)")
    void restoredMiddleNodeKeepsWhatItLoadedAfterTheRestore() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        Storage backup = net.backup("B1");
        net.put("C", item("Y", "y", "1")); // B1's history goes on after the backup, on both of its links
        net.settle(10);

        net.restore("B1", backup);
        net.put("B11", item("Z", "z", "1"));
        net.exchange("B11", "B1"); // B1 finds on this link that it was restored
        net.delete("C", itemKey("X"));
        net.exchange("C", "B1"); // and on this one; the deletion is loaded after the restore
        assertThat(net.get("B1", itemKey("X"))).isEmpty();
        for (int i = 0; i < 2; i++) { // the link to C heals: C re-registers for B1, and each side acknowledges
            net.exchange("B1", "C");
            net.exchange("C", "B1");
        }
        assertThat(net.node("C").pendingRegistrations("B1")).isZero();
        net.put("B11", item("X", "edited at B11 before the deletion reached it", "2"));
        net.exchange("B11", "B1"); // the edit meets the deletion on B1's restored link to B11
        quiesce();

        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("X"))).as("the deletion stands at " + node).isEmpty();
        }
        assertEverywhere(itemKey("Z"), item("Z", "z", "1"));
        assertEverywhere(itemKey("Y"), item("Y", "y", "1"));
        assertThat(journal("B1", JournalEntry.Kind.CONFLICT)).anySatisfy(e -> assertThat(e.detail())
                .contains("the resolver chose the parent's version; kept local"));
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a restored middle node that loads a deletion of what it forgot it had passed on meets the copy its child sends back with the tombstone: nothing is resurrected (R4, R13)")
    void restoredMiddleNodeTombstoneMeetsTheCopyItForgot() {
        network(TestPlans.routed());
        Storage backup = net.backup("B1");
        net.put("C", item("Y", "y", "1")); // B1's history goes on after the backup, on both of its links
        net.settle(10);
        net.put("C", item("X", "x", "1")); // and passes X on to B11
        net.settle(10);

        net.restore("B1", backup); // B1 holds neither X nor any row saying that B11 has it
        net.delete("C", itemKey("X"));
        net.exchange("B1", "C"); // C finds that B1 was restored
        net.exchange("C", "B1"); // B1 learns it, and loads the deletion of an X it does not hold
        assertThat(net.state("B1").tombstones()).contains(itemKey("X"));
        assertThat(net.node("B1").pendingRegistrations("B11")).as("nothing tells B1 that B11 holds X").isZero();
        net.exchange("B1", "B11"); // a number B11 has loaded: a duplicate to it
        net.put("B11", item("Z", "z", "1"));
        net.exchange("B11", "B1"); // B1 learns on this link too that it was restored
        net.exchange("B1", "B11"); // B11 loads the restored flag and registers again everything, X included
        assertThat(net.node("B11").pendingRegistrations("B1")).isPositive();
        net.exchange("B11", "B1"); // X comes back to B1 over its tombstone
        assertThat(net.get("B1", itemKey("X"))).as("the deletion wins at B1").isEmpty();
        quiesce();

        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("X"))).as("the deletion stands at " + node).isEmpty();
        }
        assertEverywhere(itemKey("Y"), item("Y", "y", "1"));
        assertEverywhere(itemKey("Z"), item("Z", "z", "1"));
        assertThat(journal("B1", JournalEntry.Kind.CONFLICT)).anySatisfy(e -> assertThat(e.detail())
                .startsWith("incoming STATE").contains("vs local DELETION").contains("kept local"));
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a middle node restored from a backup taken while it refused its restored leaf, which then finds it restored too: the two stop refusing each other (R4)")
    void twoRestoredNeighboursStopRefusingEachOther() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        Storage leafBackup = net.backup("B11");
        net.put("B11", item("Y", "y", "1")); // B11's history goes on after its backup
        net.settle(10);

        net.restore("B11", leafBackup);
        net.put("B11", item("Z", "z", "1"));
        refusedAfterItsRestore("B11", "B1");
        Storage middleBackup = net.backup("B1"); // a backup that holds this refusal
        net.exchange("B1", "B11"); // B11 learns that it was restored
        net.exchange("B11", "B1"); // and says so: B1 loads it and registers everything again for B11
        net.settle(10);
        assertThat(net.get("B1", itemKey("Z"))).contains(item("Z", "z", "1"));

        net.restore("B1", middleBackup); // refusing B11 again, its numbers to B11 going back
        net.put("B1", item("W", "w", "1"));
        net.put("B11", item("V", "v", "1"));
        refusedAfterItsRestore("B1", "B11"); // B11 refuses B1 in turn
        assertThat(net.node("B1").peerState("B11").peerRegressed()).as("and B1 still refuses B11").isTrue();
        quiesce(); // each refusal's acknowledgment tells the other end it was restored

        for (String key : List.of("X", "Y", "Z", "W", "V")) {
            DataObject expected = net.get("C", itemKey(key)).orElseThrow();
            assertEverywhere(itemKey(key), expected);
        }
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a middle node restored from a backup that recorded a refusal of the restored central node drops it once it finds its own restore: the central node is not taken for restored again (R4)")
    void restoredNodeDropsARefusalItsBackupRecorded() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        Storage centralBackup = net.backup("C");
        net.put("C", item("Y", "y", "1")); // C's history goes on after its backup
        net.settle(10);

        net.restore("C", centralBackup);
        net.put("C", item("Z", "z", "1"));
        refusedAfterItsRestore("C", "B1");
        Storage middleBackup = net.backup("B1"); // a backup that holds this refusal
        quiesce(); // C learns, says so, and the link heals
        assertThat(net.node("B1").peerState("C").peerRegressed()).isFalse();
        long centralRestores = journal("C", JournalEntry.Kind.RESTORE).stream()
                .filter(e -> e.detail().contains("this node was restored")).count();

        net.restore("B1", middleBackup); // refusing C again, on its backup's word
        quiesce();

        assertThat(journal("C", JournalEntry.Kind.RESTORE).stream()
                .filter(e -> e.detail().contains("this node was restored")).count())
                .as("C was restored once, and is not told otherwise by B1's old refusal").isEqualTo(centralRestores);
        for (String key : List.of("X", "Y", "Z")) {
            assertEverywhere(itemKey(key), net.get("C", itemKey(key)).orElseThrow());
        }
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a restored node that keeps its version against a change acknowledging its lost history sends it as a change, and both ends agree (R4, R12)")
    void restoredNodeKeepsItsVersionAgainstALostHistoryAcknowledgment() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        Storage backup = net.backup("C");
        net.put("C", item("Y", "y", "1")); // B1 and B2 load messages of C's history that the restore loses
        net.settle(10);

        net.restore("C", backup);
        net.put("B1", item("Z", "z", "1"));
        net.exchange("B1", "C"); // C finds on this link that it was restored
        net.delete("B1", itemKey("X"));
        net.exchange("B1", "C"); // loaded after C knew: a change of C's for B2, not one from its backup
        net.export("C", "B2"); // numbered as a message B2 already loaded: not applied there
        net.deliver("B2");
        assertThat(net.get("B2", itemKey("X"))).isPresent();
        net.put("B2", item("X", "edited at B2", "2"));
        net.exchange("B2", "C"); // acknowledges C's lost history; the resolver keeps C's deletion
        assertThat(net.get("C", itemKey("X"))).isEmpty();
        quiesce();

        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("X"))).as("the deletion C kept stands at " + node).isEmpty();
        }
        assertEverywhere(itemKey("Y"), item("Y", "y", "1"));
        assertEverywhere(itemKey("Z"), item("Z", "z", "1"));
        assertThat(journal("B2", JournalEntry.Kind.CONFLICT)).anySatisfy(e -> assertThat(e.detail())
                .contains("the resolver chose the parent's version; kept incoming"));
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a change a leaf made between two restores from one backup, loaded by its parent with the first restored flag it sees, goes back to the leaf (R4)")
    void changeBetweenTwoRestoresGoesBackToTheLeaf() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        Storage backup = net.backup("B11");
        net.put("C", item("Y", "y", "1")); // B11's history goes on after the backup
        net.settle(10);

        net.restore("B11", backup);
        net.put("B1", item("W", "w", "1"));
        net.exchange("B1", "B11"); // B11 finds it was restored
        net.put("B11", item("Z", "made between the two restores", "1"));
        net.transport().holdNext("B11", "B1");
        net.export("B11", "B1"); // its restored flag and Z, held on the way
        net.restore("B11", backup); // restored again, from the same backup: Z is gone there
        assertThat(net.get("B11", itemKey("Z"))).isEmpty();
        net.put("B1", item("W", "w", "2"));
        net.exchange("B1", "B11"); // B11 finds it was restored again; its flag goes out from the held number
        net.transport().releaseHeld();
        net.deliver("B1"); // the first flag B1 sees: it registers everything for B11, then loads Z
        assertThat(net.get("B1", itemKey("Z"))).isPresent();
        net.exchange("B11", "B1"); // B11's flag from its own number again: already loaded, skipped
        net.exchange("B11", "B1"); // the next, loaded: nothing says B11 was restored once more
        net.exchange("B1", "B11");
        quiesce();

        assertEverywhere(itemKey("Z"), item("Z", "made between the two restores", "1"));
        assertEverywhere(itemKey("W"), item("W", "w", "2"));
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a restored leaf whose lost message its parent loaded last is found by a later message's earlier ids (R4)")
    void lostHistoryMessageLoadedLastIsFoundByEarlierIds() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        Storage backup = net.backup("B11");
        net.put("B11", item("Z", "made after the backup", "1"));
        net.transport().holdNext("B11", "B1");
        net.export("B11", "B1"); // Z, in a message of the history the restore takes, held on the way

        net.restore("B11", backup);
        assertThat(net.get("B11", itemKey("Z"))).isEmpty();
        net.put("B11", item("W", "made after the restore", "1"));
        net.transport().dropNext("B11", "B1");
        net.export("B11", "B1"); // the new history's message of Z's number: lost
        net.transport().dropNext("B11", "B1");
        net.export("B11", "B1"); // and the next one, whose previousId would have told: lost too
        net.transport().releaseHeld();
        net.deliver("B1"); // B1 loads Z: its last message from B11 is one of the lost history
        assertThat(net.get("B1", itemKey("Z"))).isPresent();
        net.export("B11", "B1"); // numbered after the next: only its earlier ids name Z's number
        net.deliver("B1");
        assertThat(journal("B1", JournalEntry.Kind.RESTORE)).as("B1 finds B11 restored").isNotEmpty();
        quiesce();

        assertEverywhere(itemKey("Z"), item("Z", "made after the backup", "1"));
        assertEverywhere(itemKey("W"), item("W", "made after the restore", "1"));
        assertThat(net.totalRegistrations()).isZero();
    }

    @Test
    @DisplayName("a restored branch that stays idle is found at the keep-alive (R4, R7)")
    void idleRestoredBranchIsFoundByKeepAlive() {
        network(TestPlans.routed());
        net.put("C", item("X", "x", "1"));
        net.settle(10);
        Storage backup = net.backup("B2");
        net.put("C", item("Y", "y", "1"));
        net.settle(10);
        net.restore("B2", backup);
        assertThat(net.get("B2", itemKey("Y"))).isEmpty();
        assertThat(net.round()).as("both sides idle: nothing moves").isZero();

        net.clock().advance(net.plan().keepAlive());
        net.settle(10);
        assertEverywhere(itemKey("Y"), item("Y", "y", "1"));
    }

    // ---- R6 poison objects

    @Test
    @DisplayName("an object the host refuses fails the whole body, again and again, while acknowledgments flow both ways (R6)")
    void poisonKeepsFailingByDefault() {
        network(TestPlans.routed());
        net.hooks("B1").refusePuts(o -> o.key().equals(itemKey("D")));
        net.put("B1", item("E", "from B1", "1"));
        net.exchange("B1", "C");
        net.put("C", item("A", "a", "1"));
        net.put("C", item("B", "b", "1"));
        net.put("C", item("D", "poison", "-1"));
        net.export("C", "B1");
        List<ImportResult> loaded = net.deliver("B1");
        assertThat(loaded).isEmpty();
        assertThat(net.get("B1", itemKey("A"))).as("all or nothing").isEmpty();
        assertThat(net.node("B1").pendingRegistrations("C")).as("C's header acknowledged E anyway").isZero();

        net.put("B1", item("F", "from B1", "1"));
        net.exchange("B1", "C");
        assertThat(net.get("C", itemKey("F"))).as("data still flows upwards").isPresent();
        net.export("C", "B1");
        net.deliver("B1");
        assertThat(net.get("B1", itemKey("A"))).as("keeps failing").isEmpty();
        assertThat(journal("B1", JournalEntry.Kind.IMPORT_FAILED)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.keys()).containsExactly(itemKey("D")));
        assertThat(net.node("C").pendingRegistrations("B1")).as("C keeps its rows for B1").isEqualTo(3);
    }

    @Test
    @DisplayName("with quarantine the refused object is set aside, the rest applied, and a newer edit goes through (R6)")
    void poisonIsQuarantined() {
        network(TestPlans.routedBuilder("Trade").poisonPolicy(PoisonPolicy.QUARANTINE).build());
        net.hooks("B1").refusePuts(o -> o.key().equals(itemKey("D"))
                && ((Value.Decimal) o.get("Price")).value().signum() < 0);
        net.put("C", item("A", "a", "1"));
        net.put("C", item("B", "b", "1"));
        net.put("C", item("D", "poison", "-1"));
        net.exchange("C", "B1");
        assertThat(net.get("B1", itemKey("A"))).isPresent();
        assertThat(net.get("B1", itemKey("B"))).isPresent();
        assertThat(net.get("B1", itemKey("D"))).isEmpty();
        assertThat(journal("B1", JournalEntry.Kind.QUARANTINE)).singleElement().satisfies(e -> {
            assertThat(e.keys()).containsExactly(itemKey("D"));
            assertThat(e.detail()).contains("refused by the host's rule");
        });

        net.exchange("B1", "C");
        Optional<Registration> held = net.state("C").registrations().get("B1").stream()
                .filter(r -> r.key().equals(itemKey("D"))).findFirst();
        assertThat(held).as("kept registered, marked rejected").hasValueSatisfying(r -> assertThat(r.rejected()).isTrue());
        assertThat(net.node("C").pendingRegistrations("B1")).isEqualTo(1);
        net.settle(10, 1);
        assertThat(net.export("C", "B1")).as("not resent").isEmpty();

        net.put("C", item("D", "fixed", "4"));
        net.settle(10, 0);
        assertEverywhere(itemKey("D"), item("D", "fixed", "4"));
        assertThat(net.node("B1").pendingRegistrations("C")).isZero();
    }

    // ---- helpers

    /** Runs rounds, with a keep-alive period between them, until nothing moves and nothing is registered. */
    private void quiesce() {
        for (int i = 0; i < 6; i++) {
            net.clock().advance(net.plan().keepAlive());
            net.settle(20);
        }
    }

    /**
     * Exchanges from the restored node to its peer until the peer finds it restored (a number it has
     * loaded comes again with another id) and refuses its messages.
     */
    private void refusedAfterItsRestore(String restored, String peer) {
        for (int i = 0; i < 5 && !net.node(peer).peerState(restored).peerRegressed(); i++) {
            net.exchange(restored, peer);
        }
        assertThat(net.node(peer).peerState(restored).peerRegressed()).as(peer + " refuses the restored " + restored)
                .isTrue();
    }

    private void assertEverywhere(ObjectKey key, DataObject expected) {
        for (String node : net.names()) {
            assertThat(net.get(node, key)).as(key + " at " + node).contains(expected);
        }
    }

    private List<JournalEntry> journal(String node, JournalEntry.Kind kind) {
        return net.node(node).journal().stream().filter(e -> e.kind() == kind).collect(Collectors.toList());
    }

    private long itemsLoaded(String node) {
        return journal(node, JournalEntry.Kind.IMPORT).stream().mapToLong(JournalEntry::objects).sum();
    }

    private long itemsLoaded(String node, String from) {
        return journal(node, JournalEntry.Kind.IMPORT).stream().filter(e -> e.peer().equals(from))
                .mapToLong(JournalEntry::objects).sum();
    }
}
