package io.dibex.tck;

import static io.dibex.tck.TestPlans.item;
import static io.dibex.tck.TestPlans.itemKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dibex.DibexException;
import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.HeaderRejectedException;
import io.dibex.ImportFailedException;
import io.dibex.ImportResult;
import io.dibex.MalformedMessageException;
import io.dibex.NumberingExhaustedException;
import io.dibex.ObjectKind;
import io.dibex.Routing;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.ValueType;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The multi-node scenarios of the exchange core (R1–R8, R15), written once and run over any
 * {@link NetworkConfig}: extend this class and return the configuration to test. The network is
 * the central node {@code C}, branches {@code B1} and {@code B2}, and {@code B11} under
 * {@code B1}; every message crosses as bytes.
 */
public abstract class ExchangeScenarios {

    /** The store, codec and transport under test. */
    protected abstract NetworkConfig config();

    /** The network of the current test. */
    protected Network net;

    @BeforeEach
    void buildNetwork() {
        net = new Network(TestPlans.trade(), config());
    }

    @AfterEach
    void nothingLeftOpen() {
        net.checkClosed();
    }

    // ---- R1

    @Test
    @DisplayName("a node that has numbered message Long.MAX_VALUE to a peer refuses to send to it, and nothing changes (R1)")
    void numberingStopsAtLongMaxValue() {
        inStore("C", tx -> {
            tx.exchange().putPeer(tx.exchange().peer("B1").withLastAllocatedNo(Long.MAX_VALUE));
            return null;
        });
        net.put("C", item("A", "a", "1"));
        NodeState before = net.state("C");

        assertThatThrownBy(() -> net.export("C", "B1")).isInstanceOf(NumberingExhaustedException.class)
                .hasMessageContaining(String.valueOf(Long.MAX_VALUE));
        assertThat(net.state("C")).isEqualTo(before);
        assertThat(net.transport().receive("B1")).as("nothing handed over").isEmpty();
        assertThat(net.export("C", "B2")).as("the other links go on").isPresent();
    }

    // ---- R2

