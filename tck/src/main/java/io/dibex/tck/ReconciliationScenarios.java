package io.dibex.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.ExchangePlan;
import io.dibex.ObjectKind;
import io.dibex.Reconciliation;
import io.dibex.ReconciliationReport;
import io.dibex.Subdivisions;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageWriter;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.JournalEntry;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Document reconciliation (SPEC §5), written once and run over any {@link NetworkConfig}: the
 * central node {@code C} with branches {@code B1} (and its branch {@code B11}) and {@code B2}, both
 * on the auto-send list. Documents are owned by the node named in {@code Owner}, go up to the
 * central node, and go down to the node named in {@code To}. Divergence is made as the seed says
 * it arises: writes straight into a node's stores that register nothing (documents exported by
 * hand and never imported), and a document lost at a branch without a tombstone (a restore from
 * an old backup).
 */
public abstract class ReconciliationScenarios {

    /** The document kind. */
    static final String DOC = "Doc";
    /** The document date of every document: inside the window of the network's clock (2026-01-01). */
    static final LocalDate DATE = LocalDate.of(2025, 12, 20);

    /** The store, codec and transport under test. */
    protected abstract NetworkConfig config();

    /**
     * The compact comparison to run the suite with, or null for the naive request (the default);
     * a subclass in a module that has one (dibex-checksum) runs the suite again with it.
     */
    protected io.dibex.spi.SetComparison compact() {
        return null;
    }

    private Network net;

    @AfterEach
    void nothingLeftOpen() {
        if (net != null) {
            net.checkClosed();
        }
    }

    /** The plan of this suite, with the naive request. */
    public static ExchangePlan plan() {
        return planBuilder(null).build();
    }

    /** A builder of the plan of this suite, to vary it, with {@code compact} or, if null, the naive request. */
    public static ExchangePlan.Builder planBuilder(io.dibex.spi.SetComparison compact) {
        Subdivisions subdivisions = Subdivisions.builder().node("C").node("B1").node("B2").node("B11").build();
        return ExchangePlan.builder("Pharmacies")
                .central("C")
                .node("B1", "C")
                .node("B2", "C")
                .node("B11", "B1")
                .kind(ObjectKind.catalog("Item").field("Name", ValueType.STRING).build())
                .kind(ObjectKind.document(DOC)
                        .field("Date", ValueType.DATE)
                        .field("Owner", ValueType.STRING)
                        .field("To", ValueType.STRING)
                        .field("Amount", ValueType.DECIMAL)
                        .build())
                .routing(subdivisions.routing("C", "Owner", "To"))
                .reconciliation((compact == null ? Reconciliation.builder() : Reconciliation.builder().compact(compact))
                        .owner(subdivisions.owner("Owner")).autoSend("B1", "B2").build());
    }

    static ObjectKey key(String id) {
        return ObjectKey.of(DOC, id);
    }

    /** A document owned by {@code owner}, sent also to {@code to} when not null. */
    static DataObject doc(String id, String owner, String to, String amount) {
        DataObject.Builder b = DataObject.builder(key(id)).set("Date", Value.of(DATE)).set("Owner", owner)
                .set("Amount", Value.of(new BigDecimal(amount)));
        return (to == null ? b : b.set("To", to)).build();
    }

    private Network network() {
        return network(planBuilder(compact()).build());
    }

    private Network network(ExchangePlan plan) {
        net = new Network(plan, config());
        return net;
    }

    /** Documents at B1, B11, B2 and C (one of C's for B1, one for B2), exchanged until settled. */
    private Network populated() {
        return populated(planBuilder(compact()).build());
    }

