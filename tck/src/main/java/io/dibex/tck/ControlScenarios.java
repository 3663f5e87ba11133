package io.dibex.tck;

import static io.dibex.tck.TestPlans.item;
import static io.dibex.tck.TestPlans.itemKey;
import static io.dibex.tck.TestPlans.saleKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.DibexException;
import io.dibex.ExchangePlan;
import io.dibex.ImportFailedException;
import io.dibex.MigrationPolicy;
import io.dibex.ObjectKind;
import io.dibex.Sequence;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageWriter;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.SequenceBoundary;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.Registration;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Registration control (R10), record sets and migration policies (R11), and sequences (R14),
 * written once and run over any {@link NetworkConfig}. The network is the one of
 * {@link TestPlans}: {@code C} with branches {@code B1}, {@code B2}, and {@code B11} under
 * {@code B1}. Sales carry a {@code MIGRATE} register {@code Stock} and a {@code LOCAL} register
 * {@code Cost}, and form the sequence {@code Main}, kept at {@code C} only unless a test says
 * otherwise.
 */
public abstract class ControlScenarios {

    /** The MIGRATE register. */
    static final String STOCK = "Stock";
    /** The LOCAL register. */
    static final String COST = "Cost";
    /** The sequence. */
    static final String MAIN = "Main";
    /** A kind whose host writes are not registered automatically. */
    static final String MANUAL = "Manual";

    /** The store, codec and transport under test. */
    protected abstract NetworkConfig config();

    private Network net;

    @AfterEach
    void nothingLeftOpen() {
        if (net != null) {
            net.checkClosed();
        }
    }

    private Network network(boolean centralOnly, boolean rejectLocal) {
        ExchangePlan plan = TestPlans.tradeBuilder("Trade")
                .kind(ObjectKind.catalog(MANUAL).autoRegister(false).build())
                .register(STOCK, MigrationPolicy.MIGRATE)
                .register(COST, MigrationPolicy.LOCAL)
                .sequence(Sequence.builder(MAIN).kind(TestPlans.SALE).centralOnly(centralOnly).build())
                .rejectLocalRecords(rejectLocal)
                .build();
        net = new Network(plan, config());
        return net;
    }

    private Network network() {
        return network(true, false);
    }

    private static LocalDateTime day(int d) {
        return LocalDateTime.of(2026, 3, d, 12, 0);
    }

    /** A posted sale of {@code qty} on day {@code d}, with its Stock records, without Cost records. */
    static DataObject sale(String id, int d, long qty) {
        return DataObject.builder(saleKey(id))
                .set("Date", Value.of(day(d)))
                .set("Owner", "C")
                .set("Posted", Value.of(true))
                .set("Qty", Value.of(qty))
                .recordSet(new RecordSet(STOCK, List.of(Row.of("Qty", Value.of(-qty)))))
                .build();
    }

    static DataObject withCost(DataObject sale, String cost) {
        return sale.toBuilder().recordSet(new RecordSet(COST, List.of(Row.of("Sum", Value.of(new BigDecimal(cost))))))
                .build();
    }

    private Optional<Registration> row(String node, String peer, ObjectKey key) {
        return net.state(node).registrations().get(peer).stream().filter(r -> r.key().equals(key)).findFirst();
    }

    private List<JournalEntry> journal(String node, JournalEntry.Kind kind) {
        return net.node(node).journal().stream().filter(e -> e.kind() == kind).collect(Collectors.toList());
    }

    // ---- R10 registration control

    @Test
    @DisplayName("a kind with automatic registration off registers nothing until the host registers it by hand (R10)")
    void autoRegisterOffWaitsForAnExplicitRegistration() {
        network();
        DataObject manual = DataObject.builder(ObjectKey.of(MANUAL, "M")).set("Description", "by hand").build();
        net.put("B1", manual);
        assertThat(net.node("B1").pendingRegistrations("C")).isZero();
        net.settle(10);
        assertThat(net.get("C", manual.key())).isEmpty();

        int written = net.node("B1").inTransaction(tx -> tx.register(manual.key()));
        assertThat(written).as("its neighbours C and B11").isEqualTo(2);
        net.settle(10);
        for (String node : net.names()) {
            assertThat(net.get(node, manual.key())).as(node).contains(manual);
        }
    }

