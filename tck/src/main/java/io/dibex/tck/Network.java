package io.dibex.tck;

import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.ImportResult;
import io.dibex.Node;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.Storage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole network of nodes in one process, for scenario tests: one node per plan node, each on
 * its own store, all sharing one transport and one clock. Messages cross as bytes through the
 * configured codec and transport; nodes never share Java objects.
 *
 * <p>Each node's store is wrapped twice: a {@link HookedStorage} to slip host writes between the
 * engine's transactions, and a {@link FailingStorage} to count store calls and fail at the n-th.
 * A node can be rebuilt on its store (a crash and restart) or restored from a backup.
 */
public final class Network {

    private final ExchangePlan plan;
    private final NetworkConfig config;
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T09:00:00Z"));
    private final FlakyTransport transport;
    private final Map<String, Storage> bases = new LinkedHashMap<>();
    private final Map<String, HookedStorage> hooks = new LinkedHashMap<>();
    private final Map<String, FailingStorage> failing = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<Event> events = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile long tag;
    private volatile io.dibex.model.ObjectKey traced;
    private volatile java.util.function.Consumer<String> traceSink;

    /**
     * A journal entry of any node, in the order written, with the tag set when it was written.
     *
     * @param node the node that wrote it
     * @param tag the network's tag at the time (a simulation's step)
     * @param entry the entry
     */
    public record Event(String node, long tag, io.dibex.spi.JournalEntry entry) {
    }

    /** Builds a node for every node of {@code plan}, on fresh stores of {@code config}. */
    public Network(ExchangePlan plan, NetworkConfig config) {
        this(plan, config, FlakyTransport.builder().seed(1));
    }

    /**
     * Builds a node for every node of {@code plan}, on fresh stores of {@code config}, sharing a
     * transport built by {@code transport} over the configuration's transport.
     */
    public Network(ExchangePlan plan, NetworkConfig config, FlakyTransport.Builder transport) {
        this.plan = plan;
        this.config = config;
        this.transport = transport.delegate(config.newTransport()).build();
        for (String name : plan.nodes()) {
            install(name, config.newStorage(name));
        }
    }

    private void install(String name, Storage base) {
        bases.put(name, base);
        HookedStorage hooked = new HookedStorage(base);
        hooks.put(name, hooked);
        FailingStorage counted = new FailingStorage(hooked);
        failing.put(name, counted);
        if (traced != null) {
            counted.trace(name, traced, traceSink);
        }
        nodes.put(name, Node.builder(plan, name).storage(counted).transport(transport).codec(config.codec())
                .clock(clock).listener(e -> {
                    events.add(new Event(name, tag, e));
                    java.util.function.Consumer<String> sink = traceSink;
                    if (sink != null) {
                        sink.accept("  " + name + " @" + tag + " " + e);
                    }
                }).build());
    }

    /**
     * Follows one object from now on: every store call of any node that names {@code key} (see
     * {@link FailingStorage#trace}), and every journal entry of any node, go to {@code sink}.
     */
    public void trace(io.dibex.model.ObjectKey key, java.util.function.Consumer<String> sink) {
        this.traced = java.util.Objects.requireNonNull(key, "key");
        this.traceSink = java.util.Objects.requireNonNull(sink, "sink");
        failing.forEach((name, storage) -> storage.trace(name, key, sink));
    }

    /** Every journal entry written by any node so far, in order. */
    public List<Event> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    /** Sets the tag recorded with the journal entries written from now on. */
    public void tag(long tag) {
        this.tag = tag;
    }

    /** The plan. */
    public ExchangePlan plan() {
        return plan;
    }

    /** The shared clock. */
    public TestClock clock() {
        return clock;
    }

    /** The shared transport, with its fault controls. */
    public FlakyTransport transport() {
        return transport;
    }