    private Network populated(ExchangePlan plan) {
        Network n = network(plan);
        n.put("B1", doc("b1-a", "B1", null, "10"));
        n.put("B1", doc("b1-b", "B1", null, "11"));
        n.put("B1", doc("b1-c", "B1", null, "12"));
        n.put("B1", doc("b1-d", "B1", null, "13"));
        n.put("B11", doc("b11-a", "B11", null, "20"));
        n.put("B2", doc("b2-a", "B2", null, "30"));
        n.put("C", doc("c-1", "C", "B1", "40"));
        n.put("C", doc("c-2", "C", "B1", "41"));
        n.put("C", doc("c-3", "C", "B2", "42"));
        n.settle(12);
        return n;
    }

    /**
     * A write straight into the node's object store, which registers nothing: a document exported
     * by hand outside registration, or edited by a tool that bypasses dibex.
     */
    private void putUnregistered(String node, DataObject object) {
        net.node(node).inTransaction(tx -> {
            tx.store().objects().put(object);
            return null;
        });
    }

    /** A deletion straight in the node's stores: the object gone, its tombstone kept, nothing registered. */
    private void deleteUnregistered(String node, ObjectKey key) {
        net.node(node).inTransaction(tx -> {
            tx.store().exchange().putTombstone(key, net.clock().instant());
            return tx.store().objects().delete(key);
        });
    }

    /** The object removed from the node's object store with no tombstone: lost, as to an old backup. */
    private void lose(String node, ObjectKey key) {
        net.node(node).inTransaction(tx -> tx.store().objects().delete(key));
    }

    private Map<ObjectKey, DataObject> docs(String node) {
        return net.state(node).objects().values().stream().filter(o -> o.key().kind().equals(DOC))
                .collect(Collectors.toMap(DataObject::key, o -> o, (a, b) -> a, TreeMap::new));
    }

    private ReconciliationReport report(String child) {
        return net.node("C").reconciliations().stream().filter(r -> r.child().equals(child)).reduce((a, b) -> b)
                .orElseThrow();
    }

    private List<JournalEntry> journal(String node, JournalEntry.Kind kind) {
        return net.node(node).journal().stream().filter(e -> e.kind() == kind).collect(Collectors.toList());
    }

    @Test
    void aNetworkInAgreementReconcilesWithoutRepairs() {
        Network n = populated();
        Map<ObjectKey, DataObject> atCentral = docs("C");

        List<ReconciliationReport> started = n.node("C").reconcile();
        assertThat(started).extracting(ReconciliationReport::child).containsExactly("B1", "B2");
        assertThat(started).allMatch(r -> r.state() == ReconciliationReport.State.REQUESTED);
        assertThat(started.get(0).to()).isEqualTo(LocalDate.of(2026, 1, 1));
        assertThat(started.get(0).from()).isEqualTo(LocalDate.of(2025, 11, 18));
        n.settle(12);

        ReconciliationReport b1 = report("B1");
        assertThat(b1.state()).isEqualTo(ReconciliationReport.State.DONE);
        assertThat(b1.succeeded()).isTrue();
        // B1's subtree owns b1-a..d and b11-a; C's documents routed there are c-1 and c-2. The naive
        // request lists the first, the echo the second; the compact one compares both at once.
        assertThat(b1.officeListed()).isEqualTo(compact() == null ? 5 : 7);
        assertThat(b1.childListed()).isEqualTo(compact() == null ? 2 : 7);
        assertThat(b1.repairsToOffice()).isEmpty();
        assertThat(b1.repairsToChild()).isEmpty();
        assertThat(b1.askedBack()).isEmpty();
        ReconciliationReport b2 = report("B2");
        assertThat(b2.succeeded()).isTrue();
        assertThat(b2.officeListed()).isEqualTo(compact() == null ? 1 : 2);
        assertThat(b2.childListed()).isEqualTo(compact() == null ? 1 : 2);
        assertThat(docs("C")).isEqualTo(atCentral);
        // Every step journaled at both ends: request (C), comparison and echo (B1), echo compared and
        // reply (C), reply loaded and report sent (B1), report loaded (C).
        assertThat(journal("B1", JournalEntry.Kind.RECONCILIATION)).extracting(JournalEntry::detail)
                .anyMatch(d -> d.contains("step 2")).anyMatch(d -> d.contains("step 4"));
        assertThat(journal("C", JournalEntry.Kind.RECONCILIATION)).extracting(JournalEntry::detail)
                .anyMatch(d -> d.contains("step 1")).anyMatch(d -> d.contains("step 3"))
                .anyMatch(d -> d.contains("report of B1 loaded"));
    }