    @Test
    @DisplayName("a change made after a message was sent survives its acknowledgment and is sent again (R2)")
    void changeAfterSendSurvivesAcknowledgment() {
        net.put("C", item("A", "first", "1.00"));
        ExportResult first = net.export("C", "B1").orElseThrow();
        assertThat(first.upserts()).isEqualTo(1);

        net.put("C", item("A", "second", "2.00"));
        net.deliver("B1");
        assertThat(net.get("B1", itemKey("A"))).contains(item("A", "first", "1.00"));

        net.exchange("B1", "C");
        assertThat(net.node("C").peerState("B1").acknowledgedNo()).isEqualTo(first.messageNo());
        assertThat(net.node("C").pendingRegistrations("B1"))
                .as("the newer state is still registered after message %d was acknowledged", first.messageNo())
                .isEqualTo(1);

        ExportResult second = net.exchange("C", "B1").orElseThrow();
        assertThat(second.upserts()).isEqualTo(1);
        assertThat(net.get("B1", itemKey("A"))).contains(item("A", "second", "2.00"));

        net.settle(10);
        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("A"))).as(node).contains(item("A", "second", "2.00"));
        }
    }

    // ---- R3, R4 by digest

    @Test
    @DisplayName("a host write between numbering and reading is not lost when that message is acknowledged (R3)")
    void hostWriteBetweenNumberingAndReadingIsNotLost() {
        net.put("C", item("A", "first", "1.00"));
        // The export's first transaction numbers A; the host rewrites A before the second one reads states.
        net.hooks("C").beforeBegin(2, () -> net.put("C", item("A", "second", "2.00")));
        ExportResult n = net.export("C", "B1").orElseThrow();
        assertThat(n.newlyNumbered()).isEqualTo(1);

        net.deliver("B1");
        net.exchange("B1", "C");
        assertThat(net.node("C").peerState("B1").acknowledgedNo()).isEqualTo(n.messageNo());
        assertThat(net.node("C").pendingRegistrations("B1"))
                .as("the write after numbering keeps its registration through the acknowledgment of %d", n.messageNo())
                .isEqualTo(1);

        net.exchange("C", "B1");
        assertThat(net.get("B1", itemKey("A"))).contains(item("A", "second", "2.00"));
        net.exchange("B1", "C");
        assertThat(net.node("C").pendingRegistrations("B1")).isZero();
    }

    @Test
    @DisplayName("a row changed back to the state its message carried is removed by that message's acknowledgment (R4)")
    void acknowledgmentRemovesRowByDigest() {
        net.put("C", item("A", "first", "1.00"));
        net.put("C", item("B", "first", "1.00"));
        ExportResult n = net.export("C", "B1").orElseThrow();
        assertThat(n.upserts()).isEqualTo(2);
        // After the export, A changes and changes back to the very state message n carried; B changes.
        net.put("C", item("A", "in between", "5.00"));
        net.put("C", item("A", "first", "1.00"));
        net.put("C", item("B", "second", "2.00"));
        assertThat(registration("C", "B1", "A").firstSentNo()).isZero();
        assertThat(registration("C", "B1", "A").lastSentNo()).isEqualTo(n.messageNo());

        net.deliver("B1");
        net.exchange("B1", "C");

        assertThat(net.state("C").registrations().get("B1"))
                .as("B1 holds A as message %d carried it: no reason to keep or resend it", n.messageNo())
                .extracting(Registration::key)
                .containsExactly(itemKey("B"));
    }

    // ---- R3

    @Test
    @DisplayName("with a cap on new rows, each message numbers at most that many more and still carries every numbered row (R3)")
    void capOnNewRowsPerMessage() {
        Network capped = new Network(TestPlans.tradeBuilder("Trade").newRowsPerMessage(2).build(), config());
        for (String code : List.of("A", "B", "D", "E", "F")) {
            capped.put("C", item(code, code, "1"));
        }
        ExportResult first = capped.exchange("C", "B1").orElseThrow();
        assertThat(first.newlyNumbered()).isEqualTo(2);
        assertThat(first.upserts()).isEqualTo(2);
        assertThat(capped.state("B1").objects()).as("the first rows in key order")
                .containsOnlyKeys(itemKey("A"), itemKey("B"));

        ExportResult second = capped.exchange("C", "B1").orElseThrow();
        assertThat(second.newlyNumbered()).isEqualTo(2);
        assertThat(second.upserts()).as("A and B are not acknowledged yet and go again").isEqualTo(4);
        ExportResult third = capped.exchange("C", "B1").orElseThrow();
        assertThat(third.newlyNumbered()).isEqualTo(1);
        assertThat(third.upserts()).isEqualTo(5);

        capped.settle(10);
        for (String node : capped.names()) {
            assertThat(capped.state(node).objects()).as(node).hasSize(5);
        }
        capped.checkClosed();
    }

    @Test
    @DisplayName("a message carries catalogs before documents, whatever the order of their keys (R3)")
    void catalogsTravelBeforeDocuments() {
        ExchangePlan plan = TestPlans.tradeBuilder("Trade")
                .kind(ObjectKind.catalog("Warehouse").field("Code", ValueType.STRING).build()).build();
        Network wh = new Network(plan, config());
        ObjectKey warehouse = ObjectKey.of("Warehouse", "W1");
        ObjectKey sale = ObjectKey.of(TestPlans.SALE, "S1");
        wh.put("C", TestPlans.sale("S1", "C", "10.00"));
        wh.put("C", DataObject.builder(warehouse).set("Code", "W1").build());
        wh.put("C", item("A", "a", "1"));
        assertThat(List.of(itemKey("A"), sale, warehouse)).as("key order puts the document between the catalogs")
                .isSorted();

        wh.export("C", "B1").orElseThrow();
        List<IncomingMessage> waiting = wh.transport().receive("B1");
        assertThat(waiting).hasSize(1);
        List<ObjectKey> order = keysIn(plan, waiting.get(0));
        waiting.get(0).release();
        assertThat(order).containsExactly(itemKey("A"), warehouse, sale);

        wh.deliver("B1");
        assertThat(wh.state("B1").objects()).containsOnlyKeys(itemKey("A"), warehouse, sale);
        wh.checkClosed();
    }

    @Test
    @DisplayName("a deleted object travels as a deletion and leaves a tombstone at every node (R3)")
    void deletionTravelsAsADeletion() {
        net.put("C", item("A", "a", "1"));
        net.settle(10);
        assertThat(net.delete("C", itemKey("A"))).isTrue();

        ExportResult sent = net.exchange("C", "B1").orElseThrow();
        assertThat(sent.deletions()).isEqualTo(1);
        assertThat(sent.upserts() + sent.retractions()).isZero();

        net.settle(10);
        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("A"))).as(node).isEmpty();
            assertThat(net.state(node).tombstones()).as(node).containsExactly(itemKey("A"));
        }
    }

    @Test
    @DisplayName("an object that stops going to a branch is sent there as a retraction, which leaves no tombstone (R3)")
    void objectNoLongerRoutedThereIsRetracted() {
        ExchangePlan shape = TestPlans.trade();
        // A sale belongs at its owner and at the owner's ancestors.
        Routing byOwner = (o, node) -> !o.key().kind().equals(TestPlans.SALE)
                || shape.subtreeOf(node).contains(o.text("Owner").orElseThrow());
        Network routed = new Network(TestPlans.tradeBuilder("Trade").routing(byOwner).build(), config());
        ObjectKey s1 = ObjectKey.of(TestPlans.SALE, "S1");
        routed.put("C", TestPlans.sale("S1", "B11", "10.00"));
        routed.settle(10);
        assertThat(routed.get("B11", s1)).isPresent();
        assertThat(routed.get("B2", s1)).isEmpty();

        routed.put("C", TestPlans.sale("S1", "B2", "10.00"));
        ExportResult toB1 = routed.exchange("C", "B1").orElseThrow();
        assertThat(toB1.retractions()).isEqualTo(1);
        assertThat(toB1.upserts() + toB1.deletions()).isZero();
        ExportResult toB11 = routed.exchange("B1", "B11").orElseThrow();
        assertThat(toB11.retractions()).as("B1 holds no tombstone: absent, so a retraction").isEqualTo(1);
        assertThat(toB11.deletions()).isZero();

        routed.settle(10);
        assertThat(routed.get("C", s1)).contains(TestPlans.sale("S1", "B2", "10.00"));
        assertThat(routed.get("B2", s1)).contains(TestPlans.sale("S1", "B2", "10.00"));
        assertThat(routed.get("B1", s1)).isEmpty();
        assertThat(routed.get("B11", s1)).isEmpty();
        for (String node : routed.names()) {
            assertThat(routed.state(node).tombstones()).as("%s: a retraction is not a deletion", node).isEmpty();
        }
        routed.checkClosed();
    }

    @Test
    @DisplayName("an export hands its message over only after recording what it carried: a failure before that hands nothing over (R3)")
    void exportHandsOverOnlyAfterRecording() {
        net.put("C", item("A", "a", "1"));
        net.put("C", item("B", "b", "2"));
        Storage backup = net.backup("C");
        net.failing("C").reset();
        net.export("C", "B1").orElseThrow();
        long calls = net.failing("C").calls();
        drain("B1");

        int failed = 0;
        for (long n = 1; n <= calls; n++) {
            net.restore("C", backup);
            net.failing("C").failAt(n);
            Throwable thrown = catchThrowable(() -> net.export("C", "B1"));
            List<IncomingMessage> handed = net.transport().receive("B1");
            handed.forEach(IncomingMessage::commit);
            // A commit may fail after the hand-over (T3's commit is the step after it); any other failure may not.
            if (thrown == null || thrown.getMessage().contains("StoreTransaction.commit")) {
                continue;
            }
            assertThat(handed).as("call %d: %s", n, thrown.getMessage()).isEmpty();
            failed++;
        }
        assertThat(failed).isGreaterThan(5);
    }

    // ---- R5

    @Test
    @DisplayName("a lost message is covered by the next one (R5)")
    void lostMessageIsCoveredByTheNext() {
        net.put("C", item("A", "a", "1"));
        net.transport().dropNext("C", "B1");
        ExportResult lost = net.export("C", "B1").orElseThrow();
        net.put("C", item("B", "b", "2"));
        ExportResult next = net.export("C", "B1").orElseThrow();
        assertThat(next.messageNo()).isEqualTo(lost.messageNo() + 1);
        assertThat(next.upserts()).as("every message carries every numbered row").isEqualTo(2);

        List<ImportResult> loaded = net.deliver("B1");
        assertThat(loaded).extracting(ImportResult::status).containsExactly(ImportResult.Status.APPLIED);
        assertThat(net.get("B1", itemKey("A"))).isPresent();
        assertThat(net.get("B1", itemKey("B"))).isPresent();
    }

    @Test
    @DisplayName("a redelivered message is skipped as already received and changes nothing (R5)")
    void duplicateChangesNothing() {
        net.put("C", item("A", "a", "1"));
        net.transport().duplicateNext("C", "B1");
        net.export("C", "B1").orElseThrow();
        List<IncomingMessage> copies = net.transport().receive("B1");
        assertThat(copies).hasSize(2);

        ImportResult first = net.node("B1").importMessage(copies.get(0));
        assertThat(first.status()).isEqualTo(ImportResult.Status.APPLIED);
        NodeState afterFirst = net.state("B1");

        ImportResult second = net.node("B1").importMessage(copies.get(1));
        assertThat(second.status()).isEqualTo(ImportResult.Status.ALREADY_RECEIVED);
        assertThat(net.state("B1")).isEqualTo(afterFirst);
        assertThat(journalKinds("B1")).contains(JournalEntry.Kind.DUPLICATE);
    }

    @Test
    @DisplayName("a stale message arriving after a newer one is skipped and changes nothing (R5)")
    void staleMessageChangesNothing() {
        net.put("C", item("A", "old", "1"));
        net.transport().holdNext("C", "B1");
        ExportResult stale = net.export("C", "B1").orElseThrow();
        net.put("C", item("A", "new", "2"));
        ExportResult fresh = net.exchange("C", "B1").orElseThrow();
        assertThat(net.node("B1").peerState("C").lastLoadedNo()).isEqualTo(fresh.messageNo());
        NodeState before = net.state("B1");

        net.transport().releaseHeld();
        List<ImportResult> late = net.deliver("B1");
        assertThat(late).singleElement().satisfies(r -> {
            assertThat(r.messageNo()).isEqualTo(stale.messageNo());
            assertThat(r.status()).isEqualTo(ImportResult.Status.ALREADY_RECEIVED);
        });
        assertThat(net.state("B1")).isEqualTo(before);
        assertThat(net.get("B1", itemKey("A"))).contains(item("A", "new", "2"));
    }

    // ---- R6: the transport's commit

    @Test
    @DisplayName("a message is removed from the transport once its import committed, and kept when it failed (R6)")
    void transportCommitFollowsTheImport() {
        net.put("C", item("A", "a", "1"));
        net.export("C", "B1").orElseThrow();
        BytesMessage m = BytesMessage.take(net.transport().receive("B1").get(0));
        net.failing("B1").failAt(3);
        assertThatThrownBy(() -> net.node("B1").importMessage(m)).isInstanceOf(DibexException.class);
        assertThat(m.commits()).isZero();
        assertThat(m.releases()).isEqualTo(1);
        net.failing("B1").reset();
        assertThat(net.node("B1").importMessage(m).status()).isEqualTo(ImportResult.Status.APPLIED);
        assertThat(m.commits()).isEqualTo(1);
    }

    // ---- R4: this node restored from a backup

    @Test
    @DisplayName("a node whose peer acknowledges a number it never sent knows it was restored (R4)")
    void restoredNodeSeesAcknowledgmentBeyondItsCounter() {
        net.put("B1", item("A", "a", "1"));
        net.settle(10);
        Storage backup = net.backup("B1");
        long backedUpCounter = net.node("B1").peerState("C").lastAllocatedNo();

        net.put("B1", item("B", "b", "1"));
        net.exchange("B1", "C");
        net.put("B1", item("D", "d", "1"));
        net.exchange("B1", "C");
        long loadedAtC = net.node("C").peerState("B1").lastLoadedNo();
        assertThat(loadedAtC).isGreaterThan(backedUpCounter);

        net.restore("B1", backup);
        net.put("B1", item("E", "e", "1"));
        List<Registration> rowsBefore = net.state("B1").registrations().get("C");
        net.put("C", item("F", "f", "1"));
        net.exchange("C", "B1");

        assertRestoredAfter("B1", "C", loadedAtC, rowsBefore);
    }

    @Test
    @DisplayName("a node whose peer acknowledges a re-used number with another id knows it was restored (R4)")
    void restoredNodeSeesForeignIdForReusedNumber() {
        net.put("B1", item("A", "a", "1"));
        net.settle(10);
        Storage backup = net.backup("B1");

        net.put("B1", item("B", "b", "1"));
        net.exchange("B1", "C");
        net.put("B1", item("D", "d", "1"));
        net.exchange("B1", "C");
        long loadedAtC = net.node("C").peerState("B1").lastLoadedNo();

        net.restore("B1", backup);
        net.put("B1", item("E", "e", "1"));
        net.exchange("B1", "C");
        net.put("B1", item("G", "g", "1"));
        net.exchange("B1", "C");
        assertThat(net.node("B1").peerState("C").lastAllocatedNo())
                .as("after the restore B1 numbered up to the same number again").isEqualTo(loadedAtC);
        List<Registration> rowsBefore = net.state("B1").registrations().get("C");

        net.put("C", item("F", "f", "1"));
        net.exchange("C", "B1");

        assertRestoredAfter("B1", "C", loadedAtC, rowsBefore);
    }

    private void assertRestoredAfter(String node, String peer, long acknowledged, List<Registration> rowsBefore) {
        PeerState ps = net.node(node).peerState(peer);
        assertThat(ps.lastAllocatedNo()).as("the counter moved past the acknowledged number")
                .isGreaterThanOrEqualTo(acknowledged);
        assertThat(ps.restoredSinceNo()).isEqualTo(ps.lastAllocatedNo() + 1);
        List<Registration> rowsAfter = net.state(node).registrations().get(peer);
        assertThat(rowsAfter).as("no registration deleted").containsAll(rowsBefore);
        assertThat(rowsAfter).as("what the node holds for the peer without a row is registered for it too")
                .allSatisfy(r -> assertThat(rowsBefore.contains(r) || net.get(node, r.key()).isPresent()).isTrue());
        assertThat(journalKinds(node)).contains(JournalEntry.Kind.RESTORE);

        ExportResult flagged = net.exchange(node, peer).orElseThrow();
        assertThat(flagged.restored()).isTrue();
        assertThat(flagged.messageNo()).isGreaterThan(acknowledged);
        assertThat(net.node(peer).peerState(node).lastLoadedNo()).isEqualTo(flagged.messageNo());

        ExportResult ack = net.exchange(peer, node).orElseThrow();
        assertThat(ack.receivedNo()).isEqualTo(flagged.messageNo());
        assertThat(net.node(node).peerState(peer).restoredSinceNo()).as("flag acknowledged").isZero();
        net.put(node, item("Z", "z", "1"));
        assertThat(net.export(node, peer).orElseThrow().restored()).isFalse();
    }

    @Test
    @DisplayName("the ids of the last 256 acknowledged messages and of those not yet acknowledged are kept, and a repeated acknowledgment is still genuine (R4)")
    void sentIdsAreKeptFromTheLastAcknowledgedOn() {
        for (int i = 1; i <= 300; i++) {
            net.put("C", item("A", "a", Integer.toString(i)));
            net.export("C", "B1").orElseThrow();
        }
        net.deliver("B1");
        net.exchange("B1", "C");
        net.put("C", item("B", "b", "1"));
        net.export("C", "B1").orElseThrow();
        assertThat(net.node("C").peerState("B1").acknowledgedNo()).isEqualTo(300);
        assertThat(List.of(1L, 44L, 45L, 300L, 301L)).map(n -> sentIdKept("C", "B1", n))
                .as("ids of messages 1, 44, 45, 300, 301 kept").containsExactly(false, false, true, true, true);

        // B1 has loaded nothing new from C, so its next message acknowledges 300 again.
        net.put("B1", item("E", "e", "1"));
        ExportResult again = net.exchange("B1", "C").orElseThrow();
        assertThat(again.receivedNo()).isEqualTo(300);
        assertThat(net.get("C", itemKey("E"))).isPresent();
        assertThat(net.node("C").peerState("B1").restoredSinceNo()).as("not taken for a restore").isZero();
        assertThat(journalKinds("C")).doesNotContain(JournalEntry.Kind.RESTORE);
    }

    @Test
    @DisplayName("a peer restored without knowing it is refused until it knows, and is not taken for a restore of this node (R4)")
    void olderAcknowledgmentIsNotARestore() {
        net.put("C", item("A", "a", "1"));
        net.exchange("C", "B1");
        Storage backup = net.backup("B1");
        net.exchange("B1", "C");
        net.put("C", item("B", "b", "1"));
        net.exchange("C", "B1");
        net.exchange("B1", "C");
        PeerState atC = net.node("C").peerState("B1");
        assertThat(atC.acknowledgedNo()).isEqualTo(2);
        assertThat(atC.lastLoadedNo()).isEqualTo(2);

        // B1 goes back to the backup (it had loaded C's message 1) and sends on before hearing from C:
        // its messages 1 and 2 are duplicates at C, its message 3 acknowledges 1 again.
        net.restore("B1", backup);
        for (String code : List.of("R", "S", "T")) {
            net.put("B1", item(code, code, "1"));
            assertThat(net.export("B1", "C").orElseThrow().receivedNo()).isEqualTo(1);
        }
        net.put("C", item("D", "d", "1"));
        List<Registration> rowsBefore = net.state("C").registrations().get("B1");
        net.deliver("C");

        // B1's message 2 came again with another id: C knows B1 was restored and refuses its messages
        // until B1 knows it too, rather than load its old state (R4).
        PeerState after = net.node("C").peerState("B1");
        assertThat(after.lastLoadedNo()).as("message 3 refused").isEqualTo(2);
        assertThat(after.acknowledgedNo()).isEqualTo(2);
        assertThat(after.peerRegressed()).isTrue();
        assertThat(after.restoredSinceNo()).as("C was not restored").isZero();
        assertThat(net.state("C").registrations().get("B1")).extracting(Registration::key).as("no registration deleted")
                .containsAll(rowsBefore.stream().map(Registration::key).collect(Collectors.toList()));
        assertThat(net.node("C").journal()).filteredOn(e -> e.kind() == JournalEntry.Kind.RESTORE).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("B1 was restored from a backup and does not know it yet"));

        // C's next header tells B1, which then sends its flag; C loads it and everything converges.
        net.exchange("C", "B1");
        assertThat(net.node("B1").peerState("C").restoredSinceNo()).as("B1 found it was restored").isPositive();
        net.settle(10);
        assertThat(net.node("C").peerState("B1").peerRegressed()).isFalse();
        assertItemsAt(List.of("A", "B", "D", "R", "S", "T"), "C", "B1");
    }

    @Test
    @DisplayName("a newer message acknowledging less than its sender had acknowledged reveals the sender's restore, and what it had sent before is not lost (R4)")
    void acknowledgmentGoingBackRevealsARestore() {
        net.put("C", item("A", "a", "1"));
        net.exchange("C", "B1");
        Storage backup = net.backup("B1");
        net.exchange("B1", "C");
        net.put("C", item("B", "b", "1"));
        net.exchange("C", "B1");
        net.put("B1", item("X", "sent before the restore", "1"));
        net.exchange("B1", "C");
        assertThat(net.node("C").peerState("B1").acknowledgedNo()).isEqualTo(2);
        assertThat(net.get("C", itemKey("X"))).isPresent();

        // Restored, B1 numbers from 1 again; its messages 1 and 2 are lost, so no number C loaded comes
        // again with another id. Its message 3 acknowledges C's message 1: less than the 2 it had.
        net.restore("B1", backup);
        net.put("B1", item("Y", "after the restore", "1"));
        exportLost("B1", "C", 2);
        ExportResult third = net.export("B1", "C").orElseThrow();
        assertThat(third.receivedNo()).isEqualTo(1);
        assertThat(net.deliver("C")).extracting(ImportResult::status)
                .containsExactly(ImportResult.Status.REFUSED_SENDER_RESTORED);
        assertThat(net.node("C").peerState("B1").peerRegressed()).isTrue();

        net.settle(10);
        assertItemsAt(List.of("A", "B", "X", "Y"), "B1", "C");
    }

    @Test
    @DisplayName("a message whose previous id is not that of the message of that number this node loaded reveals the sender's restore (R4)")
    void previousIdRevealsARestore() {
        net.put("C", item("A", "a", "1"));
        net.settle(10);
        Storage backup = net.backup("B1");
        net.put("B1", item("X", "sent before the restore", "1"));
        net.export("B1", "C").orElseThrow(); // delivered, but acknowledged in no message B1 loads
        net.deliver("C");

        // Restored, B1 numbers from its backup's counter again: the first is lost; the second follows
        // a first that C never loaded, and C has loaded nothing from B1 since.
        net.restore("B1", backup);
        net.put("B1", item("Y", "after the restore", "1"));
        exportLost("B1", "C", 1);
        net.export("B1", "C").orElseThrow();
        assertThat(net.deliver("C")).extracting(ImportResult::status)
                .containsExactly(ImportResult.Status.REFUSED_SENDER_RESTORED);
        assertThat(net.node("C").peerState("B1").peerRegressed()).isTrue();

        net.settle(10);
        assertItemsAt(List.of("A", "X", "Y"), "B1", "C");
    }

    @Test
    @DisplayName("a late message acknowledging one of this node's numbers with another id reveals that this node was restored (R4)")
    void lateAcknowledgmentWithAnotherIdRevealsARestore() {
        net.put("C", item("A", "a", "1"));
        net.settle(10);
        Storage backup = net.backup("B1");
        net.put("B1", item("X", "sent before the restore", "1"));
        net.exchange("B1", "C");
        net.put("C", item("B", "b", "1"));
        net.transport().holdNext("C", "B1");
        ExportResult late = net.export("C", "B1").orElseThrow(); // acknowledges X's message

        // Restored, B1 numbers from its backup's counter again: the first ones are lost, the next
        // loaded; it does not follow the message C loaded, so its previous id proves nothing, and
        // that message is further back than the earlier ids it names, so they prove nothing either.
        net.restore("B1", backup);
        net.put("B1", item("Y", "after the restore", "1"));
        exportLost("B1", "C", MessageHeader.MAX_EARLIER_IDS + 2);
        net.exchange("B1", "C");
        net.exchange("C", "B1"); // acknowledges the message of B1 it loaded, with its new id
        assertThat(net.node("B1").peerState("C").restoredSinceNo()).as("nothing revealed the restore yet").isZero();

        // The late message acknowledges B1's first number with the id of the message B1 no longer knows.
        net.transport().releaseHeld();
        assertThat(net.deliver("B1")).extracting(ImportResult::status)
                .containsExactly(ImportResult.Status.ALREADY_RECEIVED);
        assertThat(late.receivedNo()).isLessThan(net.node("B1").peerState("C").acknowledgedNo());
        assertThat(net.node("B1").peerState("C").restoredSinceNo()).as("B1 found it was restored").isPositive();

        net.settle(10);
        assertItemsAt(List.of("A", "B", "X", "Y"), "B1", "C");
    }

    @Test
    @DisplayName("the restored flag is cleared only by the acknowledgment of a message that carried it, not of one sent before (R4)")
    void restoredFlagStaysUntilAFlaggedMessageIsAcknowledged() {
        net.put("B1", item("A", "a", "1"));
        net.settle(10);
        Storage backup = net.backup("B1");
        net.put("B1", item("B", "b", "1"));
        net.exchange("B1", "C");
        net.put("B1", item("D", "d", "1"));
        net.exchange("B1", "C");
        long loadedAtC = net.node("C").peerState("B1").lastLoadedNo();

        // The restored B1 numbers up to loadedAtC again (duplicates at C), then one message more, which is delayed.
        net.restore("B1", backup);
        for (int i = 0; net.node("B1").peerState("C").lastAllocatedNo() < loadedAtC; i++) {
            net.put("B1", item("E" + i, "e", "1"));
            net.exchange("B1", "C");
        }
        net.put("B1", item("G", "g", "1"));
        net.transport().holdNext("B1", "C");
        long delayed = net.export("B1", "C").orElseThrow().messageNo();
        assertThat(delayed).isEqualTo(loadedAtC + 1);

        // C acknowledges loadedAtC with the id of B1's message of that number before the restore.
        net.put("C", item("F", "f", "1"));
        net.exchange("C", "B1");
        long flaggedFrom = net.node("B1").peerState("C").restoredSinceNo();
        assertThat(flaggedFrom).as("B1 found it was restored").isGreaterThan(delayed);

        // The delayed message arrives: C had seen B1's number loadedAtC again with another id, so it
        // refuses B1's unflagged messages; the flag stays pending at B1.
        net.transport().releaseHeld();
        assertThat(net.deliver("C")).extracting(ImportResult::status)
                .containsExactly(ImportResult.Status.REFUSED_SENDER_RESTORED);
        ExportResult ack = net.exchange("C", "B1").orElseThrow();
        assertThat(ack.receivedNo()).isEqualTo(loadedAtC);
        assertThat(net.node("B1").peerState("C").restoredSinceNo()).as("flag still pending").isEqualTo(flaggedFrom);
        ExportResult flagged = net.exchange("B1", "C").orElseThrow();
        assertThat(flagged.restored()).isTrue();
        net.exchange("C", "B1");
        assertThat(net.node("B1").peerState("C").restoredSinceNo()).as("flag acknowledged").isZero();
    }

    // ---- R6: storage failure at every call

    @Test
    @DisplayName("a storage failure at any call of an import changes nothing but the acknowledgment, and redelivery succeeds (R6)")
    void importFailureAtEveryCallChangesNothing() {
        net.put("B1", item("E", "e", "1"));
        net.exchange("B1", "C");
        net.put("C", item("A", "a", "1"));
        net.put("C", item("B", "b", "2"));
        net.put("C", item("D", "d", "3"));
        net.export("C", "B1").orElseThrow();
        BytesMessage message = BytesMessage.take(net.transport().receive("B1").get(0));

        Storage backup = net.backup("B1");
        NodeState before = net.state("B1");
        net.failing("B1").reset();
        ImportResult clean = net.node("B1").importMessage(message);
        assertThat(clean.applied()).isEqualTo(3);
        assertThat(clean.acknowledged()).isEqualTo(1);
        long calls = net.failing("B1").calls();
        NodeState after = net.state("B1");
        assertThat(calls).as("store calls of one import of 3 objects and an acknowledgment").isGreaterThan(10);

        int failed = 0;
        for (long n = 1; n <= calls; n++) {
            net.restore("B1", backup);
            net.failing("B1").failAt(n);
            BytesMessage attempt = new BytesMessage(message.name(), message.bytes());
            try {
                net.node("B1").importMessage(attempt);
                // The failure hit only the journal, written after the import committed.
                assertThat(net.state("B1")).as("call %d", n).isEqualTo(after);
                continue;
            } catch (DibexException expected) {
                failed++;
            }
            NodeState s = net.state("B1");
            assertThat(attempt.commits()).as("call %d: not removed from the transport", n).isZero();
            assertThat(s.objects()).as("call %d", n).isEqualTo(before.objects());
            assertThat(s.tombstones()).as("call %d", n).isEqualTo(before.tombstones());
            assertThat(s.registrations().get("B11")).as("call %d", n).isEqualTo(before.registrations().get("B11"));
            assertThat(s.peers().get("C").lastLoadedNo()).as("call %d", n)
                    .isEqualTo(before.peers().get("C").lastLoadedNo());
            assertThat(s.registrations().get("C")).as("call %d: only the acknowledgment may have taken effect", n)
                    .isIn(before.registrations().get("C"), after.registrations().get("C"));

            net.failing("B1").reset();
            ImportResult retried = net.node("B1").importMessage(new BytesMessage(message.name(), message.bytes()));
            assertThat(retried.status()).as("call %d", n).isEqualTo(ImportResult.Status.APPLIED);
            assertThat(net.state("B1")).as("call %d: redelivery", n).isEqualTo(after);
        }
        assertThat(failed).as("most injected failures fail the import").isGreaterThan((int) calls / 2);
    }

    @Test
    @DisplayName("a storage failure at any call of an export leaves no row marked with a number no message carries (R3, R6)")
    void exportFailureAtEveryCallLeavesNoOrphanNumbers() {
        net.put("C", item("A", "a", "1"));
        net.put("C", item("B", "b", "2"));
        net.export("C", "B1").orElseThrow();
        drain("B1");
        net.put("C", item("B", "b2", "2"));
        net.put("C", item("D", "d", "3"));
        java.util.Map<String, Storage> world = net.backupAll();
        long sentBefore = net.node("C").peerState("B1").lastAllocatedNo();

        net.failing("C").reset();
        net.export("C", "B1").orElseThrow();
        long calls = net.failing("C").calls();
        assertThat(calls).isGreaterThan(5);

        for (long n = 1; n <= calls; n++) {
            net.restoreAll(world);
            net.failing("C").failAt(n);
            try {
                net.export("C", "B1");
            } catch (DibexException expected) {
                // checked below
            }
            net.failing("C").reset();
            Set<Long> handed = new HashSet<>();
            for (IncomingMessage m : net.transport().receive("B1")) {
                handed.add(header(m).messageNo());
                m.release();
            }
            for (Registration r : net.state("C").registrations().get("B1")) {
                assertThat(r.firstSentNo() <= sentBefore || handed.contains(r.firstSentNo()))
                        .as("call %d: %s numbered %d, handed over: %s", n, r.key(), r.firstSentNo(), handed).isTrue();
                assertThat(r.lastSentNo() <= sentBefore || handed.contains(r.lastSentNo()))
                        .as("call %d: %s recorded as sent in %d, handed over: %s", n, r.key(), r.lastSentNo(), handed)
                        .isTrue();
            }
            // And the link still converges.
            net.deliver("B1");
            net.settle(10);
            assertThat(net.get("B1", itemKey("D"))).as("call %d", n).isPresent();
            assertThat(net.get("B1", itemKey("B"))).as("call %d", n).contains(item("B", "b2", "2"));
        }
    }

    @Test
    @DisplayName("a body that fails changes nothing, yet its header's acknowledgment takes effect, and redelivery loads it (R6)")
    void acknowledgmentTakesEffectEvenIfTheBodyFails() {
        net.put("C", item("A", "a", "1"));
        ExportResult acknowledged = net.exchange("C", "B1").orElseThrow();
        for (String code : List.of("E", "G", "H")) {
            net.put("B1", item(code, code, "1"));
        }
        ExportResult sent = net.export("B1", "C").orElseThrow();
        BytesMessage whole = BytesMessage.take(net.transport().receive("C").get(0));
        BytesMessage broken = truncated(whole);
        NodeState before = net.state("C");
        assertThat(before.registrations().get("B1")).extracting(Registration::key).containsExactly(itemKey("A"));

        assertThatThrownBy(() -> net.node("C").importMessage(broken)).isInstanceOf(MalformedMessageException.class);
        NodeState after = net.state("C");
        assertThat(after.objects()).isEqualTo(before.objects());
        assertThat(after.registrations().get("B2")).isEqualTo(before.registrations().get("B2"));
        assertThat(after.peers().get("B1").lastLoadedNo()).isEqualTo(before.peers().get("B1").lastLoadedNo());
        assertThat(after.registrations().get("B1")).as("message %d acknowledged though the body failed",
                acknowledged.messageNo()).isEmpty();
        assertThat(after.peers().get("B1").acknowledgedNo()).isEqualTo(acknowledged.messageNo());
        assertThat(broken.commits()).isZero();
        assertThat(broken.releases()).isEqualTo(1);
        assertThat(lastOf("C", JournalEntry.Kind.IMPORT_FAILED).messageNo()).isEqualTo(sent.messageNo());

        ImportResult retried = net.node("C").importMessage(new BytesMessage(whole.name(), whole.bytes()));
        assertThat(retried.status()).isEqualTo(ImportResult.Status.APPLIED);
        assertThat(retried.applied()).isEqualTo(3);
        assertThat(retried.acknowledged()).as("the acknowledgment is not applied twice").isZero();
        for (String code : List.of("E", "G", "H")) {
            assertThat(net.get("C", itemKey(code))).as(code).isPresent();
        }
    }

    @Test
    @DisplayName("an item claiming to have been first sent after the message that carries it is malformed, and nothing changes (R12, R16)")
    void itemFromTheFutureIsMalformed() {
        net.put("C", item("A", "a", "1"));
        net.exchange("C", "B1");
        NodeState before = net.state("C");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        io.dibex.codec.MessageHeader header = new io.dibex.codec.MessageHeader(net.plan().name(), "B1", "C", 1,
                java.util.UUID.randomUUID(), 0, null, false, List.of());
        try (io.dibex.codec.MessageWriter writer = config().codec().writer(bytes, net.plan(), header)) {
            writer.write(new MessageItem.Upsert(item("B", "b", "2"), 1));
            writer.write(new MessageItem.Upsert(item("A", "forged", "9"), 2));
            writer.finish();
        }
        BytesMessage forged = new BytesMessage("Message_B1_C", bytes.toByteArray());

        assertThatThrownBy(() -> net.node("C").importMessage(forged)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("first sent in message 2");
        assertThat(net.state("C")).usingRecursiveComparison().isEqualTo(before);
    }

    @Test
    @DisplayName("a body that fails at an object names that object in the exception and in the journal (R6)")
    void failingObjectIsNamed() {
        net.put("C", item("A", "a", "1"));
        net.put("C", item("B", "b", "2"));
        net.put("C", item("D", "d", "3"));
        net.export("C", "B1").orElseThrow();
        BytesMessage message = BytesMessage.take(net.transport().receive("B1").get(0));
        Storage backup = net.backup("B1");
        net.failing("B1").reset();
        net.node("B1").importMessage(new BytesMessage(message.name(), message.bytes()));
        long calls = net.failing("B1").calls();

        Set<ObjectKey> named = new HashSet<>();
        for (long n = 1; n <= calls; n++) {
            net.restore("B1", backup);
            net.failing("B1").failAt(n);
            Throwable thrown = catchThrowable(() -> net.node("B1").importMessage(copy(message)));
            if (thrown instanceof ImportFailedException failed && failed.key().isPresent()) {
                ObjectKey key = failed.key().get();
                assertThat(failed.getMessage()).as("call %d", n).contains(key.toString());
                JournalEntry entry = lastOf("B1", JournalEntry.Kind.IMPORT_FAILED);
                assertThat(entry.keys()).as("call %d", n).containsExactly(key);
                named.add(key);
            }
        }
        assertThat(named).containsExactlyInAnyOrder(itemKey("A"), itemKey("B"), itemKey("D"));
    }

    private void drain(String node) {
        for (IncomingMessage m : net.transport().receive(node)) {
            m.commit();
        }
    }

    private io.dibex.codec.MessageHeader header(IncomingMessage m) {
        try (java.io.InputStream in = m.open();
                MessageReader reader = config().codec().reader(new ByteArrayInputStream(in.readAllBytes()),
                        net.plan(), m.name())) {
            return reader.header();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- R8

    @Test
    @DisplayName("a message of another plan is rejected and changes nothing (R8)")
    void wrongPlanIsRejected() {
        Network other = new Network(TestPlans.tradeBuilder("Other").build(), config());
        other.put("C", item("A", "a", "1"));
        other.export("C", "B1").orElseThrow();
        BytesMessage m = BytesMessage.take(other.transport().receive("B1").get(0));
        assertRejected("B1", m, HeaderRejectedException.WrongPlan.class);
    }

    @Test
    @DisplayName("a message addressed to another node is rejected and changes nothing (R8)")
    void wrongRecipientIsRejected() {
        net.put("C", item("A", "a", "1"));
        net.export("C", "B2").orElseThrow();
        BytesMessage m = BytesMessage.take(net.transport().receive("B2").get(0));
        assertRejected("B1", m, HeaderRejectedException.WrongRecipient.class);
    }

    @Test
    @DisplayName("a message from a node that is not a neighbour is rejected and changes nothing (R8)")
    void unknownSenderIsRejected() {
        ExchangePlan flat = ExchangePlan.builder("Trade").central("C").node("B1", "C").node("B2", "C")
                .node("B11", "C").kind(TestPlans.trade().kind(TestPlans.ITEM).orElseThrow()).build();
        Network elsewhere = new Network(flat, config());
        elsewhere.put("B11", item("A", "a", "1"));
        elsewhere.export("B11", "C").orElseThrow();
        BytesMessage m = BytesMessage.take(elsewhere.transport().receive("C").get(0));
        assertRejected("C", m, HeaderRejectedException.UnknownSender.class);
    }

    private void assertRejected(String node, BytesMessage m, Class<? extends HeaderRejectedException> type) {
        net.put(node, item("Q", "q", "1"));
        NodeState before = net.state(node);
        assertThatThrownBy(() -> net.node(node).importMessage(m)).isInstanceOf(type);
        assertThat(net.state(node)).isEqualTo(before);
        assertThat(m.commits()).isZero();
        assertThat(m.releases()).isEqualTo(1);
        assertThat(journalKinds(node)).contains(JournalEntry.Kind.REJECTED);
    }

    // ---- R7

    @Test
    @DisplayName("idle nodes stop exchanging empty messages after one round, but for one keep-alive per period (R7)")
    void idleNodesFallSilentButForKeepAlives() {
        int links = 2 * (net.plan().nodes().size() - 1);
        assertThat(net.round()).as("the first round says hello on every link").isEqualTo(links);
        for (int i = 0; i < 5; i++) {
            assertThat(net.round()).as("idle round %d", i).isZero();
        }
        net.clock().advance(net.plan().keepAlive());
        assertThat(net.round()).as("one keep-alive per link once the period passed").isEqualTo(links);
        assertThat(net.round()).isZero();

        net.put("B11", item("A", "a", "1"));
        net.settle(10);
        for (int i = 0; i < 5; i++) {
            assertThat(net.round()).as("idle again after a change travelled, round %d", i).isZero();
        }
        for (String node : net.names()) {
            assertThat(net.get(node, itemKey("A"))).as(node).isPresent();
        }
    }

    @Test
    @DisplayName("a restored node with nothing to send is found by the keep-alive, sends its restored flag, and is answered (R4, R7)")
    void restoredIdleNodeSendsItsFlagAndIsAnswered() {
        net.settle(10);
        Storage backup = net.backup("B1");
        long backedUp = net.node("B1").peerState("C").lastAllocatedNo();
        net.put("B1", item("B", "b", "1"));
        net.settle(10);
        assertThat(net.node("C").peerState("B1").lastLoadedNo()).isGreaterThan(backedUp);

        net.restore("B1", backup);
        assertThat(net.node("B1").pendingRegistrations("C")).isZero();
        assertThat(net.export("C", "B1")).as("nothing due yet").isEmpty();
        net.clock().advance(net.plan().keepAlive());
        // B1's own keep-alive goes first (a duplicate number at C), so that only its flag makes it send again.
        sent(net.exchange("B1", "C"), "B1's own keep-alive");
        ExportResult keepAlive = sent(net.exchange("C", "B1"), "C's keep-alive");
        assertThat(keepAlive.items()).isZero();
        assertThat(net.node("B1").peerState("C").restoredSinceNo()).as("B1 found it was restored").isPositive();

        ExportResult flagged = sent(net.exchange("B1", "C"), "B1 sends its pending flag, and nothing else");
        assertThat(flagged.restored()).isTrue();
        assertThat(flagged.items()).isZero();
        ExportResult ack = sent(net.exchange("C", "B1"), "C acknowledges the flag");
        assertThat(ack.receivedNo()).isEqualTo(flagged.messageNo());
        assertThat(net.node("B1").peerState("C").restoredSinceNo()).as("flag acknowledged").isZero();

        // C registered everything for the restored B1 again (R4): once that has travelled, all is quiet.
        net.settle(10);
        assertThat(net.export("B1", "C")).as("quiet again").isEmpty();
        assertThat(net.export("C", "B1")).as("quiet again").isEmpty();
    }

    // ---- R15

    @Test
    @DisplayName("every export and import is journaled with numbers, counts and bytes (R15)")
    void exchangesAreJournaled() {
        net.put("C", item("A", "a", "1"));
        ExportResult sent = net.exchange("C", "B1").orElseThrow();
        JournalEntry export = lastOf("C", JournalEntry.Kind.EXPORT);
        assertThat(export.peer()).isEqualTo("B1");
        assertThat(export.messageNo()).isEqualTo(sent.messageNo());
        assertThat(export.objects()).isEqualTo(1);
        assertThat(export.bytes()).isEqualTo(sent.bytes()).isPositive();
        JournalEntry imported = lastOf("B1", JournalEntry.Kind.IMPORT);
        assertThat(imported.peer()).isEqualTo("C");
        assertThat(imported.messageNo()).isEqualTo(sent.messageNo());
        assertThat(imported.objects()).isEqualTo(1);
        assertThat(imported.bytes()).isEqualTo(sent.bytes());

        net.clock().advance(net.plan().journalRetention().plusDays(1));
        assertThat(net.node("C").pruneJournal()).isPositive();
        assertThat(net.node("C").journal()).isEmpty();
    }

    @Test
    @DisplayName("an export that fails after its number was allocated is journaled with that number (R15)")
    void failedExportIsJournaled() {
        net.put("C", item("A", "a", "1"));
        Storage backup = net.backup("C");
        net.failing("C").reset();
        net.export("C", "B1").orElseThrow();
        long calls = net.failing("C").calls();
        drain("B1");

        int journaled = 0;
        for (long n = 1; n <= calls; n++) {
            net.restore("C", backup);
            net.failing("C").failAt(n);
            try {
                net.export("C", "B1");
                continue;
            } catch (DibexException expected) {
                // checked below
            } finally {
                drain("B1");
            }
            long allocated = net.node("C").peerState("B1").lastAllocatedNo();
            if (allocated == 0) {
                continue; // failed before its number was committed
            }
            JournalEntry failed = lastOf("C", JournalEntry.Kind.EXPORT_FAILED);
            assertThat(failed.peer()).as("call %d", n).isEqualTo("B1");
            assertThat(failed.messageNo()).as("call %d", n).isEqualTo(allocated);
            assertThat(failed.detail()).as("call %d", n).contains("injected failure");
            journaled++;
        }
        assertThat(journaled).isGreaterThan(3);
    }

    @Test
    @DisplayName("when the journal cannot be written after a failed import, that failure is attached to the thrown exception (R15)")
    void journalFailureIsAttachedAsSuppressed() {
        net.put("B1", item("E", "e", "1"));
        net.export("B1", "C").orElseThrow();
        BytesMessage broken = truncated(BytesMessage.take(net.transport().receive("C").get(0)));
        Storage backup = net.backup("C");
        net.failing("C").reset();
        assertThatThrownBy(() -> net.node("C").importMessage(copy(broken)))
                .isInstanceOf(MalformedMessageException.class);
        long calls = net.failing("C").calls();

        int attached = 0;
        for (long n = 1; n <= calls; n++) {
            net.restore("C", backup);
            net.failing("C").failAt(n);
            Throwable thrown = catchThrowable(() -> net.node("C").importMessage(copy(broken)));
            if (!(thrown instanceof MalformedMessageException)) {
                continue; // the injected failure hit the import itself
            }
            if (journalKinds("C").contains(JournalEntry.Kind.IMPORT_FAILED)) {
                continue; // the journal was written
            }
            // The journal write failed: the body's failure is what is thrown, the journal's rides along.
            assertThat(thrown.getSuppressed()).as("call %d", n)
                    .anySatisfy(s -> assertThat(s).hasMessageContaining("injected failure"));
            attached++;
        }
        assertThat(attached).as("failures injected into the journal write").isPositive();
    }

    @Test
    @DisplayName("pruning the journal removes only the entries older than the retention period (R15)")
    void pruningKeepsEntriesYoungerThanTheRetention() {
        net.put("C", item("A", "a", "1"));
        net.exchange("C", "B1");
        int old = net.node("C").journal().size();
        assertThat(old).isPositive();

        net.clock().advance(net.plan().journalRetention().minusHours(1));
        net.put("C", item("B", "b", "1"));
        net.exchange("C", "B1");
        int all = net.node("C").journal().size();
        assertThat(net.node("C").pruneJournal()).as("nothing is older than the retention yet").isZero();
        assertThat(net.node("C").journal()).hasSize(all);

        net.clock().advance(Duration.ofHours(2));
        assertThat(net.node("C").pruneJournal()).isEqualTo(old);
        assertThat(net.node("C").journal()).hasSize(all - old);
    }

    @Test
    @DisplayName("every failed export is journaled, also when its first transaction fails or numbering is exhausted (R15)")
    void everyFailedExportIsJournaled() {
        net.put("C", item("A", "a", "1"));
        Storage backup = net.backup("C");
        net.failing("C").reset();
        net.export("C", "B1").orElseThrow();
        long calls = net.failing("C").calls();
        drain("B1");
        for (long n = 1; n <= calls; n++) {
            net.restore("C", backup);
            net.failing("C").failAt(n);
            try {
                net.export("C", "B1");
                continue;
            } catch (DibexException expected) {
                // checked below
            } finally {
                drain("B1");
            }
            assertThat(journalKinds("C")).as("call %d", n).contains(JournalEntry.Kind.EXPORT_FAILED);
        }

        net.restore("C", backup);
        inStore("C", tx -> {
            tx.exchange().putPeer(tx.exchange().peer("B1").withLastAllocatedNo(Long.MAX_VALUE));
            return null;
        });
        assertThatThrownBy(() -> net.export("C", "B1")).isInstanceOf(NumberingExhaustedException.class);
        assertThat(journalKinds("C")).as("refused at Long.MAX_VALUE").contains(JournalEntry.Kind.EXPORT_FAILED);
    }

    @Test
    @DisplayName("a restored node that numbers past its peer's last loaded message before hearing from it still gets back what it lost (R4)")
    void restoredNodeThatRacesAheadGetsBackWhatItLost() {
        net.put("C", item("A", "a", "1"));
        net.settle(10);
        Storage backup = net.backup("B1");
        net.put("C", item("B", "b", "1"));
        net.settle(10);
        long loadedAtC = net.node("C").peerState("B1").lastLoadedNo();

        net.restore("B1", backup);
        assertThat(net.get("B1", itemKey("B"))).as("lost with the restore").isEmpty();
        for (int i = 0; net.node("B1").peerState("C").lastAllocatedNo() <= loadedAtC; i++) {
            net.put("B1", item("E" + i, "e", "1"));
            net.export("B1", "C").orElseThrow();
        }
        net.settle(20);
        assertThat(net.get("B1", itemKey("B"))).as("B had reached B1 before its restore")
                .contains(item("B", "b", "1"));
    }

    private JournalEntry lastOf(String node, JournalEntry.Kind kind) {
        List<JournalEntry> all = net.node(node).journal().stream().filter(e -> e.kind() == kind)
                .collect(Collectors.toList());
        assertThat(all).as("%s journal entries of %s", kind, node).isNotEmpty();
        return all.get(all.size() - 1);
    }

    private List<JournalEntry.Kind> journalKinds(String node) {
        return net.node(node).journal().stream().map(JournalEntry::kind).collect(Collectors.toList());
    }

    private Registration registration(String node, String peer, String code) {
        return net.state(node).registrations().get(peer).stream().filter(r -> r.key().equals(itemKey(code)))
                .findFirst().orElseThrow(() -> new AssertionError("no registration of " + code + " at " + node));
    }

    private static ExportResult sent(Optional<ExportResult> result, String what) {
        assertThat(result).as(what).isPresent();
        return result.get();
    }

    /** Runs {@code work} in one committed transaction on a node's own store, beside the engine. */
    private <T> T inStore(String node, Function<StoreTransaction, T> work) {
        try (StoreTransaction tx = net.hooks(node).delegate().begin()) {
            T result = work.apply(tx);
            tx.commit();
            return result;
        }
    }

    private boolean sentIdKept(String node, String peer, long messageNo) {
        return inStore(node, tx -> tx.exchange().sentMessageId(peer, messageNo).isPresent());
    }

    /** The keys of a claimed message's items, in the order they travel. */
    private List<ObjectKey> keysIn(ExchangePlan plan, IncomingMessage m) {
        List<ObjectKey> keys = new ArrayList<>();
        try (java.io.InputStream in = m.open();
                MessageReader reader = config().codec().reader(new ByteArrayInputStream(in.readAllBytes()), plan,
                        m.name())) {
            for (MessageItem item = reader.next(); item != null; item = reader.next()) {
                keys.add(item.key());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return keys;
    }

    /** The message without its last byte: the header reads fine, the body breaks at its end. */
    /** Asserts that each item of {@code codes} is held at each of {@code nodes}. */
    private void assertItemsAt(List<String> codes, String... nodes) {
        for (String code : codes) {
            for (String node : nodes) {
                assertThat(net.get(node, itemKey(code))).as(code + " at " + node).isPresent();
            }
        }
    }

    /** Exports {@code count} messages from {@code from} to {@code to} that the transport loses. */
    private void exportLost(String from, String to, int count) {
        for (int i = 0; i < count; i++) {
            net.transport().dropNext(from, to);
            net.export(from, to).orElseThrow();
        }
    }

    private static BytesMessage truncated(BytesMessage m) {
        // Cut into the last item, whatever the codec: a textual format may end with a line break.
        int cut = Math.max(1, Math.min(16, m.bytes().length / 4));
        return new BytesMessage(m.name(), Arrays.copyOf(m.bytes(), m.bytes().length - cut));
    }

    private static BytesMessage copy(BytesMessage m) {
        return new BytesMessage(m.name(), m.bytes());
    }
}