    @Test
    @DisplayName("the host registers and unregisters for one neighbour or all, and a bad neighbour changes nothing (R10)")
    void explicitRegisterAndUnregisterPerNeighbour() {
        network();
        net.put("C", item("A", "a", "1"));
        boolean removed = net.node("C").inTransaction(tx -> tx.unregister(itemKey("A"), "B2"));
        assertThat(removed).isTrue();
        assertThat(net.node("C").pendingRegistrations("B2")).isZero();
        assertThat(net.node("C").pendingRegistrations("B1")).isEqualTo(1);
        net.settle(10);
        assertThat(net.get("B1", itemKey("A"))).isPresent();
        assertThat(net.get("B2", itemKey("A"))).as("unregistered for B2 only").isEmpty();

        NodeState before = net.state("C");
        assertThatThrownBy(() -> net.node("C").inTransaction(tx -> {
            tx.register(itemKey("A"), "B11");
            return null;
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a neighbour");
        assertThatThrownBy(() -> net.node("C").inTransaction(tx -> tx.register(itemKey("nothing"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to register");
        assertThat(net.state("C")).usingRecursiveComparison().isEqualTo(before);

        net.node("C").inTransaction(tx -> {
            tx.register(itemKey("A"), "B2");
            return null;
        });
        net.settle(10);
        assertThat(net.get("B2", itemKey("A"))).contains(item("A", "a", "1"));

        net.put("C", item("A", "a", "2"));
        int all = net.node("C").inTransaction(tx -> tx.unregister(itemKey("A")));
        assertThat(all).isEqualTo(2);
        net.settle(10);
        assertThat(net.get("B1", itemKey("A"))).as("unregistered for all").contains(item("A", "a", "1"));
    }

    @Test
    @DisplayName("a suppressed write that changes only LOCAL records registers nothing and leaves an earlier registration as it was (R10)")
    void suppressedWriteLeavesAnEarlierRegistrationInPlace() {
        network();
        net.put("C", sale("S", 5, 3));
        net.export("C", "B1").orElseThrow();
        Registration sent = row("C", "B1", saleKey("S")).orElseThrow();
        assertThat(sent.firstSentNo()).isPositive();

        net.node("C").inTransaction(tx -> {
            tx.suppressRegistration(saleKey("S"));
            tx.put(withCost(sale("S", 5, 3), "30.00"));
            return null;
        });
        assertThat(row("C", "B1", saleKey("S"))).as("neither removed nor cleared").contains(sent);
        assertThat(row("C", "B2", saleKey("S"))).isPresent();
        assertThat(journal("C", JournalEntry.Kind.WARNING)).isEmpty();
        net.settle(10);
        assertThat(net.get("B1", saleKey("S"))).contains(sale("S", 5, 3));
        assertThat(net.get("C", saleKey("S"))).contains(withCost(sale("S", 5, 3), "30.00"));
    }

    @Test
    @DisplayName("a suppressed write that changes the content is registered as usual and journaled; it covers one write of one object (R10)")
    void suppressionNeverHidesARealChangeAndCoversOneWriteOfOneObject() {
        network();
        net.put("C", sale("S", 5, 3));
        net.put("C", sale("T", 6, 1));
        net.settle(10);
        net.node("C").inTransaction(tx -> {
            tx.suppressRegistration(saleKey("S"));
            tx.put(sale("S", 5, 4));
            tx.put(sale("S", 5, 5));
            tx.put(sale("T", 6, 2));
            return null;
        });
        List<JournalEntry> warnings = journal("C", JournalEntry.Kind.WARNING);
        assertThat(warnings).singleElement().satisfies(w -> {
            assertThat(w.keys()).containsExactly(saleKey("S"));
            assertThat(w.detail()).contains("suppressed");
        });
        net.settle(10);
        assertThat(net.get("B1", saleKey("S"))).contains(sale("S", 5, 5));
        assertThat(net.get("B1", saleKey("T"))).contains(sale("T", 6, 2));
    }

    // ---- R11 record sets and migration policies

    @Test
    @DisplayName("MIGRATE records travel with their document, LOCAL ones never leave their node, and writing a set registers its recorder (R11)")
    void localRecordsStayAndMigratingRecordsTravel() {
        network();
        net.put("C", withCost(sale("S", 5, 3), "30.00"));
        net.settle(10);
        for (String node : List.of("B1", "B2", "B11")) {
            assertThat(net.get(node, saleKey("S"))).as(node).contains(sale("S", 5, 3));
            assertThat(journal(node, JournalEntry.Kind.WARNING)).as("no LOCAL set ever arrived at " + node).isEmpty();
        }
        assertThat(net.get("C", saleKey("S"))).contains(withCost(sale("S", 5, 3), "30.00"));

        DataObject restocked = withCost(sale("S", 5, 3), "30.00").toBuilder()
                .recordSet(new RecordSet(STOCK, List.of(Row.of("Qty", Value.of(-2L))))).build();
        net.put("C", restocked);
        assertThat(net.node("C").pendingRegistrations("B1")).as("a MIGRATE set written").isEqualTo(1);
        net.settle(10);
        assertThat(net.get("B1", saleKey("S")).orElseThrow().recordSets())
                .containsExactly(new RecordSet(STOCK, List.of(Row.of("Qty", Value.of(-2L)))));
    }

    private io.dibex.tck.BytesMessage forgedWithLocalRecords() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MessageHeader header = new MessageHeader(net.plan().name(), "B1", "C", 1, UUID.randomUUID(), 0, null, false,
                List.of());
        try (MessageWriter writer = config().codec().writer(bytes, net.plan(), header)) {
            writer.write(new MessageItem.Upsert(item("A", "a", "1"), 1));
            writer.write(new MessageItem.Upsert(withCost(sale("S", 5, 3), "99.00"), 1));
            writer.finish();
        }
        return new io.dibex.tck.BytesMessage("Message_B1_C", bytes.toByteArray());
    }

    @Test
    @DisplayName("an incoming LOCAL record set is skipped and journaled, the rest of the document loaded (R11)")
    void incomingLocalRecordsAreSkipped() {
        network();
        net.node("C").importMessage(forgedWithLocalRecords());
        assertThat(net.get("C", saleKey("S"))).contains(sale("S", 5, 3));
        assertThat(net.get("C", itemKey("A"))).isPresent();
        assertThat(journal("C", JournalEntry.Kind.WARNING)).singleElement()
                .satisfies(w -> assertThat(w.keys()).containsExactly(saleKey("S")));
    }

    @Test
    @DisplayName("by option, a message carrying LOCAL records is rejected and changes nothing (R11)")
    void incomingLocalRecordsRejectTheMessageByOption() {
        network(true, true);
        NodeState before = net.state("C");
        assertThatThrownBy(() -> net.node("C").importMessage(forgedWithLocalRecords()))
                .isInstanceOf(ImportFailedException.class).hasMessageContaining(saleKey("S").toString())
                .hasStackTraceContaining("LOCAL register");
        assertThat(net.state("C")).usingRecursiveComparison().isEqualTo(before);
    }

    // ---- R14 sequences

    private Optional<SequenceBoundary> boundary(String node) {
        return net.node(node).sequenceBoundary(MAIN);
    }

    /** Posting code that writes a Cost set of qty × 10 at the central node only, and notes the order. */
    private static Sequence.Posting costing(List<ObjectKey> order) {
        return (tx, doc) -> {
            order.add(doc.key());
            if (tx.isCentral()) {
                long qty = ((Value.Int64) doc.get("Qty")).value();
                tx.put(withCost(doc, qty * 10 + ".00"));
            }
        };
    }

    @Test
    @DisplayName("a central-only sequence has a boundary at the central node only, moved back by loads that change something (R14)")
    void centralOnlyBoundaryMovesOnLoadsThatChangeSomething() {
        network();
        assertThatThrownBy(() -> boundary("B1")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("central node C only");
        assertThat(boundary("C")).isEmpty();
        net.put("B1", sale("S", 9, 1).toBuilder().set("Owner", "B1").build());
        net.put("B1", sale("R", 7, 1).toBuilder().set("Owner", "B1").build());
        net.settle(10);
        assertThat(boundary("C")).contains(SequenceBoundary.before(day(7), saleKey("R")));
        try (io.dibex.spi.StoreTransaction tx = net.backup("B1").begin()) {
            assertThat(tx.exchange().sequenceBoundary(MAIN)).as("nothing kept at a branch").isEmpty();
        }

        List<ObjectKey> order = new ArrayList<>();
        Sequence.RestoreResult r = net.node("C").restoreSequence(MAIN, LocalDateTime.MAX, costing(order));
        assertThat(order).containsExactly(saleKey("R"), saleKey("S"));
        assertThat(r.boundary()).contains(SequenceBoundary.pastOf(day(9), saleKey("S")));

        // The same state sent again by hand changes nothing at C: the boundary stays (R12, R14).
        net.node("B1").inTransaction(tx -> tx.register(saleKey("R")));
        net.settle(10);
        assertThat(boundary("C")).contains(SequenceBoundary.pastOf(day(9), saleKey("S")));

        // A changed state moves it back to the lower of the old and new points.
        net.put("B1", sale("S", 8, 2).toBuilder().set("Owner", "B1").build());
        net.settle(10);
        assertThat(boundary("C")).contains(SequenceBoundary.before(day(8), saleKey("S")));
    }

    @Test
    @DisplayName("a kept sequence's boundary moves back on a host write, a deletion and an unposting, to the lower of the old and new points (R14)")
    void boundaryMovesBackOnWriteDeleteAndUnpost() {
        network(false, false);
        net.put("B1", sale("A", 3, 1));
        net.put("B1", sale("B", 5, 1));
        net.put("B1", sale("D", 9, 1));
        assertThat(boundary("B1")).contains(SequenceBoundary.before(day(3), saleKey("A")));
        net.node("B1").restoreSequence(MAIN, LocalDateTime.MAX, costing(new ArrayList<>()));
        assertThat(boundary("B1")).contains(SequenceBoundary.pastOf(day(9), saleKey("D")));

        net.put("B1", sale("D", 4, 1));
        assertThat(boundary("B1")).as("moved from day 9 to day 4").contains(SequenceBoundary.before(day(4), saleKey("D")));
        net.node("B1").restoreSequence(MAIN, LocalDateTime.MAX, costing(new ArrayList<>()));
        net.put("B1", sale("D", 10, 1));
        assertThat(boundary("B1")).as("moved from day 4 to day 10: the old point counts")
                .contains(SequenceBoundary.before(day(4), saleKey("D")));
        net.node("B1").restoreSequence(MAIN, LocalDateTime.MAX, costing(new ArrayList<>()));

        net.delete("B1", saleKey("B"));
        assertThat(boundary("B1")).as("deleted").contains(SequenceBoundary.before(day(5), saleKey("B")));
        net.node("B1").restoreSequence(MAIN, LocalDateTime.MAX, costing(new ArrayList<>()));

        DataObject unposted = DataObject.builder(saleKey("A")).set("Date", Value.of(day(3))).set("Owner", "C")
                .set("Posted", Value.of(false)).set("Qty", Value.of(1L)).build();
        net.put("B1", unposted);
        assertThat(boundary("B1")).as("unposted").contains(SequenceBoundary.before(day(3), saleKey("A")));

        assertThatThrownBy(() -> net.put("B1", DataObject.builder(saleKey("X")).set("Owner", "C").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Date");
        assertThat(net.get("B1", saleKey("X"))).isEmpty();
    }

    @Test
    @DisplayName("a restore reposts in point order with registration suppressed, never moves the boundary back, and resumes after a failure (R14)")
    void restoreRepostsInOrderAndResumes() {
        network();
        net.put("C", sale("D", 9, 4));
        net.put("C", sale("A", 2, 1));
        net.put("C", sale("C", 6, 3));
        net.put("C", sale("B", 4, 2));
        net.settle(10);
        assertThat(boundary("C")).contains(SequenceBoundary.before(day(2), saleKey("A")));

        List<ObjectKey> order = new ArrayList<>();
        List<String> progress = new ArrayList<>();
        Sequence.Posting costing = costing(order);
        Sequence.Posting failingAtC = (tx, doc) -> {
            if (doc.key().equals(saleKey("C"))) {
                tx.put(withCost(doc, "1.00"));
                throw new java.io.IOException("printer on fire");
            }
            costing.post(tx, doc);
        };
        assertThatThrownBy(() -> net.node("C").restoreSequence(MAIN, LocalDateTime.MAX, failingAtC,
                (doc, done, total) -> progress.add(doc.id() + " " + done + "/" + total)))
                .isInstanceOf(DibexException.class).hasMessageContaining("printer on fire");
        assertThat(boundary("C")).contains(SequenceBoundary.pastOf(day(4), saleKey("B")));
        assertThat(net.get("C", saleKey("C"))).as("rolled back").contains(sale("C", 6, 3));
        assertThat(progress).containsExactly("A 1/4", "B 2/4");

        Sequence.RestoreResult upToDay6 = net.node("C").restoreSequence(MAIN, day(6), costing);
        assertThat(upToDay6.reposted()).isEqualTo(1);
        Sequence.RestoreResult rest = net.node("C").restoreSequence(MAIN, LocalDateTime.MAX, costing);
        assertThat(rest.reposted()).isEqualTo(1);
        assertThat(rest.complete()).isTrue();
        assertThat(order).containsExactly(saleKey("A"), saleKey("B"), saleKey("C"), saleKey("D"));
        assertThat(boundary("C")).contains(SequenceBoundary.pastOf(day(9), saleKey("D")));
        assertThat(net.get("C", saleKey("D"))).contains(withCost(sale("D", 9, 4), "40.00"));
        for (String peer : List.of("B1", "B2")) {
            assertThat(net.node("C").pendingRegistrations(peer)).as("reposting sent nowhere: " + peer).isZero();
        }
        assertThat(journal("C", JournalEntry.Kind.SEQUENCE)).hasSize(3);
        assertThat(journal("C", JournalEntry.Kind.SEQUENCE).get(0).detail()).contains("stopped at " + saleKey("C"));

        Sequence.RestoreResult nothing = net.node("C").restoreSequence(MAIN, LocalDateTime.MAX, costing);
        assertThat(nothing.reposted()).isZero();
        assertThat(order).hasSize(4);
    }

    @Test
    @DisplayName("documents posted at branches are marked when the central node loads them, reposted there once with nothing sent back, a deleted one only unmarked, and a failed run resumes (seed 004)")
    void markedDocumentsAreRepostedAtTheCentre() {
        assertThatThrownBy(() -> TestPlans.tradeBuilder("Trade").repostAtCentral(TestPlans.ITEM).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no document kind");
        ExchangePlan plan = TestPlans.tradeBuilder("Trade")
                .register(STOCK, MigrationPolicy.MIGRATE)
                .register(COST, MigrationPolicy.LOCAL)
                .repostAtCentral(TestPlans.SALE)
                .build();
        net = new Network(plan, config());
        net.put("B1", sale("A", 2, 1));
        net.put("B2", sale("B", 3, 2));
        net.put("B11", sale("X", 4, 3));
        net.put("C", sale("Z", 5, 1)); // posted at the central node itself: not marked
        net.settle(10);
        net.delete("B11", saleKey("X"));
        net.settle(10);

        List<ObjectKey> order = new ArrayList<>();
        Sequence.Posting costing = costing(order);
        Sequence.Posting failingAtB = (tx, doc) -> {
            costing.post(tx, doc);
            if (doc.key().equals(saleKey("B"))) {
                throw new java.io.IOException("printer on fire");
            }
        };
        List<String> progress = new ArrayList<>();
        assertThatThrownBy(() -> net.node("C").repostMarked(failingAtB,
                (doc, done, total) -> progress.add(doc.id() + " " + done + "/" + total)))
                .isInstanceOf(DibexException.class).hasMessageContaining("printer on fire");
        assertThat(progress).containsExactly("A 1/2");
        assertThat(net.get("C", saleKey("B"))).as("rolled back, still marked").contains(sale("B", 3, 2));

        assertThat(net.node("C").repostMarked(costing)).isEqualTo(1);
        assertThat(order).containsExactly(saleKey("A"), saleKey("B"), saleKey("B"));
        assertThat(net.get("C", saleKey("A"))).contains(withCost(sale("A", 2, 1), "10.00"));
        assertThat(net.get("C", saleKey("B"))).contains(withCost(sale("B", 3, 2), "20.00"));
        assertThat(net.get("C", saleKey("Z"))).as("not marked").contains(sale("Z", 5, 1));
        for (String peer : List.of("B1", "B2")) {
            assertThat(net.node("C").pendingRegistrations(peer)).as("reposting sent nowhere: " + peer).isZero();
        }
        assertThat(net.node("C").repostMarked(costing)).as("nothing left marked").isZero();
        assertThat(order).hasSize(3);
        assertThatThrownBy(() -> net.node("B1").repostMarked(costing)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("a write that moves the boundary back while a restore runs makes it scan again from there (R14)")
    void writeDuringRestoreIsReposted() {
        network();
        net.put("C", sale("A", 2, 1));
        net.put("C", sale("B", 4, 2));
        net.put("C", sale("D", 6, 3));
        List<ObjectKey> order = new ArrayList<>();
        Sequence.RestoreResult r = net.node("C").restoreSequence(MAIN, LocalDateTime.MAX, costing(order),
                (doc, done, total) -> {
                    if (done == 2) {
                        // Between two steps, outside the restore's transactions: A is changed, back-dated.
                        net.put("C", sale("A", 2, 5));
                    }
                });
        assertThat(order).containsExactly(saleKey("A"), saleKey("B"), saleKey("A"), saleKey("B"), saleKey("D"));
        assertThat(r.reposted()).isEqualTo(5);
        assertThat(net.get("C", saleKey("A"))).contains(withCost(sale("A", 2, 5), "50.00"));
        assertThat(boundary("C")).contains(SequenceBoundary.pastOf(day(6), saleKey("D")));
    }

    @Test
    @DisplayName("a restore's own writes never move its boundary back, and move another sequence's like any write (R14)")
    void restoreWritesMoveOnlyOtherSequences() {
        ExchangePlan plan = TestPlans.tradeBuilder("Trade")
                .register(STOCK, MigrationPolicy.MIGRATE)
                .register(COST, MigrationPolicy.LOCAL)
                .sequence(Sequence.builder(MAIN).kind(TestPlans.SALE).build())
                .sequence(Sequence.builder("Other").kind(TestPlans.SALE).build())
                .build();
        net = new Network(plan, config());
        net.put("C", sale("A", 2, 1));
        net.put("C", sale("B", 4, 1));
        net.node("C").restoreSequence(MAIN, LocalDateTime.MAX, (tx, doc) -> { });
        net.node("C").restoreSequence("Other", LocalDateTime.MAX, (tx, doc) -> { });
        net.put("C", sale("B", 4, 2));
        net.node("C").restoreSequence(MAIN, LocalDateTime.MAX, (tx, doc) -> tx.put(withCost(sale("A", 2, 1), "5.00")));
        assertThat(net.node("C").sequenceBoundary(MAIN)).contains(SequenceBoundary.pastOf(day(4), saleKey("B")));
        assertThat(net.node("C").sequenceBoundary("Other")).contains(SequenceBoundary.before(day(2), saleKey("A")));
    }

    @Test
    @DisplayName("a restore whose posting changes the migrating content registers it and journals a warning (R10, R14)")
    void repostingThatChangesContentIsSent() {
        network();
        net.put("C", sale("A", 2, 1));
        net.settle(10);
        net.node("C").restoreSequence(MAIN, LocalDateTime.MAX, (tx, doc) -> tx.put(sale("A", 2, 7)));
        assertThat(journal("C", JournalEntry.Kind.WARNING)).singleElement()
                .satisfies(w -> assertThat(w.keys()).containsExactly(saleKey("A")));
        net.settle(10);
        assertThat(net.get("B1", saleKey("A"))).contains(sale("A", 2, 7));
    }
}