    /** Each way the seed names, once, at B1 and C; B2 untouched. */
    private void diverge() {
        putUnregistered("B1", doc("b1-new", "B1", null, "99"));      // exported by hand, never imported at C
        putUnregistered("B1", doc("b1-a", "B1", null, "10.50"));     // edited with registration suppressed
        deleteUnregistered("B1", key("b1-b"));                        // deleted there, C still holds it
        lose("B1", key("b1-c"));                                      // lost to an old backup
        putUnregistered("C", doc("c-1", "C", "B1", "40.50"));        // C's own edit B1 never got
        deleteUnregistered("B1", key("c-2"));                         // C's document gone at B1
    }

    @Test
    void repairsExactlyWhatDivergedAndNothingElse() {
        Network n = populated();
        diverge();
        Map<ObjectKey, DataObject> b2Before = docs("B2");
        long b2Imports = journal("B2", JournalEntry.Kind.IMPORT).size();

        n.node("C").reconcile();
        n.settle(16);

        ReconciliationReport b1 = report("B1");
        assertThat(b1.state()).isEqualTo(ReconciliationReport.State.DONE);
        assertThat(b1.errors()).isEmpty();
        assertThat(b1.repairsToOffice()).containsExactly(key("b1-a"), key("b1-b"), key("b1-new"));
        assertThat(b1.askedBack()).containsExactly(key("b1-c"));
        assertThat(b1.repairsToChild()).containsExactly(key("b1-c"), key("c-1"), key("c-2"));
        ReconciliationReport b2 = report("B2");
        assertThat(b2.succeeded()).isTrue();
        assertThat(b2.repairsToOffice()).isEmpty();
        assertThat(b2.repairsToChild()).isEmpty();

        // The owner's state won everywhere it is routed.
        assertThat(n.get("C", key("b1-new"))).contains(doc("b1-new", "B1", null, "99"));
        assertThat(n.get("C", key("b1-a"))).contains(doc("b1-a", "B1", null, "10.50"));
        assertThat(n.get("C", key("b1-b"))).isEmpty();
        assertThat(n.get("B1", key("b1-c"))).contains(doc("b1-c", "B1", null, "12"));
        assertThat(n.get("B1", key("c-1"))).contains(doc("c-1", "C", "B1", "40.50"));
        assertThat(n.get("B1", key("c-2"))).contains(doc("c-2", "C", "B1", "41"));
        Map<ObjectKey, DataObject> atB1 = docs("B1");
        Map<ObjectKey, DataObject> atC = docs("C");
        atB1.forEach((k, v) -> assertThat(atC).containsEntry(k, v));
        // Nothing else moved: B2 holds what it held and loaded no document.
        assertThat(docs("B2")).isEqualTo(b2Before);
        assertThat(journal("B2", JournalEntry.Kind.IMPORT).stream().skip(b2Imports)).allMatch(e -> e.objects() == 0
                || e.detail().contains("0 applied") || e.objects() <= 2);
        assertThat(n.totalRegistrations()).isZero();

        // A second reconciliation finds nothing left to repair; the first stays on record.
        String second = n.node("C").reconcile().get(0).runId();
        n.settle(12);
        assertThat(net.node("C").reconciliations()).filteredOn(r -> r.runId().equals(second)).singleElement()
                .satisfies(r -> {
                    assertThat(r.succeeded()).isTrue();
                    assertThat(r.repairsToOffice()).isEmpty();
                    assertThat(r.repairsToChild()).isEmpty();
                });
        assertThat(net.node("C").reconciliations()).filteredOn(r -> r.runId().equals(b1.runId())).hasSize(1);
    }

