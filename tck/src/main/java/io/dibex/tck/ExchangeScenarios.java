package io.dibex.tck;

import static io.dibex.tck.TestPlans.item;
import static io.dibex.tck.TestPlans.itemKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.DibexException;
import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.HeaderRejectedException;
import io.dibex.ImportResult;
import io.dibex.codec.MessageReader;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.Storage;
import java.io.ByteArrayInputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

    // ---- R1

    @Test
    @DisplayName("a node whose counter reached Long.MAX_VALUE refuses to send, and nothing changes (R1)")
    void numberingExhausted() {
        net.put("C", item("A", "a", "1"));
        try (io.dibex.spi.StoreTransaction tx = net.hooks("C").delegate().begin()) {
            tx.exchange().putPeer(tx.exchange().peer("B1").withLastAllocatedNo(Long.MAX_VALUE));
            tx.commit();
        }
        NodeState before = net.state("C");
        assertThatThrownBy(() -> net.export("C", "B1")).isInstanceOf(io.dibex.NumberingExhaustedException.class)
                .hasMessageContaining(String.valueOf(Long.MAX_VALUE));
        assertThat(net.state("C")).isEqualTo(before);
        assertThat(net.transport().receive("B1")).isEmpty();
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
        assertThat(net.state(node).registrations().get(peer)).as("no registration deleted")
                .isEqualTo(rowsBefore);
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

}