    /** The node of this name. */
    public Node node(String name) {
        Node node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node " + name + " in " + plan);
        }
        return node;
    }

    /** The counting, failing wrapper around a node's store. */
    public FailingStorage failing(String name) {
        node(name);
        return failing.get(name);
    }

    /** The hook wrapper around a node's store. */
    public HookedStorage hooks(String name) {
        node(name);
        return hooks.get(name);
    }

    /** Writes an object at a node in a host transaction. */
    public void put(String node, DataObject object) {
        node(node).inTransaction(tx -> {
            tx.put(object);
            return null;
        });
    }

    /** Deletes an object at a node in a host transaction. */
    public boolean delete(String node, ObjectKey key) {
        return node(node).inTransaction(tx -> tx.delete(key));
    }

    /** The object as a node holds it. */
    public Optional<DataObject> get(String node, ObjectKey key) {
        return node(node).inTransaction(tx -> tx.get(key));
    }

    /** Exports from {@code from} to {@code to}, if anything is due. */
    public Optional<ExportResult> export(String from, String to) {
        return node(from).exportTo(to);
    }

    /** Imports at {@code to} whatever the transport holds for it. */
    public List<ImportResult> deliver(String to) {
        return node(to).importAll();
    }

    /** Exports from {@code from} to {@code to} and imports at {@code to}. */
    public Optional<ExportResult> exchange(String from, String to) {
        Optional<ExportResult> sent = export(from, to);
        deliver(to);
        return sent;
    }

    /**
     * One round: every node exports to each neighbour, then every node imports what it holds.
     *
     * @return the number of messages exported
     */
    public int round() {
        int sent = 0;
        for (Node node : nodes.values()) {
            sent += node.exportAll().size();
        }
        for (Node node : nodes.values()) {
            node.importAll();
        }
        return sent;
    }

    /**
     * Runs rounds until one exports nothing and no registration is left anywhere.
     *
     * @return the number of rounds run
     * @throws AssertionError if that does not happen within {@code maxRounds}
     */
    public int settle(int maxRounds) {
        return settle(maxRounds, 0);
    }

    /**
     * Runs rounds until one exports nothing and exactly {@code registrationsLeft} registrations are
     * left in the whole network (rows held back on purpose, such as rejected ones).
     *
     * @return the number of rounds run
     * @throws AssertionError if that does not happen within {@code maxRounds}
     */
    public int settle(int maxRounds, long registrationsLeft) {
        transport.releaseHeld();
        for (int i = 1; i <= maxRounds; i++) {
            int sent = round();
            if (sent == 0 && totalRegistrations() == registrationsLeft) {
                return i;
            }
        }
        StringBuilder why = new StringBuilder();
        for (Node node : nodes.values()) {
            node.exportAll().forEach(r -> why.append("\n  ").append(node.name()).append(" -> ").append(r));
        }
        for (Node node : nodes.values()) {
            List<io.dibex.spi.JournalEntry> j = node.journal();
            why.append("\n journal of ").append(node.name()).append(':');
            j.subList(Math.max(0, j.size() - 8), j.size()).forEach(e -> why.append("\n    ").append(e));
        }
        throw new AssertionError("network did not settle in " + maxRounds + " rounds; registrations left: "
                + totalRegistrations() + "; still sending:" + why);
    }

    /** The number of registration rows at every node together. */
    public long totalRegistrations() {
        long total = 0;
        for (String name : nodes.keySet()) {
            for (String peer : plan.neighboursOf(name)) {
                total += node(name).pendingRegistrations(peer);
            }
        }
        return total;
    }

    /** Everything a node holds but its journal, read without counting store calls. */
    public NodeState state(String name) {
        node(name);
        return NodeState.read(plan, name, bases.get(name));
    }

    /** Rebuilds a node on its own store, as after a crash and restart. */
    public Node rebuild(String name) {
        install(name, bases.get(name));
        return node(name);
    }

    /** A copy of a node's committed store, as a backup taken now. */
    public Storage backup(String name) {
        node(name);
        return config.copy(bases.get(name));
    }

    /** Replaces a node's store by a copy of {@code backup} and rebuilds the node on it. */
    public Node restore(String name, Storage backup) {
        install(name, config.copy(backup));
        return node(name);
    }

    /** Checks at every node that no transaction or stream was left open. */
    public void checkClosed() {
        bases.forEach((name, storage) -> {
            try {
                config.checkClosed(storage);
            } catch (AssertionError e) {
                throw new AssertionError("node " + name + ": " + e.getMessage(), e);
            }
        });
    }

    /** Backs up every node at once: a consistent snapshot of the whole network. */
    public Map<String, Storage> backupAll() {
        Map<String, Storage> all = new LinkedHashMap<>();
        for (String name : nodes.keySet()) {
            all.put(name, backup(name));
        }
        return all;
    }

    /** Restores every node from {@link #backupAll()} and drops every message in flight. */
    public void restoreAll(Map<String, Storage> backups) {
        backups.forEach(this::restore);
        transport.releaseHeld();
        for (String name : nodes.keySet()) {
            for (io.dibex.spi.IncomingMessage m : transport.receive(name)) {
                m.commit();
            }
        }
    }

    /** The names of every node. */
    public List<String> names() {
        return new ArrayList<>(nodes.keySet());
    }
}