    @Test
    void theEchoReplyComesBehindEveryRepairRegisteredBeforeIt() {
        // One new row per message: the repairs to B1 take three messages, and the echo reply waits.
        Network n = populated(planBuilder(compact()).newRowsPerMessage(1).build());
        diverge();
        n.node("C").reconcile();
        for (int round = 0; round < 40 && report("B1").state() != ReconciliationReport.State.DONE; round++) {
            n.round();
            boolean replyLoaded = journal("B1", JournalEntry.Kind.RECONCILIATION).stream()
                    .anyMatch(e -> e.detail().contains("step 4"));
            if (replyLoaded) {
                // When B1 took the echo reply, every repair registered before it had arrived.
                for (ObjectKey key : List.of(key("b1-c"), key("c-1"), key("c-2"))) {
                    assertThat(n.get("B1", key)).as("%s at B1 when the reply was loaded", key)
                            .isEqualTo(n.get("C", key));
                }
            }
        }
        assertThat(report("B1").state()).isEqualTo(ReconciliationReport.State.DONE);
        assertThat(report("B1").repairsToChild()).containsExactly(key("b1-c"), key("c-1"), key("c-2"));
    }

    @Test
    void lostAndDuplicatedMessagesStillComplete() {
        Network n = populated();
        diverge();
        n.node("C").reconcile();
        FlakyTransport t = n.transport();
        // Lose the request, then duplicate everything of the next exchanges both ways.
        t.dropNext("C", "B1");
        n.export("C", "B1");
        n.deliver("B1");
        for (int i = 0; i < 4; i++) {
            t.duplicateNext("C", "B1");
            t.duplicateNext("B1", "C");
            n.round();
        }
        t.dropNext("B1", "C");
        n.round();
        n.settle(20);

        ReconciliationReport b1 = report("B1");
        assertThat(b1.state()).isEqualTo(ReconciliationReport.State.DONE);
        assertThat(b1.repairsToOffice()).containsExactly(key("b1-a"), key("b1-b"), key("b1-new"));
        assertThat(b1.repairsToChild()).containsExactly(key("b1-c"), key("c-1"), key("c-2"));
        assertThat(t.drops()).isPositive();
        assertThat(t.duplicates()).isGreaterThanOrEqualTo(2);
        // Each step was taken once: duplicates were skipped, and journaled so.
        assertThat(journal("B1", JournalEntry.Kind.RECONCILIATION)).extracting(JournalEntry::detail)
                .filteredOn(d -> d.contains("step 2")).hasSize(1);
        assertThat(journal("C", JournalEntry.Kind.RECONCILIATION)).filteredOn(e -> e.peer().equals("B1"))
                .extracting(JournalEntry::detail).filteredOn(d -> d.contains("step 3")).hasSize(1);
        assertThat(journal("C", JournalEntry.Kind.RECONCILIATION)).extracting(JournalEntry::detail)
                .anyMatch(d -> d.contains("skipped, already taken"));
    }

    @Test
    void aRepairFromTheOwnerWinsOverAPendingChangeWithoutTheResolver() {
        Network n = populated();
        // B1 changed its own document unseen; the request goes out; then C edits it too.
        putUnregistered("B1", doc("b1-d", "B1", null, "13.50"));
        n.node("C").reconcile();
        n.exchange("C", "B1");
        n.put("C", doc("b1-d", "B1", null, "13.99"));
        n.exchange("B1", "C");
        // The repair wins at C: without the flag the resolver would keep the parent's 13.99.
        assertThat(n.get("C", key("b1-d"))).contains(doc("b1-d", "B1", null, "13.50"));
        assertThat(journal("C", JournalEntry.Kind.RECONCILIATION)).extracting(JournalEntry::detail)
                .anyMatch(d -> d.contains("repair of " + key("b1-d")) && d.contains("dropped"));
        n.settle(12);
        assertThat(n.get("B1", key("b1-d"))).contains(doc("b1-d", "B1", null, "13.50"));
        assertThat(n.get("C", key("b1-d"))).contains(doc("b1-d", "B1", null, "13.50"));
        assertThat(report("B1").state()).isEqualTo(ReconciliationReport.State.DONE);
    }

