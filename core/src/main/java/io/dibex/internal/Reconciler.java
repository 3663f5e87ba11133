package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.MalformedMessageException;
import io.dibex.ObjectKind;
import io.dibex.Reconciliation;
import io.dibex.ReconciliationReport;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageWriter;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.spi.Control;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.StoreTransaction;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Document reconciliation between the central node and its children (SPEC §5). The four steps
 * travel as control items (kind {@value #CONTROL}) through the ordinary exchange: each is stored
 * in the exchange store and sent in every message to the peer until acknowledged; a receiver
 * takes each step once per run, recorded in its run state (kind {@value #RUN}), so a duplicate
 * changes nothing. Repairs are ordinary registrations flagged {@code repair}.
 *
 * <p>A step that lists documents (the request and the echo request) travels as a head item and
 * then parts of at most {@value #PART_ENTRIES} entries, written from the object store while the
 * message is written: the sender streams the list, and the receiver compares each part as it reads
 * it against the digests of the documents it compares, which it does hold (one side's share of the
 * window; the object store offers no index by date to merge against).
 */
final class Reconciler {

    /** The kind of control items. */
    static final String CONTROL = "dibex.Control";
    /** The kind of run states. */
    static final String RUN = "dibex.Run";
    /** Entries per part of a list. */
    static final int PART_ENTRIES = 4096;

    private static final int UUID_ID = 0;
    private static final int TEXT_ID = 1;
    private static final int MAX_KINDS = 255;

    /** The four steps, in order. */
    enum Step {
        REQUEST, ECHO, REPLY, REPORT,
        /** Compact mode: a further message of the child's comparison to the office. */
        ASK,
        /** Compact mode: the office's answer to an {@code ASK}. */
        ANSWER
    }

    private final Context ctx;

    Reconciler(Context ctx) {
        this.ctx = ctx;
    }

    private Reconciliation settings() {
        return ctx.plan.reconciliation().orElseThrow(() -> new IllegalStateException("plan " + ctx.plan.name()
                + " has no reconciliation settings (ExchangePlan.Builder.reconciliation)"));
    }

    // ---- step 1, at the central node

    /**
     * Step 1: a request to each child on the auto-send list, over the window ending {@code today}.
     *
     * @return the runs started
     */
    List<ReconciliationReport> start(LocalDate today) {
        Reconciliation r = settings();
        if (!ctx.me.equals(ctx.plan.central())) {
            throw new IllegalStateException("a reconciliation runs from the central node " + ctx.plan.central()
                    + " only (SPEC §5), not from " + ctx.me);
        }
        LocalDate from = today.minus(r.window()).plusDays(1);
        List<ReconciliationReport> started = new ArrayList<>();
        for (String child : r.autoSend()) {
            String run = UUID.randomUUID().toString();
            DataObject state = DataObject.builder(runKey(run))
                    .set("Run", Value.of(run)).set("Peer", Value.of(child)).set("Role", Value.of("OFFICE"))
                    .set("Step", Value.of(ReconciliationReport.State.REQUESTED.name()))
                    .set("From", Value.of(from)).set("To", Value.of(today))
                    .set("Started", Value.of(ctx.clock.instant())).build();
            ctx.inTx(tx -> {
                DataObject.Builder head = head(run, Step.REQUEST, from, today);
                DataObject st = state;
                if (r.compact().isPresent()) {
                    // The compact request: a sketch of the whole compared set, as the office holds it now.
                    try (EntryPasses office = compactSet(tx, child, from, today)) {
                        head.set("Sketch", Value.binary(r.compact().get().request(office)));
                        st = st.toBuilder().set("OfficeListed", Value.of(office.count)).build();
                    }
                }
                tx.exchange().putRun(st);
                tx.exchange().putControl(child, head.build());
                return null;
            });
            ctx.journal(ctx.entry(JournalEntry.Kind.RECONCILIATION, child, 0, 0, 0, 0, 0, "run " + run
                    + ": step 1, request to " + child + " for documents dated " + from + " to " + today, List.of()),
                    null);
            started.add(report(state));
        }
        return started;
    }

    // ---- export: control items and their lists

    /** Whether a control item waits for {@code peer}. */
    static boolean pending(ExchangeStore store, String peer) {
        try (Stream<Control> controls = store.controls(peer)) {
            return controls.findAny().isPresent();
        }
    }

    /**
     * Writes every control item waiting for {@code peer}, each list step followed by its parts.
     *
     * @return the keys of the control items written
     */
    List<ObjectKey> write(StoreTransaction tx, String peer, MessageWriter writer) {
        List<ObjectKey> written = new ArrayList<>();
        try (Stream<Control> controls = tx.exchange().controls(peer)) {
            Iterator<Control> it = controls.iterator();
            while (it.hasNext()) {
                DataObject head = it.next().item();
                writer.write(new MessageItem.Upsert(head));
                written.add(head.key());
                Step step = step(head, "control item " + head.key());
                if ((step == Step.REQUEST || step == Step.ECHO) && head.get("Sketch") == Value.NULL
                        && head.get("Compact") == Value.NULL) {
                    writeList(tx, peer, head, step, writer);
                }
            }
        }
        return written;
    }

    /**
     * The list of a request (the documents owned in the child's subtree, as this central node holds
     * them) or of an echo (the documents owned outside this child's subtree, as it holds them), in
     * parts; the last part says so.
     */
    private void writeList(StoreTransaction tx, String peer, DataObject head, Step step, MessageWriter writer) {
        String run = text(head, "Run");
        LocalDate from = date(head, "From");
        LocalDate to = date(head, "To");
        String child = step == Step.REQUEST ? peer : ctx.me;
        List<String> kinds = kindsOf(head, "control item " + head.key());
        Entries entries = new Entries(kinds);
        int part = 0;
        try (EntryPasses listed = new EntryPasses(tx, kinds, doc -> inWindow(doc, from, to)
                && ownedIn(doc, child) == (step == Step.REQUEST)
                && (step == Step.REQUEST || settings().ownerOf(doc).isPresent()))) {
            for (Iterator<io.dibex.spi.SetComparison.Entry> it = listed.open(); it.hasNext(); ) {
                io.dibex.spi.SetComparison.Entry e = it.next();
                entries.add(e.key(), e.digest());
                if (entries.count == PART_ENTRIES) {
                    writer.write(new MessageItem.Upsert(part(run, step, ++part, false, entries)));
                    entries = new Entries(kinds);
                }
            }
        }
        writer.write(new MessageItem.Upsert(part(run, step, ++part, true, entries)));
    }

    private DataObject part(String run, Step step, int no, boolean last, Entries entries) {
        return DataObject.builder(ObjectKey.of(CONTROL, run + "." + step.name() + "." + no))
                .set("Run", Value.of(run)).set("Step", Value.of(step.name())).set("Part", Value.of(no))
                .set("Last", Value.of(last)).set("Entries", Value.binary(entries.bytes())).build();
    }

    // ---- import: one message's control items

    /** The control items of one message body, applied in its transaction. */
    Session session(String peer, List<JournalEntry> notes) {
        return new Session(peer, notes);
    }

    /** One body's control items: at most one list open at a time. */
    final class Session {
        private final String peer;
        private final List<JournalEntry> notes;
        private Comparison open;
        private String skipping;
        private int nextPart;

        private Session(String peer, List<JournalEntry> notes) {
            this.peer = peer;
            this.notes = notes;
        }

        /** Applies one control item. */
        void load(StoreTransaction tx, DataObject item) {
            String what = "control item " + item.key();
            if (ctx.plan.reconciliation().isEmpty()) {
                throw malformed(what, "plan " + ctx.plan.name() + " has no reconciliation settings at " + ctx.me);
            }
            String run = text(item, "Run");
            Step step = step(item, what);
            if (!item.key().id().startsWith(run + "." + step.name())) {
                throw malformed(what, "its key does not name its run and step");
            }
            if (item.get("Part") != Value.NULL) {
                loadPart(tx, item, run, step, what);
                return;
            }
            if (open != null) {
                throw malformed(what, "it begins before the list of " + open.run + " ended");
            }
            skipping = null;
            Optional<DataObject> state = tx.exchange().run(runKey(run));
            switch (step) {
                case REQUEST -> request(tx, item, run, state, what);
                case ECHO -> echo(tx, item, run, state, what);
                case REPLY -> reply(tx, item, run, state, what);
                case REPORT -> reportArrived(tx, item, run, state, what);
                case ASK -> ask(tx, item, run, state, what);
                case ANSWER -> answer(tx, item, run, state, what);
                default -> throw new IllegalStateException(step.name());
            }
        }

        /** Ends the body: a list begun must have ended. */
        void finish() {
            if (open != null) {
                throw malformed("control item " + open.run, "the message ends inside the list of its " + open.step);
            }
        }

        private void loadPart(StoreTransaction tx, DataObject item, String run, Step step, String what) {
            if (open == null || !open.run.equals(run) || open.step != step) {
                if ((run + "." + step.name()).equals(skipping)) {
                    return;
                }
                throw malformed(what, "a part of a list whose head did not come first");
            }
            long no = int64(item, "Part", what);
            if (no != nextPart) {
                throw malformed(what, "part " + no + " where part " + nextPart + " was due");
            }
            nextPart++;
            open.compare(tx, item.get("Entries"), what);
            if (item.get("Last") instanceof Value.Bool b && b.value()) {
                Comparison done = open;
                open = null;
                done.close(tx);
            }
        }

        private void skip(String run, Step step, String why) {
            skipping = run + "." + step.name();
            notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, peer, 0, 0, 0, 0, 0, "run " + run + ": "
                    + step.name().toLowerCase(java.util.Locale.ROOT) + " from " + peer + " skipped, " + why,
                    List.of()));
        }

        private void request(StoreTransaction tx, DataObject head, String run, Optional<DataObject> state,
                String what) {
            if (!ctx.plan.central().equals(peer) || !ctx.plan.isParentOf(peer, ctx.me)) {
                throw new DibexException(what + " from " + peer + ": a reconciliation request comes from the"
                        + " central node " + ctx.plan.central() + " to its child only (SPEC §5)");
            }
            settings();
            if (state.isPresent()) {
                skip(run, Step.REQUEST, "already taken");
                return;
            }
            LocalDate from = date(head, "From");
            LocalDate to = date(head, "To");
            requireWindow(from, to, what);
            DataObject s = DataObject.builder(runKey(run)).set("Run", Value.of(run)).set("Peer", Value.of(peer))
                    .set("Role", Value.of("CHILD")).set("Step", Value.of("ECHOED")).set("From", Value.of(from))
                    .set("To", Value.of(to)).set("Started", Value.of(ctx.clock.instant())).build();
            if (head.get("Sketch") != Value.NULL) {
                compactStep(tx, s.toBuilder().set("Round", Value.of(0L)).build(), binary(head, "Sketch", what), what);
                return;
            }
            open = new Comparison(tx, peer, run, Step.REQUEST, s, from, to, notes);
            open.kinds = kindsOf(head, what);
            nextPart = 1;
        }

        private void echo(StoreTransaction tx, DataObject head, String run, Optional<DataObject> state,
                String what) {
            if (!ctx.me.equals(ctx.plan.central()) || !ctx.plan.isParentOf(ctx.me, peer)) {
                throw new DibexException(what + " from " + peer + ": an echo request goes to the central node only"
                        + " (SPEC §5)");
            }
            if (state.isEmpty() || !peer.equals(text(state.get(), "Peer"))) {
                skip(run, Step.ECHO, "no such run was requested from " + peer);
                return;
            }
            if (!ReconciliationReport.State.REQUESTED.name().equals(text(state.get(), "Step"))) {
                skip(run, Step.ECHO, "already taken");
                return;
            }
            DataObject s = state.get();
            if (head.get("Compact") != Value.NULL) {
                compactEcho(tx, head, s);
                return;
            }
            open = new Comparison(tx, peer, run, Step.ECHO, s, date(s, "From"), date(s, "To"), notes);
            open.askedBack.addAll(keys(head, "AskBack"));
            open.kinds = kindsOf(head, what);
            nextPart = 1;
        }

        // ---- compact mode (Reconciliation.compact)

        /**
         * At the child: one step of the compact comparison on a message of the office. A reply goes
         * up as an {@code ASK}; the differences, once found, are acted on as in the naive step 2.
         */
        private void compactStep(StoreTransaction tx, DataObject state, byte[] fromOffice, String what) {
            String run = text(state, "Run");
            LocalDate from = date(state, "From");
            LocalDate to = date(state, "To");
            io.dibex.spi.SetComparison.Step step;
            long count;
            try (EntryPasses mine = compactSet(tx, ctx.me, from, to)) {
                step = comparison(what).receive(mine, fromOffice);
                count = mine.count;
            } catch (IllegalArgumentException e) {
                throw malformed(what, "its compact request: " + e.getMessage());
            }
            ExchangeStore store = tx.exchange();
            if (step instanceof io.dibex.spi.SetComparison.Step.Reply reply) {
                long round = count(state, "Round") + 1;
                store.putRun(state.toBuilder().set("Step", Value.of("COMPARING")).set("Round", Value.of(round)).build());
                store.putControl(peer, head(run, Step.ASK, from, to, round).set("Message", Value.binary(reply.message()))
                        .build());
                notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, peer, 0, 0, 0, reply.message().length, 0,
                        "run " + run + ": step 2, the compact request did not decode; round " + round + " asks "
                        + peer + " for more", List.of()));
                return;
            }
            io.dibex.spi.SetComparison.Step.Done done = (io.dibex.spi.SetComparison.Step.Done) step;
            Comparison c = new Comparison(tx, peer, run, Step.REQUEST, state, from, to, notes, false);
            TreeSet<ObjectKey> deleted = new TreeSet<>();
            TreeSet<ObjectKey> theirs = new TreeSet<>();
            List<ObjectKey> held = new ArrayList<>(done.onlyAtChild());
            held.addAll(done.different());
            for (ObjectKey key : held) {
                Optional<DataObject> doc = tx.objects().get(key);
                if (doc.isPresent() && ownedIn(doc.get(), ctx.me)) {
                    c.repair(tx, key);
                } else {
                    theirs.add(key);
                }
            }
            for (ObjectKey key : done.onlyAtOffice()) {
                if (store.tombstone(key).isPresent()) {
                    deleted.add(key);
                } else {
                    c.askedBack.add(key);
                }
            }
            store.putRun(state.toBuilder().set("Step", Value.of("ECHOED")).set("ChildListed", Value.of(count))
                    .table("RepairsToOffice", rows(c.repairs)).table("AskedBack", rows(c.askedBack)).build());
            store.putControl(peer, head(run, Step.ECHO, from, to).set("Compact", Value.of(true))
                    .table("AskBack", rows(c.askedBack)).table("Deleted", rows(deleted)).table("Theirs", rows(theirs))
                    .build());
            notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, peer, 0, 0, c.repairs.size(), 0, 0, "run " + run
                    + ": step 2, compact comparison of " + count + " documents: " + c.repairs.size()
                    + " repairs registered for " + peer + ", " + c.askedBack.size() + " asked back, " + deleted.size()
                    + " deleted here, " + theirs.size() + " of other owners to check; echo request sent",
                    List.copyOf(c.repairs)));
        }

        /** At the office: the answer to the child's {@code ASK} of a round. */
        private void ask(StoreTransaction tx, DataObject item, String run, Optional<DataObject> state, String what) {
            long round = int64(item, "Round", what);
            if (state.isEmpty() || !peer.equals(text(state.get(), "Peer"))
                    || !ReconciliationReport.State.REQUESTED.name().equals(text(state.get(), "Step"))
                    || count(state.get(), "Answered") >= round) {
                skip(run, Step.ASK, state.isEmpty() ? "no such run" : "already taken");
                return;
            }
            DataObject s = state.get();
            byte[] answer;
            try (EntryPasses office = compactSet(tx, peer, date(s, "From"), date(s, "To"))) {
                answer = comparison(what).answer(office, binary(item, "Message", what));
            } catch (IllegalArgumentException e) {
                throw malformed(what, "its message: " + e.getMessage());
            }
            tx.exchange().putRun(s.toBuilder().set("Answered", Value.of(round)).build());
            tx.exchange().putControl(peer, head(run, Step.ANSWER, date(s, "From"), date(s, "To"), round)
                    .set("Message", Value.binary(answer)).build());
            notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, peer, 0, 0, 0, answer.length, 0, "run " + run
                    + ": round " + round + " of the compact comparison answered", List.of()));
        }

        /** At the child: the office's answer to its {@code ASK} of a round. */
        private void answer(StoreTransaction tx, DataObject item, String run, Optional<DataObject> state,
                String what) {
            long round = int64(item, "Round", what);
            if (state.isEmpty() || !peer.equals(text(state.get(), "Peer"))
                    || !"COMPARING".equals(text(state.get(), "Step")) || count(state.get(), "Round") != round) {
                skip(run, Step.ANSWER, state.isEmpty() ? "no such run" : "already taken");
                return;
            }
            compactStep(tx, state.get(), binary(item, "Message", what), what);
        }

        /**
         * At the office: the compact echo. Keys the child asked back and the documents of other
         * owners it holds otherwise go down as repairs; deletions of the child's own documents
         * that the office still holds are confirmed in the reply, so the child sends them up.
         */
        private void compactEcho(StoreTransaction tx, DataObject head, DataObject state) {
            String run = text(state, "Run");
            LocalDate from = date(state, "From");
            LocalDate to = date(state, "To");
            Comparison c = new Comparison(tx, peer, run, Step.ECHO, state, from, to, notes, false);
            ExchangeStore store = tx.exchange();
            TreeSet<ObjectKey> confirm = new TreeSet<>();
            TreeSet<ObjectKey> down = new TreeSet<>(keys(head, "AskBack"));
            down.addAll(keys(head, "Theirs"));
            for (ObjectKey key : keys(head, "Deleted")) {
                Optional<DataObject> doc = tx.objects().get(key);
                if (doc.isPresent() && ownedIn(doc.get(), peer)) {
                    confirm.add(key);
                } else if (doc.isPresent()) {
                    down.add(key);
                }
            }
            for (ObjectKey key : down) {
                if (tx.objects().get(key).isPresent() || store.tombstone(key).isPresent()) {
                    c.repair(tx, key);
                } else {
                    c.errors.add(peer + " holds or asked back " + key + ", which the office neither holds nor deleted");
                }
            }
            List<Row> allErrors = new ArrayList<>(state.tables().getOrDefault("Errors", List.of()));
            allErrors.addAll(errorRows(c.errors));
            store.putRun(state.toBuilder().set("Step", Value.of(ReconciliationReport.State.REPLIED.name()))
                    .table("RepairsToChild", rows(c.repairs)).table("Errors", allErrors).build());
            store.putControl(peer, head(run, Step.REPLY, from, to).set("Repairs", Value.of(c.repairs.size()))
                    .table("ConfirmDelete", rows(confirm)).build());
            notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, peer, 0, 0, c.repairs.size(), 0, 0, "run " + run
                    + ": step 3, compact echo: " + c.repairs.size() + " repairs registered for " + peer + ", "
                    + confirm.size() + " deletions confirmed, " + c.errors.size() + " errors; echo reply queued"
                    + " behind them", List.copyOf(c.repairs)));
        }

        private void reply(StoreTransaction tx, DataObject head, String run, Optional<DataObject> state,
                String what) {
            if (state.isEmpty() || !"ECHOED".equals(text(state.get(), "Step")) || !peer.equals(text(state.get(), "Peer"))) {
                skip(run, Step.REPLY, state.isEmpty() ? "no such run" : "already taken");
                return;
            }
            // Step 4: every repair registered before the reply came with it or before it; report.
            DataObject s = state.get().toBuilder().set("Step", Value.of("REPORTED"))
                    .set("Finished", Value.of(ctx.clock.instant())).build();
            List<ObjectKey> confirmed = keys(head, "ConfirmDelete");
            if (!confirmed.isEmpty()) {
                // Compact mode: deletions of this side's documents the office still holds go up now.
                TreeSet<ObjectKey> repaired = new TreeSet<>(keys(s, "RepairsToOffice"));
                for (ObjectKey key : confirmed) {
                    ExchangeStore store = tx.exchange();
                    store.lock(key);
                    if (tx.objects().get(key).isEmpty() && store.tombstone(key).isPresent()) {
                        store.register(peer, key, Digest.ABSENT, Digest.ABSENT, store.peer(peer).lastLoadedNo(), true,
                                ctx.session());
                        repaired.add(key);
                    }
                }
                s = s.toBuilder().table("RepairsToOffice", rows(repaired)).build();
            }
            tx.exchange().putRun(s);
            DataObject report = head(run, Step.REPORT, date(s, "From"), date(s, "To"))
                    .set("OfficeListed", s.get("OfficeListed")).set("ChildListed", s.get("ChildListed"))
                    .table("RepairsToOffice", s.tables().getOrDefault("RepairsToOffice", List.of()))
                    .table("AskedBack", s.tables().getOrDefault("AskedBack", List.of()))
                    .table("Errors", s.tables().getOrDefault("Errors", List.of())).build();
            tx.exchange().putControl(peer, report);
            notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, peer, 0, 0, 0, 0, 0, "run " + run
                    + ": step 4, echo reply loaded, report sent to " + peer, List.of()));
        }

        private void reportArrived(StoreTransaction tx, DataObject report, String run, Optional<DataObject> state,
                String what) {
            if (state.isEmpty() || !peer.equals(text(state.get(), "Peer"))
                    || !ReconciliationReport.State.REPLIED.name().equals(text(state.get(), "Step"))) {
                skip(run, Step.REPORT, state.isEmpty() ? "no such run" : "already taken");
                return;
            }
            DataObject s = state.get();
            List<Row> errors = new ArrayList<>(s.tables().getOrDefault("Errors", List.of()));
            errors.addAll(report.tables().getOrDefault("Errors", List.of()));
            DataObject done = s.toBuilder().set("Step", Value.of(ReconciliationReport.State.DONE.name()))
                    .set("Finished", Value.of(ctx.clock.instant()))
                    .set("OfficeListed", report.get("OfficeListed") != Value.NULL ? report.get("OfficeListed")
                            : s.get("OfficeListed"))
                    .set("ChildListed", s.get("ChildListed") != Value.NULL ? s.get("ChildListed")
                            : report.get("ChildListed"))
                    .table("RepairsToOffice", report.tables().getOrDefault("RepairsToOffice", List.of()))
                    .table("AskedBack", report.tables().getOrDefault("AskedBack", List.of()))
                    .table("Errors", errors).build();
            tx.exchange().putRun(done);
            ReconciliationReport r = report(done);
            notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, peer, 0, 0, r.repairsToOffice().size()
                    + r.repairsToChild().size(), 0, 0, "run " + run + ": report of " + peer + " loaded, "
                    + r.repairsToOffice().size() + " repairs to the office, " + r.repairsToChild().size()
                    + " to " + peer + ", " + r.askedBack().size() + " asked back, " + r.errors().size() + " errors",
                    List.of()));
        }
    }

    /**
     * One list being compared with what this node holds: the request at a child (its own
     * documents) or the echo at the central node (the documents owned outside the child's subtree).
     */
    private final class Comparison {
        final String peer;
        final String run;
        final Step step;
        final DataObject state;
        final LocalDate from;
        final LocalDate to;
        /** The documents compared here not yet met in the list: key to digest. */
        final Map<ObjectKey, Digest> mine = new HashMap<>();
        final TreeSet<ObjectKey> repairs = new TreeSet<>();
        final TreeSet<ObjectKey> askedBack = new TreeSet<>();
        final List<String> errors = new ArrayList<>();
        final List<JournalEntry> notes;
        /** The kinds the sender's entries index, as its head named them. */
        List<String> kinds = List.of();
        long listed;

        Comparison(StoreTransaction tx, String peer, String run, Step step, DataObject state, LocalDate from,
                LocalDate to, List<JournalEntry> notes) {
            this(tx, peer, run, step, state, from, to, notes, true);
        }

        /** With {@code collect} false, no documents are collected: only the repair bookkeeping (compact mode). */
        Comparison(StoreTransaction tx, String peer, String run, Step step, DataObject state, LocalDate from,
                LocalDate to, List<JournalEntry> notes, boolean collect) {
            this.notes = notes;
            this.peer = peer;
            this.run = run;
            this.step = step;
            this.state = state;
            this.from = from;
            this.to = to;
            if (!collect) {
                return;
            }
            // What this node compares: in the window, and of this side (see owns).
            try (EntryPasses compared = new EntryPasses(tx, comparedKinds(), doc -> inWindow(doc, from, to)
                    && owns(doc))) {
                for (Iterator<io.dibex.spi.SetComparison.Entry> it = compared.open(); it.hasNext(); ) {
                    io.dibex.spi.SetComparison.Entry e = it.next();
                    mine.put(e.key(), e.digest());
                }
            }
        }

        void compare(StoreTransaction tx, Value entries, String what) {
            if (!(entries instanceof Value.Binary b)) {
                throw malformed(what, "its entries are not binary");
            }
            Entries.read(b.bytes(), kinds, what, (key, digest) -> {
                listed++;
                Digest local = mine.remove(key);
                if (local != null) {
                    if (!local.equals(digest)) {
                        repair(tx, key);
                    }
                    return;
                }
                // Listed by the peer, not compared here: absent, outside the window, or not this side's.
                Optional<DataObject> doc = tx.objects().get(key);
                if (doc.isEmpty()) {
                    if (tx.exchange().tombstone(key).isPresent()) {
                        repair(tx, key);
                    } else if (step == Step.REQUEST) {
                        askedBack.add(key);
                    } else {
                        errors.add(peer + " holds " + key + ", which the office neither holds nor deleted");
                    }
                } else if (owns(doc.get())) {
                    repair(tx, key);
                } else {
                    errors.add(key + " was listed by " + peer + " but is not " + (step == Step.REQUEST
                            ? "owned in the subtree of " + ctx.me : "compared with " + peer) + " here");
                }
            });
        }

        /**
         * Whether the document is of this node's side and goes to the peer: at a child owned in its
         * subtree, at the central node owned outside the child's subtree.
         */
        private boolean owns(DataObject doc) {
            Optional<String> owner = settings().ownerOf(doc);
            String child = step == Step.REQUEST ? ctx.me : peer;
            return owner.isPresent() && ctx.plan.subtreeOf(child).contains(owner.get()) == (step == Step.REQUEST)
                    && ctx.plan.goesTo(doc, ctx.me, peer);
        }

        /** Registers the document's current state, deletion or retraction for the peer as a repair. */
        private void repair(StoreTransaction tx, ObjectKey key) {
            ExchangeStore store = tx.exchange();
            store.lock(key);
            Optional<DataObject> doc = tx.objects().get(key);
            Digest digest = doc.isPresent() && ctx.plan.goesTo(doc.get(), ctx.me, peer)
                    ? ctx.plan.digest(doc.get()) : Digest.ABSENT;
            store.register(peer, key, digest, Digest.ABSENT, store.peer(peer).lastLoadedNo(), true,
                    ctx.session());
            repairs.add(key);
        }

        void close(StoreTransaction tx) {
            for (ObjectKey key : new TreeSet<>(mine.keySet())) {
                repair(tx, key);
            }
            ExchangeStore store = tx.exchange();
            if (step == Step.REQUEST) {
                DataObject s = state.toBuilder().set("OfficeListed", Value.of(listed))
                        .table("RepairsToOffice", rows(repairs)).table("AskedBack", rows(askedBack))
                        .table("Errors", errorRows(errors)).build();
                store.putRun(s);
                DataObject echo = head(run, Step.ECHO, from, to).table("AskBack", rows(askedBack)).build();
                store.putControl(peer, echo);
                notes(run, "step 2, request compared: " + listed + " listed by " + peer + ", " + repairs.size()
                        + " repairs registered for " + peer + ", " + askedBack.size() + " asked back, "
                        + errors.size() + " errors; echo request sent", repairs);
            } else {
                for (ObjectKey key : askedBack) {
                    Optional<DataObject> doc = tx.objects().get(key);
                    if (doc.isPresent() || store.tombstone(key).isPresent()) {
                        repair(tx, key);
                    } else {
                        errors.add(peer + " asked back " + key + ", which the office neither holds nor deleted");
                    }
                }
                List<Row> allErrors = new ArrayList<>(state.tables().getOrDefault("Errors", List.of()));
                allErrors.addAll(errorRows(errors));
                DataObject s = state.toBuilder().set("Step", Value.of(ReconciliationReport.State.REPLIED.name()))
                        .set("ChildListed", Value.of(listed)).table("RepairsToChild", rows(repairs))
                        .table("Errors", allErrors).build();
                store.putRun(s);
                store.putControl(peer, head(run, Step.REPLY, from, to).set("Repairs", Value.of(repairs.size()))
                        .build());
                notes(run, "step 3, echo request compared: " + listed + " listed by " + peer + ", "
                        + repairs.size() + " repairs registered for " + peer + " (asked back included), "
                        + errors.size() + " errors; echo reply queued behind them", repairs);
            }
        }

        private void notes(String run, String what, TreeSet<ObjectKey> keys) {
            notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, peer, 0, 0, keys.size(), 0, 0,
                    "run " + run + ": " + what, List.copyOf(keys)));
        }
    }

    // ---- reports

    /** The runs this central node started, newest state of each, in key order. */
    List<ReconciliationReport> reports(StoreTransaction tx) {
        List<ReconciliationReport> reports = new ArrayList<>();
        try (Stream<DataObject> runs = tx.exchange().runs()) {
            Iterator<DataObject> it = runs.iterator();
            while (it.hasNext()) {
                DataObject s = it.next();
                if ("OFFICE".equals(text(s, "Role"))) {
                    reports.add(report(s));
                }
            }
        }
        List<String> order = ctx.plan.reconciliation().map(Reconciliation::autoSend).orElse(List.of());
        reports.sort(java.util.Comparator.comparing(ReconciliationReport::started)
                .thenComparing(r -> order.indexOf(r.child())).thenComparing(ReconciliationReport::runId));
        return reports;
    }

    /**
     * Deletes the runs finished before {@code before}, or started before it and never finished
     * (a run whose child left the auto-send list, say); returns how many.
     */
    long pruneRuns(StoreTransaction tx, Instant before) {
        if (ctx.plan.reconciliation().isEmpty()) {
            return 0;
        }
        List<ObjectKey> doomed = new ArrayList<>();
        try (Stream<DataObject> runs = tx.exchange().runs()) {
            Iterator<DataObject> it = runs.iterator();
            while (it.hasNext()) {
                DataObject s = it.next();
                Value at = s.get("Finished") instanceof Value.Timestamp ? s.get("Finished") : s.get("Started");
                if (at instanceof Value.Timestamp t && t.value().isBefore(before)) {
                    doomed.add(s.key());
                }
            }
        }
        // Deleted after the stream is closed: a stream's own rows stay untouched while it is open.
        for (ObjectKey key : doomed) {
            tx.exchange().deleteRun(key);
        }
        return doomed.size();
    }

    private static ReconciliationReport report(DataObject s) {
        List<String> errors = new ArrayList<>();
        for (Row row : s.tables().getOrDefault("Errors", List.of())) {
            errors.add(row.get("Text") instanceof Value.Text t ? t.value() : String.valueOf(row.get("Text")));
        }
        Value finished = s.get("Finished");
        return new ReconciliationReport(text(s, "Run"), text(s, "Peer"), date(s, "From"), date(s, "To"),
                ReconciliationReport.State.valueOf(text(s, "Step")), ((Value.Timestamp) s.get("Started")).value(),
                finished instanceof Value.Timestamp t ? Optional.of(t.value()) : Optional.<Instant>empty(),
                count(s, "OfficeListed"), count(s, "ChildListed"), keys(s, "RepairsToOffice"),
                keys(s, "RepairsToChild"), keys(s, "AskedBack"), errors);
    }

    // ---- helpers

    private static ObjectKey runKey(String run) {
        return ObjectKey.of(RUN, run);
    }

    /**
     * A step's head: run, step, window, and the compared kinds by name, in the order the entries of
     * its list index them, so that a receiver whose plan lists other kinds still reads them right.
     */
    private DataObject.Builder head(String run, Step step, LocalDate from, LocalDate to) {
        return DataObject.builder(ObjectKey.of(CONTROL, run + "." + step.name())).set("Run", Value.of(run))
                .set("Step", Value.of(step.name())).set("From", Value.of(from)).set("To", Value.of(to))
                .set("Kinds", Value.of(String.join(",", comparedKinds())));
    }

    /** A compact-mode head of a round. */
    private DataObject.Builder head(String run, Step step, LocalDate from, LocalDate to, long round) {
        return DataObject.builder(ObjectKey.of(CONTROL, run + "." + step.name() + "." + round)).set("Run", Value.of(run))
                .set("Step", Value.of(step.name())).set("From", Value.of(from)).set("To", Value.of(to))
                .set("Round", Value.of(round));
    }

    private io.dibex.spi.SetComparison comparison(String what) {
        return settings().compact().orElseThrow(() -> malformed(what, "it is of a compact reconciliation, and plan "
                + ctx.plan.name() + " names no compact comparison at " + ctx.me));
    }

    private static byte[] binary(DataObject o, String field, String what) {
        if (o.get(field) instanceof Value.Binary b) {
            return b.bytes();
        }
        throw malformed(what, "field " + field + " is missing or not binary");
    }

    /**
     * The compact comparison's set, at the office for {@code child} (documents in the window with an
     * owner: the child's subtree's, and the others it routes to the child) or at the child itself
     * (its subtree's that go to the central node, and the others it holds).
     */
    private EntryPasses compactSet(StoreTransaction tx, String child, LocalDate from, LocalDate to) {
        return new EntryPasses(tx, comparedKinds(), doc -> {
            if (!inWindow(doc, from, to) || settings().ownerOf(doc).isEmpty()) {
                return false;
            }
            boolean own = ownedIn(doc, child);
            if (ctx.me.equals(child)) {
                return !own || ctx.plan.goesTo(doc, ctx.me, ctx.plan.parentOf(ctx.me).orElseThrow());
            }
            return own || ctx.plan.goesTo(doc, ctx.me, child);
        });
    }

    /**
     * The (key, digest) entries of the documents of {@code kinds} that {@code filter} takes, read
     * afresh in key order by each pass: the one scan behind the lists written, the documents a
     * comparison collects, and the compact sets. Closing it closes every stream a pass left open.
     */
    private final class EntryPasses implements io.dibex.spi.SetComparison.Entries, AutoCloseable {
        private final StoreTransaction tx;
        private final List<String> kinds;
        private final java.util.function.Predicate<DataObject> filter;
        private final List<Stream<DataObject>> open = new ArrayList<>();
        long count;

        EntryPasses(StoreTransaction tx, List<String> kinds, java.util.function.Predicate<DataObject> filter) {
            this.tx = tx;
            this.kinds = kinds;
            this.filter = filter;
        }

        @Override
        public Iterator<io.dibex.spi.SetComparison.Entry> open() {
            Iterator<String> kinds = this.kinds.iterator();
            count = 0;
            return new Iterator<>() {
                private Iterator<DataObject> docs = java.util.Collections.emptyIterator();
                private Stream<DataObject> stream;
                private io.dibex.spi.SetComparison.Entry next;

                @Override
                public boolean hasNext() {
                    while (next == null) {
                        if (docs.hasNext()) {
                            DataObject doc = docs.next();
                            if (filter.test(doc)) {
                                next = new io.dibex.spi.SetComparison.Entry(doc.key(), ctx.plan.digest(doc));
                            }
                        } else {
                            if (stream != null) {
                                stream.close();
                                open.remove(stream);
                                stream = null;
                            }
                            if (!kinds.hasNext()) {
                                return false;
                            }
                            stream = tx.objects().list(kinds.next());
                            open.add(stream);
                            docs = stream.iterator();
                        }
                    }
                    return true;
                }

                @Override
                public io.dibex.spi.SetComparison.Entry next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    io.dibex.spi.SetComparison.Entry e = next;
                    next = null;
                    count++;
                    return e;
                }
            };
        }

        @Override
        public void close() {
            for (Stream<DataObject> s : open) {
                s.close();
            }
            open.clear();
        }
    }

    /** The kinds a head names; at most 255 valid names. */
    private static List<String> kindsOf(DataObject head, String what) {
        String text = text(head, "Kinds");
        List<String> kinds = text.isEmpty() ? List.of() : List.of(text.split(",", -1));
        if (kinds.size() > MAX_KINDS) {
            throw malformed(what, "it names more than " + MAX_KINDS + " kinds");
        }
        for (String kind : kinds) {
            try {
                Names.requireName(kind, "kind");
            } catch (IllegalArgumentException e) {
                throw malformed(what, e.getMessage());
            }
        }
        return kinds;
    }

    private List<String> comparedKinds() {
        Reconciliation r = settings();
        List<String> kinds = new ArrayList<>();
        for (ObjectKind kind : ctx.plan.kinds().values()) {
            if (r.compares(kind)) {
                kinds.add(kind.name());
            }
        }
        kinds.sort(null);
        return kinds;
    }

    private boolean inWindow(DataObject doc, LocalDate from, LocalDate to) {
        Optional<LocalDate> d = settings().dateOf(doc);
        return d.isPresent() && !d.get().isBefore(from) && !d.get().isAfter(to);
    }

    private boolean ownedIn(DataObject doc, String child) {
        Optional<String> owner = settings().ownerOf(doc);
        return owner.isPresent() && ctx.plan.subtreeOf(child).contains(owner.get());
    }

    /**
     * Whether a repair from {@code peer} comes from the owner's side of the link: the owner of the
     * document is in the peer's subtree when the peer is a child, outside this node's subtree when
     * it is the parent. Only then does it win without the resolver.
     */
    boolean fromOwnerSide(DataObject doc, String peer) {
        if (ctx.plan.reconciliation().isEmpty()) {
            return false;
        }
        if (doc == null) {
            // Neither the item nor this node holds a state of it: no other owner's state to defend.
            return true;
        }
        if (settings().ownerOf(doc).isEmpty()) {
            return false;
        }
        return ctx.plan.isParentOf(peer, ctx.me) ? !ownedIn(doc, ctx.me) : ownedIn(doc, peer);
    }

    private static void requireWindow(LocalDate from, LocalDate to, String what) {
        if (from.isAfter(to) || from.plusYears(10).isBefore(to)) {
            throw malformed(what, "its window " + from + " to " + to + " is empty or longer than ten years");
        }
    }

    private static List<Row> rows(Iterable<ObjectKey> keys) {
        List<Row> rows = new ArrayList<>();
        for (ObjectKey key : keys) {
            rows.add(Row.of("Kind", Value.of(key.kind()), "Id", Value.of(key.id())));
        }
        return rows;
    }

    private static List<Row> errorRows(List<String> errors) {
        List<Row> rows = new ArrayList<>();
        for (String e : errors) {
            rows.add(Row.of("Text", Value.of(e)));
        }
        return rows;
    }

    private static List<ObjectKey> keys(DataObject o, String table) {
        List<ObjectKey> keys = new ArrayList<>();
        for (Row row : o.tables().getOrDefault(table, List.of())) {
            if (!(row.get("Kind") instanceof Value.Text kind) || !(row.get("Id") instanceof Value.Text id)) {
                throw malformed("control item " + o.key(), "a row of " + table + " is not a key");
            }
            try {
                keys.add(ObjectKey.of(kind.value(), id.value()));
            } catch (IllegalArgumentException e) {
                throw malformed("control item " + o.key(), "a row of " + table + ": " + e.getMessage());
            }
        }
        return keys;
    }

    private static long count(DataObject o, String field) {
        return o.get(field) instanceof Value.Int64 n ? n.value() : 0;
    }

    private static Step step(DataObject o, String what) {
        try {
            return Step.valueOf(text(o, "Step"));
        } catch (IllegalArgumentException e) {
            throw malformed(what, "unknown step " + o.get("Step"));
        }
    }

    private static String text(DataObject o, String field) {
        if (o.get(field) instanceof Value.Text t) {
            return t.value();
        }
        throw malformed("control item " + o.key(), "field " + field + " is missing or not text");
    }

    private static LocalDate date(DataObject o, String field) {
        if (o.get(field) instanceof Value.Date d) {
            return d.value();
        }
        throw malformed("control item " + o.key(), "field " + field + " is missing or not a date");
    }

    private static long int64(DataObject o, String field, String what) {
        if (o.get(field) instanceof Value.Int64 n && n.value() > 0) {
            return n.value();
        }
        throw malformed(what, "field " + field + " is missing or not a positive number");
    }

    private static MalformedMessageException malformed(String what, String why) {
        return new MalformedMessageException("reconciliation", what, why);
    }

    /**
     * The entries of a list part: per entry, a byte indexing the sorted compared kinds, the id
     * (a 0 byte and 16 bytes for a UUID in canonical form, or a 1 byte, a two-byte length and
     * UTF-8), and the 32-byte digest.
     */
    static final class Entries {
        private final List<String> kinds;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count;

        Entries(List<String> kinds) {
            if (kinds.size() > MAX_KINDS) {
                throw new DibexException("a reconciliation compares at most " + MAX_KINDS + " kinds, the plan has "
                        + kinds.size());
            }
            this.kinds = kinds;
        }

        void add(ObjectKey key, Digest digest) {
            out.write(kinds.indexOf(key.kind()));
            UUID uuid = key.uuid();
            if (uuid != null) {
                out.write(UUID_ID);
                out.writeBytes(ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                        .putLong(uuid.getLeastSignificantBits()).array());
            } else {
                byte[] id = key.id().getBytes(StandardCharsets.UTF_8);
                out.write(TEXT_ID);
                out.write(id.length >>> 8);
                out.write(id.length & 0xFF);
                out.writeBytes(id);
            }
            out.writeBytes(digest.bytes());
            count++;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        interface Sink {
            void accept(ObjectKey key, Digest digest);
        }

        static void read(byte[] bytes, List<String> kinds, String what, Sink sink) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int n = 0;
            try {
                while (in.hasRemaining()) {
                    if (++n > PART_ENTRIES) {
                        throw malformed(what, "more than " + PART_ENTRIES + " entries in one part");
                    }
                    int kind = in.get() & 0xFF;
                    if (kind >= kinds.size()) {
                        throw malformed(what, "entry " + n + " names kind " + kind + " of " + kinds.size());
                    }
                    int form = in.get();
                    String id;
                    if (form == UUID_ID) {
                        id = new UUID(in.getLong(), in.getLong()).toString();
                    } else if (form == TEXT_ID) {
                        int len = (in.get() & 0xFF) << 8 | in.get() & 0xFF;
                        byte[] raw = new byte[Math.min(len, in.remaining())];
                        if (raw.length != len) {
                            throw malformed(what, "entry " + n + " is truncated");
                        }
                        in.get(raw);
                        id = Utf8.decodeStrict(raw, what);
                    } else {
                        throw malformed(what, "entry " + n + " has an unknown id form " + form);
                    }
                    byte[] digest = new byte[Digest.LENGTH];
                    in.get(digest);
                    ObjectKey key;
                    try {
                        key = ObjectKey.of(kinds.get(kind), id);
                    } catch (IllegalArgumentException e) {
                        throw malformed(what, "entry " + n + ": " + e.getMessage());
                    }
                    sink.accept(key, Digest.of(digest));
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw malformed(what, "entry " + n + " is truncated");
            }
        }
    }

    /** Strict UTF-8 for ids read from a list. */
    private static final class Utf8 {
        static String decodeStrict(byte[] raw, String what) {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw malformed(what, "an id is not UTF-8");
            }
        }
    }
}
