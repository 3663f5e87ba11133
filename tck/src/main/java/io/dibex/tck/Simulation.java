package io.dibex.tck;

import io.dibex.DibexException;
import io.dibex.ExchangePlan;
import io.dibex.ObjectKind;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.Storage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The randomized convergence simulation (SPEC §6, R4–R13): six nodes in a tree of depth three;
 * random creates, edits, deletions and moves at every node; a transport that loses, duplicates,
 * delays and reorders; store failures at random calls, after which the node is rebuilt from its
 * store; now and then a restore from a backup. Then the faults stop, the network is run until it
 * is quiet, and the checker asserts:
 * <ul>
 *   <li>every node holds exactly the objects routed to it, each with the central node's content;</li>
 *   <li>no registration is left anywhere;</li>
 *   <li>every state held is one that some node wrote (nothing invented or mixed);</li>
 *   <li>nothing is lost: every object written and never deleted exists, unless the only writes
 *       of it may have been taken by a restore (a restore whose backup predates the write);</li>
 *   <li>nothing comes back whose last operation was a deletion at the central node, unless the
 *       central node was restored afterwards;</li>
 *   <li>every kind of fault actually fired.</li>
 * </ul>
 * A run is fully determined by its seed; a failure names it, and {@link #run} replays it.
 */
public final class Simulation {

    /** What a run did. */
    public record Report(long seed, int steps, long writes, long deletions, long moves, long exchanges,
            long drops, long duplicates, long holds, long reorders, long crashes, long restores, int quietRounds) {
    }

    /**
     * The seeds every store's simulation test runs in the build: a spread, then seeds the soak once
     * failed on, each guarding the fix it led to (docs/simulation.md): 2179 and 2448 a restore
     * revealed late, 1953 one revealed by an acknowledgment going back to 0, 2345 and 1763 a second
     * restore, 1533 a change made between two restores from one backup, 2734 a restore shown only
     * by a later message's earlier ids.
     */
    public static final List<Long> BUILD_SEEDS = List.of(1L, 2L, 3L, 5L, 8L, 13L, 21L, 34L, 55L, 89L, 1533L, 1763L,
            1953L, 2179L, 2345L, 2448L, 2734L);

    private static final String[] NODES = {"C", "B1", "B2", "B11", "B12", "B21"};
    private static final Map<String, List<String>> PATH = Map.of(
            "C", List.of("C"),
            "B1", List.of("B1", "C"),
            "B2", List.of("B2", "C"),
            "B11", List.of("B11", "B1", "C"),
            "B12", List.of("B12", "B1", "C"),
            "B21", List.of("B21", "B2", "C"));

    /**
     * The seeds the build also runs restoring any node, not only leaves: a spread, then seeds the
     * soak once failed on with inner restores, each guarding the fix it led to (docs/simulation.md):
     * 1075 and 1210 a copy sent back over a tombstone (finding 18), 1840 and 2037 two restored
     * neighbours refusing each other (finding 19), 1474 and 2391 a document moved away by a node
     * restored from a backup that never held it (finding 20), 1237 what a restored central node had
     * retracted (finding 17), 6730 a refusal recorded in a backup (finding 22), 16874 a refusal of a
     * peer this node had loaded nothing from (finding 24), 14734 a row judged from the backup at one
     * end only (finding 25).
     */
    public static final List<Long> ANY_NODE_SEEDS = List.of(1L, 2L, 3L, 5L, 8L, 13L, 21L, 34L, 1075L, 1210L,
            1237L, 1474L, 1840L, 2037L, 2391L, 6730L, 14734L, 16874L);

    /**
     * The nodes a run restores from a backup unless told to restore any node: the leaves, whose
     * restore concerns one link. Restoring a node with several neighbours is where the per-link
     * windows of R4 meet; {@link #restoringAnyNode()} does it.
     */
    private static final Set<String> LEAVES = Set.of("B11", "B12", "B21");

    private final NetworkConfig config;
    private final boolean anyNode;

    /** A simulation over {@code config}'s stores, transport and codec, restoring leaves only. */
    public Simulation(NetworkConfig config) {
        this(config, false);
    }

    private Simulation(NetworkConfig config, boolean anyNode) {
        this.config = config;
        this.anyNode = anyNode;
    }

    /** The same simulation, restoring any node from its backup: the central node and middle ones too. */
    public Simulation restoringAnyNode() {
        return new Simulation(config, true);
    }

    /** The plan the simulation runs: items go everywhere, sales to their owner and up. */
    public static ExchangePlan plan() {
        return ExchangePlan.builder("Sim")
                .central("C").node("B1", "C").node("B2", "C").node("B11", "B1").node("B12", "B1").node("B21", "B2")
                .kind(ObjectKind.catalog("Item").field("N", ValueType.LONG).build())
                .kind(ObjectKind.document("Sale").field("Owner", ValueType.STRING).field("N", ValueType.LONG).build())
                .routing((o, node) -> !o.key().kind().equals("Sale")
                        || PATH.getOrDefault(o.text("Owner").orElse(""), List.of()).contains(node))
                .build();
    }

    /**
     * Runs one simulation.
     *
     * @throws AssertionError naming the seed when a check fails
     */
    public Report run(long seed, int steps) {
        try {
            return new Run(seed, steps).go();
        } catch (AssertionError | RuntimeException e) {
            String replay = "new Simulation(config)" + (anyNode ? ".restoringAnyNode()" : "") + ".run(" + seed + "L, "
                    + steps + ")";
            throw new AssertionError("simulation seed " + seed + " (" + steps + " steps" + (anyNode ? ", any node restored"
                    : "") + ") failed over " + config.name() + ": " + e.getMessage() + "; replay with " + replay, e);
        }
    }

    private final class Run {
        final long seed;
        final int steps;
        final Random random;
        final ExchangePlan plan = plan();
        final Network net;
        final Map<ObjectKey, List<Write>> writes = new TreeMap<>();
        final Map<ObjectKey, LastOp> lastHostOps = new HashMap<>();
        final Set<ObjectKey> deletedAnywhere = new HashSet<>();
        final Map<String, Integer> backupStep = new HashMap<>();
        final Map<String, Storage> backups = new HashMap<>();
        final List<int[]> restores = new ArrayList<>();
        final Map<String, Integer> restoredAt = new HashMap<>();
        /** With {@code -Dsim.trace=Kind/id}: the run's steps and the traced object's story; else null. */
        final java.util.function.Consumer<String> trace;
        int step;
        int counter;
        long nWrites;
        long nDeletions;
        long nMoves;
        long nExchanges;
        long crashes;

        Run(long seed, int steps) {
            this.seed = seed;
            this.steps = steps;
            this.random = new Random(seed);
            double f = Boolean.getBoolean("sim.noTransport") ? 0 : 1;
            this.net = new Network(plan, config, FlakyTransport.builder().seed(seed).dropRate(0.08 * f)
                    .duplicateRate(0.08 * f).holdRate(0.08 * f).reorderRate(0.2 * f).maxHoldReceives(3));
            String traced = System.getProperty("sim.trace", "");
            int slash = traced.indexOf('/');
            this.trace = slash > 0 ? System.err::println : null;
            if (trace != null) {
                net.trace(ObjectKey.of(traced.substring(0, slash), traced.substring(slash + 1)), trace);
            }
        }

        void say(String what) {
            if (trace != null) {
                trace.accept("step " + step + ": " + what);
            }
        }

        Report go() {
            for (step = 1; step <= steps; step++) {
                net.tag(step);
                int dice = random.nextInt(100);
                String node = NODES[random.nextInt(NODES.length)];
                // Every run backs a leaf up halfway and restores it later, so that restores always fire.
                if (step == steps / 2) {
                    backup("B12");
                } else if (step == steps * 3 / 4 && restores.isEmpty()) {
                    dice = 95;
                }
                if (random.nextInt(100) < 4 && !Boolean.getBoolean("sim.noCrash")) {
                    net.failing(node).failAt(1 + random.nextInt(40));
                }
                try {
                    if (dice < 30) {
                        write(node);
                    } else if (dice < 36) {
                        delete(node);
                    } else if (dice < 39) {
                        if (!Boolean.getBoolean("sim.noMove")) {
                            move();
                        }
                    } else if (dice < 90) {
                        exchange(node);
                    } else if (dice < 95) {
                        backup(node);
                    } else if (dice < 97) {
                        if (!Boolean.getBoolean("sim.noRestore")) {
                            restore(node);
                        }
                    } else {
                        say("a keep-alive period passes");
                        net.clock().advance(plan.keepAlive());
                    }
                } catch (DibexException crash) {
                    // The store failed mid-operation: the node is rebuilt from its store, as after a crash.
                    crashes++;
                    say(node + " crashed: " + crash.getMessage());
                    net.rebuild(node);
                }
            }
            for (String node : NODES) {
                net.failing(node).reset();
            }
            net.transport().faults(false);
            if (net.transport().reorders() == 0 && !Boolean.getBoolean("sim.noTransport")) {
                // No two messages happened to wait together for a reorder: make one, so every fault fires.
                for (int i = 0; i < 2; i++) {
                    write("C");
                    net.export("C", "B1");
                }
                net.transport().reverseNext("B1");
                net.deliver("B1");
            }
            net.tag(steps + 1);
            say("the faults stop; rounds until quiet");
            int quiet = quiesce();
            check();
            FlakyTransport t = net.transport();
            Report report = new Report(seed, steps, nWrites, nDeletions, nMoves, nExchanges, t.drops(), t.duplicates(),
                    t.holds(), t.reorders(), crashes, restores.size(), quiet);
            boolean partial = Boolean.getBoolean("sim.noCrash") || Boolean.getBoolean("sim.noRestore")
                    || Boolean.getBoolean("sim.noTransport");
            if (!partial && (t.drops() == 0 || t.duplicates() == 0 || t.holds() == 0 || t.reorders() == 0
                    || crashes == 0 || restores.isEmpty())) {
                throw new AssertionError("not every kind of fault fired: " + report);
            }
            net.checkClosed();
            return report;
        }

        void write(String node) {
            boolean create = random.nextInt(3) == 0;
            List<DataObject> held = held(node);
            DataObject next;
            if (create || held.isEmpty()) {
                String id = node + "-" + (++counter);
                next = random.nextBoolean()
                        ? DataObject.builder(ObjectKey.of("Item", id)).set("N", Value.of((long) step)).build()
                        : DataObject.builder(ObjectKey.of("Sale", id)).set("Owner", node).set("N", Value.of((long) step))
                                .build();
            } else {
                DataObject old = held.get(random.nextInt(held.size()));
                next = old.toBuilder().set("N", Value.of((long) step)).build();
            }
            say(node + " writes " + next);
            net.put(node, next);
            record(node, next);
        }

        void delete(String node) {
            List<DataObject> held = held(node);
            if (held.isEmpty()) {
                return;
            }
            ObjectKey key = held.get(random.nextInt(held.size())).key();
            say(node + " deletes " + key);
            if (net.delete(node, key)) {
                nDeletions++;
                deletedAnywhere.add(key);
                if (node.equals("C")) {
                    lastHostOps.put(key, new LastOp(step, true, node + " deleted it"));
                }
            }
        }

        /** The central node hands a sale to another owner: retractions where it no longer goes (R9). */
        void move() {
            List<DataObject> sales = new ArrayList<>();
            for (DataObject o : held("C")) {
                if (o.key().kind().equals("Sale")) {
                    sales.add(o);
                }
            }
            if (sales.isEmpty()) {
                return;
            }
            DataObject sale = sales.get(random.nextInt(sales.size()));
            DataObject moved = sale.toBuilder().set("Owner", NODES[random.nextInt(NODES.length)]).build();
            say("C moves " + moved);
            net.put("C", moved);
            record("C", moved);
            nMoves++;
        }

        void exchange(String node) {
            List<String> neighbours = plan.neighboursOf(node);
            String peer = neighbours.get(random.nextInt(neighbours.size()));
            say(node + " exports to " + peer);
            net.export(node, peer);
            nExchanges++;
            if (random.nextBoolean()) {
                say(peer + " imports");
                net.deliver(peer);
            }
        }

        void backup(String node) {
            say(node + " is backed up");
            backups.put(node, net.backup(node));
            backupStep.put(node, step);
        }

        void restore(String chosen) {
            List<String> candidates = new ArrayList<>();
            for (String n : NODES) {
                if (backups.containsKey(n) && (LEAVES.contains(n) || anyNode)) {
                    candidates.add(n);
                }
            }
            if (candidates.isEmpty() || restores.size() >= Integer.getInteger("sim.maxRestores", 2)) {
                return;
            }
            String node = candidates.contains(chosen) ? chosen : candidates.get(random.nextInt(candidates.size()));
            Storage backup = backups.get(node);
            say(node + " is restored from its backup of step " + backupStep.get(node));
            net.restore(node, backup);
            restores.add(new int[] {backupStep.get(node), step});
            restoredAt.put(node, step);
        }

        void record(String node, DataObject state) {
            nWrites++;
            if (node.equals("C")) {
                lastHostOps.put(state.key(), new LastOp(step, false, node + " wrote it"));
            }
            writes.computeIfAbsent(state.key(), k -> new ArrayList<>()).add(new Write(node, step, plan.digest(state)));
        }

        List<DataObject> held(String node) {
            return new ArrayList<>(net.state(node).objects().values());
        }

        /**
         * Runs rounds until nothing moves, then lets a keep-alive period pass and does it again, a few
         * times over: an idle restored node is found only at a keep-alive (R7).
         */
        int quiesce() {
            net.transport().releaseHeld();
            int rounds = 0;
            for (int cycle = 0; cycle < 4; cycle++) {
                if (cycle > 0) {
                    net.clock().advance(plan.keepAlive());
                }
                int inCycle = 0;
                while (net.round() > 0) {
                    rounds++;
                    if (++inCycle > 50) {
                        net.settle(1);
                        throw new AssertionError("the network did not go quiet within 50 rounds after the faults"
                                + " stopped (cycle " + cycle + ")");
                    }
                }
            }
            return rounds;
        }

        void check() {
            Map<String, NodeState> states = new LinkedHashMap<>();
            for (String node : NODES) {
                states.put(node, net.state(node));
                if (states.get(node).registrationCount() != 0) {
                    throw new AssertionError("registrations left at " + node + ": " + states.get(node).registrations());
                }
            }
            Map<ObjectKey, DataObject> central = states.get("C").objects();
            for (String node : NODES) {
                Map<ObjectKey, DataObject> held = states.get(node).objects();
                for (DataObject o : central.values()) {
                    boolean routed = plan.routing().routedTo(o, node);
                    DataObject mine = held.get(o.key());
                    if (routed && (mine == null || !plan.digest(mine).equals(plan.digest(o)))) {
                        throw new AssertionError(node + " holds " + mine + " but the central node holds " + o);
                    }
                    if (!routed && mine != null) {
                        throw new AssertionError(node + " holds " + mine + ", which is not routed to it");
                    }
                }
                for (ObjectKey key : held.keySet()) {
                    if (!central.containsKey(key)) {
                        throw new AssertionError(node + " holds " + key + ", which the central node does not");
                    }
                }
            }
            for (DataObject o : central.values()) {
                Digest d = plan.digest(o);
                List<Write> ws = writes.getOrDefault(o.key(), List.of());
                if (ws.stream().noneMatch(w -> w.digest.equals(d))) {
                    throw new AssertionError("the central node holds " + o + ", a state no node wrote");
                }
            }
            for (Map.Entry<ObjectKey, List<Write>> e : writes.entrySet()) {
                ObjectKey key = e.getKey();
                if (deletedAnywhere.contains(key) || central.containsKey(key)) {
                    continue;
                }
                Optional<Write> safe = e.getValue().stream().filter(w -> !mayBeLost(w)).findFirst();
                if (safe.isPresent()) {
                    throw new AssertionError(key + " was written at " + safe.get().node + " at step " + safe.get().step
                            + ", never deleted, no restore could take it, and it is gone");
                }
            }
            // Nothing comes back whose last resolved operation was a deletion. Every change passes the
            // central node, which holds them all: the last of its host's writes and deletions and of
            // its journaled conflict decisions must not be a deletion of an object that exists,
            // unless a restore may have taken that deletion.
            Map<ObjectKey, LastOp> last = new HashMap<>(lastHostOps);
            for (Network.Event ev : net.events()) {
                JournalEntry e = ev.entry();
                if (!ev.node().equals("C") || e.kind() != JournalEntry.Kind.CONFLICT || e.keys().size() != 1) {
                    continue;
                }
                boolean keptIncoming = e.detail().contains("kept incoming");
                String winner = keptIncoming ? e.detail().replaceFirst("^incoming (\\w+).*", "$1")
                        : e.detail().replaceFirst("^.* vs local (\\w+).*", "$1");
                LastOp op = new LastOp((int) ev.tag(), winner.equals("DELETION"), ev.node() + " conflict: " + e.detail());
                last.merge(e.keys().get(0), op, (a, b) -> b.step >= a.step ? b : a);
            }
            last.forEach((key, op) -> {
                if (op.deletion && central.containsKey(key) && !mayBeLost(op.step)) {
                    throw new AssertionError(key + " exists (" + central.get(key) + ") but its last resolved operation"
                            + " was a deletion at step " + op.step + ": " + op.what);
                }
            });
        }

        /** A write may have been taken by a restore whose backup predates it and that happened after it. */
        boolean mayBeLost(Write w) {
            return mayBeLost(w.step);
        }

        boolean mayBeLost(int at) {
            for (int[] r : restores) {
                // A backup comes before anything else its step does (halfway, B12's is taken and the step
                // goes on), and a restore is all its step does.
                if (r[0] <= at && at <= r[1]) {
                    return true;
                }
            }
            return false;
        }
    }

    private record Write(String node, int step, Digest digest) {
    }

    private record LastOp(int step, boolean deletion, String what) {
    }
}