    @Test
    void scheduledJobsExportToTheAutoSendListAndReconcileOncePerPeriod() {
        Network n = populated();
        diverge();
        List<List<ReconciliationReport>> started = new java.util.ArrayList<>();
        io.dibex.ExchangeJob office = io.dibex.ExchangeJob.builder(n.node("C")).autoSend()
                .reconcileEvery(java.time.Duration.ofDays(1)).clock(n.clock())
                .listener(new io.dibex.ExchangeJob.Listener() {
                    @Override
                    public void reconciling(List<ReconciliationReport> runs) {
                        started.add(runs);
                    }

                    @Override
                    public void finished(io.dibex.ExchangeJob.Run run) {
                    }
                }).build();
        List<io.dibex.ExchangeJob> branches = List.of(io.dibex.ExchangeJob.builder(n.node("B1")).build(),
                io.dibex.ExchangeJob.builder(n.node("B2")).build(), io.dibex.ExchangeJob.builder(n.node("B11")).build());
        for (int i = 0; i < 8; i++) {
            io.dibex.ExchangeJob.Run run = office.runNow();
            assertThat(run.failures()).isEmpty();
            branches.forEach(io.dibex.ExchangeJob::runNow);
            n.clock().advance(java.time.Duration.ofHours(1));
        }
        assertThat(started).hasSize(1);
        assertThat(started.get(0)).extracting(ReconciliationReport::child).containsExactly("B1", "B2");
        assertThat(report("B1").state()).isEqualTo(ReconciliationReport.State.DONE);
        assertThat(report("B1").repairsToOffice()).containsExactly(key("b1-a"), key("b1-b"), key("b1-new"));
        assertThat(n.get("C", key("b1-new"))).isPresent();

        n.clock().advance(java.time.Duration.ofDays(1));
        assertThat(office.runNow().reconciliations()).hasSize(2);
        assertThat(started).hasSize(2);
        assertThatThrownBy(() -> io.dibex.ExchangeJob.builder(n.node("B1")).reconcileEvery(java.time.Duration.ofDays(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("central node");
    }

    /** A message from {@code from} to {@code to} numbered next, acknowledging what it loaded, with these items. */
    private BytesMessage forged(String from, String to, List<MessageItem> items) {
        io.dibex.spi.PeerState sender = net.node(from).peerState(to);
        io.dibex.spi.PeerState receiver = net.node(to).peerState(from);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MessageHeader header = new MessageHeader(net.plan().name(), from, to, receiver.lastLoadedNo() + 1,
                UUID.randomUUID(), sender.lastLoadedNo(), sender.lastLoadedId(), false, List.of());
        try (MessageWriter writer = config().codec().writer(bytes, net.plan(), header)) {
            items.forEach(writer::write);
            writer.finish();
        }
        return new BytesMessage("Message_" + from + "_" + to, bytes.toByteArray());
    }

    private static MessageItem control(String id, Object... namesAndValues) {
        DataObject.Builder b = DataObject.builder(ObjectKey.of("dibex.Control", id));
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.set((String) namesAndValues[i], (Value) namesAndValues[i + 1]);
        }
        return new MessageItem.Upsert(b.build());
    }

    private static MessageItem requestHead(String run) {
        return control(run + ".REQUEST", "Run", Value.of(run), "Step", Value.of("REQUEST"),
                "From", Value.of(DATE.minusDays(10)), "To", Value.of(DATE), "Kinds", Value.of(DOC));
    }

    private static MessageItem part(String run, long no, boolean last, byte[] entries) {
        return control(run + ".REQUEST." + no, "Run", Value.of(run), "Step", Value.of("REQUEST"), "Part", Value.of(no),
                "Last", Value.of(last), "Entries", Value.binary(entries));
    }

    @Test
    void hostileControlItemsFailTheMessageAndChangeNothing() {
        Network n = populated();
        NodeState b1 = n.state("B1");
        NodeState b11 = n.state("B11");
        String run = UUID.randomUUID().toString();
        // A request from a node that is not the central node, to its child.
        assertThatThrownBy(() -> n.node("B11").importMessage(forged("B1", "B11",
                List.of(requestHead(run), part(run, 1, true, new byte[0])))))
                .isInstanceOf(io.dibex.DibexException.class).hasMessageContaining("central node C to its child only");
        // From the central node: truncated entries, a part out of order, a list the message cuts short,
        // a part with no head, a control item that is not a state, an unknown step.
        List<List<MessageItem>> hostile = List.of(
                List.of(requestHead(run), part(run, 1, true, new byte[] {0, 0, 1, 2})),
                List.of(requestHead(run), part(run, 2, true, new byte[0])),
                List.of(requestHead(run), part(run, 1, false, new byte[0])),
                List.of(part(run, 1, true, new byte[0])),
                List.of(new MessageItem.Deletion(ObjectKey.of("dibex.Control", run + ".REQUEST"))),
                List.of(control(run + ".PURGE", "Run", Value.of(run), "Step", Value.of("PURGE"))),
                List.of(requestHead(run), part(run, 1, true, new byte[] {9, 0})),
                List.of(control(run + ".REQUEST", "Run", Value.of(run), "Step", Value.of("REQUEST"),
                        "From", Value.of(DATE), "To", Value.of(DATE), "Kinds", Value.of("Doc,1st"))),
                List.of(new MessageItem.Upsert(DataObject.builder(ObjectKey.of("dibex.Other", "x")).build())));
        for (List<MessageItem> items : hostile) {
            assertThatThrownBy(() -> n.node("B1").importMessage(forged("C", "B1", items)))
                    .as("%s", items).isInstanceOf(io.dibex.DibexException.class);
        }
        assertThat(n.state("B1").objects()).isEqualTo(b1.objects());
        assertThat(n.state("B1").registrations()).isEqualTo(b1.registrations());
        assertThat(n.state("B11").objects()).isEqualTo(b11.objects());
        assertThat(n.state("B11").registrations()).isEqualTo(b11.registrations());
        // And the exchange goes on: a real reconciliation still completes.
        n.node("C").reconcile();
        n.settle(12);
        assertThat(report("B1").succeeded()).isTrue();
    }

    @Test
    void runsArePrunedWithTheJournal() {
        Network n = populated();
        n.node("C").reconcile();
        n.settle(12);
        assertThat(n.node("C").reconciliations()).hasSize(2);
        n.node("C").reconcile();
        n.clock().advance(n.plan().journalRetention().plusDays(1));
        // The first pair finished, the second never did; both are older than the retention now.
        long pruned = n.node("C").pruneJournal();
        assertThat(pruned).isPositive();
        assertThat(n.node("C").reconciliations()).isEmpty();
        n.node("B1").pruneJournal();
        // A new run works as ever; the unfinished runs' steps still in flight are skipped as unknown.
        n.node("C").reconcile();
        n.settle(12);
        assertThat(n.node("C").reconciliations()).hasSize(2).allMatch(ReconciliationReport::succeeded);
    }

    @Test
    void onlyTheCentralNodeReconciles() {
        Network n = network();
        assertThatThrownBy(() -> n.node("B1").reconcile()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("central node C only");
        assertThat(n.node("B1").reconciliations()).isEmpty();
    }
}
