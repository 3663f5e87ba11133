package io.dibex;

import io.dibex.internal.Canonical;
import io.dibex.internal.Names;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An exchange plan: its name, the tree of nodes with one central node, the object kinds with
 * their options, the registers with their migration policies, and the routing predicate.
 * Immutable and shared by every node of a network; each node must be built from an equal
 * plan. Build one with {@link #builder(String)}.
 */
public final class ExchangePlan {

    /** Kinds whose names start so are dibex's own (control items of a reconciliation); a plan may not declare one. */
    public static final String RESERVED_KIND_PREFIX = "dibex.";

    private final String name;
    private final String central;
    private final Map<String, String> parents;
    private final Map<String, List<String>> children;
    private final Map<String, Set<String>> subtrees;
    private final Map<String, ObjectKind> kinds;
    private final Map<String, MigrationPolicy> registers;
    private final Routing routing;
    private final OptionalInt newRowsPerMessage;
    private final Duration keepAlive;
    private final Duration journalRetention;
    private final Duration tombstoneRetention;
    private final ConflictResolver resolver;
    private final PoisonPolicy poisonPolicy;
    private final Map<String, Sequence> sequences;
    private final boolean rejectLocalRecords;
    private final Set<String> repostAtCentral;
    private final Reconciliation reconciliation;

    private ExchangePlan(Builder b) {
        if (b.central == null) {
            throw new IllegalArgumentException("plan " + b.name + " has no central node");
        }
        this.name = b.name;
        this.central = b.central;
        this.parents = Collections.unmodifiableMap(new LinkedHashMap<>(b.parents));
        Map<String, List<String>> kids = new LinkedHashMap<>();
        kids.put(central, new ArrayList<>());
        parents.forEach((node, parent) -> kids.put(node, new ArrayList<>()));
        parents.forEach((node, parent) -> kids.get(parent).add(node));
        kids.replaceAll((node, list) -> List.copyOf(list));
        this.children = Collections.unmodifiableMap(kids);
        Map<String, Set<String>> sub = new LinkedHashMap<>();
        for (String node : children.keySet()) {
            Set<String> s = new LinkedHashSet<>();
            collect(node, s);
            sub.put(node, Collections.unmodifiableSet(s));
        }
        this.subtrees = Collections.unmodifiableMap(sub);
        this.kinds = Collections.unmodifiableMap(new LinkedHashMap<>(b.kinds));
        this.registers = Collections.unmodifiableMap(new LinkedHashMap<>(b.registers));
        this.routing = b.routing;
        this.newRowsPerMessage = b.newRowsPerMessage;
        this.keepAlive = b.keepAlive;
        this.journalRetention = b.journalRetention;
        this.tombstoneRetention = b.tombstoneRetention;
        this.resolver = b.resolver;
        this.poisonPolicy = b.poisonPolicy;
        for (Sequence seq : b.sequences.values()) {
            for (String kind : seq.kinds()) {
                ObjectKind k = kinds.get(kind);
                if (k == null || k.category() != ObjectKind.Category.DOCUMENT) {
                    throw new IllegalArgumentException("sequence " + seq.name() + " names kind " + kind
                            + ", which plan " + name + " does not declare as a document");
                }
            }
        }
        this.sequences = Collections.unmodifiableMap(new LinkedHashMap<>(b.sequences));
        this.rejectLocalRecords = b.rejectLocalRecords;
        for (String kind : b.repostAtCentral) {
            ObjectKind k = kinds.get(kind);
            if (k == null || k.category() != ObjectKind.Category.DOCUMENT) {
                throw new IllegalArgumentException("plan " + name + " marks kind " + kind + " for reposting at the"
                        + " central node, but declares no document kind of that name");
            }
        }
        this.repostAtCentral = Set.copyOf(b.repostAtCentral);
        this.reconciliation = b.reconciliation;
        if (reconciliation != null) {
            for (String kind : reconciliation.kinds()) {
                ObjectKind k = kinds.get(kind);
                if (k == null || k.category() != ObjectKind.Category.DOCUMENT) {
                    throw new IllegalArgumentException("the reconciliation of plan " + name + " names kind " + kind
                            + ", which the plan does not declare as a document");
                }
            }
            for (String node : reconciliation.autoSend()) {
                if (!central.equals(parents.get(node))) {
                    throw new IllegalArgumentException("the auto-send list of plan " + name + " names " + node
                            + ", which is not a child of the central node " + central);
                }
            }
        }
    }

    private void collect(String node, Set<String> into) {
        into.add(node);
        for (String child : children.get(node)) {
            collect(child, into);
        }
    }

    /** Starts a plan with this name. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The plan's name, carried in every message header (R8). */
    public String name() {
        return name;
    }

    /** The central node's name. */
    public String central() {
        return central;
    }

    /** Every node's name, the central node first. */
    public Set<String> nodes() {
        return children.keySet();
    }

    /** Whether the plan has a node of this name. */
    public boolean hasNode(String node) {
        return children.containsKey(node);
    }

    /** The parent of a node; empty for the central node. */
    public Optional<String> parentOf(String node) {
        requireNode(node);
        return Optional.ofNullable(parents.get(node));
    }

    /** The children of a node, in declaration order. */
    public List<String> childrenOf(String node) {
        return requireNode(node);
    }

    /** The neighbours of a node: its parent (if any) first, then its children. */
    public List<String> neighboursOf(String node) {
        List<String> kids = requireNode(node);
        List<String> all = new ArrayList<>(kids.size() + 1);
        parentOf(node).ifPresent(all::add);
        all.addAll(kids);
        return Collections.unmodifiableList(all);
    }

    /** Whether {@code a} and {@code b} are parent and child, either way round. */
    public boolean areNeighbours(String a, String b) {
        return b.equals(parents.get(a)) || a.equals(parents.get(b));
    }

    /** Whether {@code parent} is the parent of {@code child}. */
    public boolean isParentOf(String parent, String child) {
        return parent.equals(parents.get(child));
    }

    /** The nodes of the subtree rooted at {@code node}, itself included. */
    public Set<String> subtreeOf(String node) {
        requireNode(node);
        return subtrees.get(node);
    }

    /** A declared kind. */
    public Optional<ObjectKind> kind(String kind) {
        return Optional.ofNullable(kinds.get(kind));
    }

    /** Every declared kind in declaration order. */
    public Map<String, ObjectKind> kinds() {
        return kinds;
    }

    /** The migration policy of a register; an undeclared register is {@link MigrationPolicy#MIGRATE}. */
    public MigrationPolicy policyOf(String register) {
        return registers.getOrDefault(register, MigrationPolicy.MIGRATE);
    }

    /** The document sequences by name, in declaration order (R14). */
    public Map<String, Sequence> sequences() {
        return sequences;
    }

    /**
     * Whether a message carrying records of a {@link MigrationPolicy#LOCAL} register is rejected
     * (its body fails and changes nothing) rather than loaded without them and journaled (R11).
     */
    public boolean rejectsLocalRecords() {
        return rejectLocalRecords;
    }

    /**
     * Whether the central node marks a document of {@code kind} that it loads from a peripheral
     * node for reposting there (seed 004's alternative to a sequence; see {@code Node.repostMarked}).
     */
    public boolean repostsAtCentral(String kind) {
        return repostAtCentral.contains(kind);
    }

    /** The routing predicate. */
    public Routing routing() {
        return routing;
    }

    /**
     * Whether {@code object}, held at {@code node}, goes to its neighbour {@code neighbour}:
     * it is routed to some node on the neighbour's side of the tree, and its kind may travel
     * that way (R9).
     */
    public boolean goesTo(DataObject object, String node, String neighbour) {
        ObjectKind kind = kinds.get(object.key().kind());
        if (kind != null) {
            boolean down = isParentOf(node, neighbour);
            if (kind.direction() == ObjectKind.Direction.DOWN_ONLY && !down
                    || kind.direction() == ObjectKind.Direction.UP_ONLY && down) {
                return false;
            }
        }
        if (isParentOf(neighbour, node)) {
            Set<String> mine = subtrees.get(node);
            for (String n : children.keySet()) {
                if (!mine.contains(n) && routing.routedTo(object, n)) {
                    return true;
                }
            }
            return false;
        }
        for (String n : subtrees.get(neighbour)) {
            if (routing.routedTo(object, n)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The canonical SHA-256 digest of an object's state: the document with its {@code MIGRATE}
     * record sets (R11). Two states have equal content exactly when their digests are equal.
     */
    public Digest digest(DataObject object) {
        return Canonical.digest(this, object);
    }

    /** The cap on rows newly numbered per message (R3), if any. */
    public OptionalInt newRowsPerMessage() {
        return newRowsPerMessage;
    }

    /** How often an idle link still carries a header-only message (R7). */
    public Duration keepAlive() {
        return keepAlive;
    }

    /** How long journal entries are kept (R15). */
    public Duration journalRetention() {
        return journalRetention;
    }

    /** How long a tombstone is kept after its last registration is gone (R13). */
    public Duration tombstoneRetention() {
        return tombstoneRetention;
    }

    /** The conflict resolver (R12). */
    public ConflictResolver resolver() {
        return resolver;
    }

    /** What happens to an object the receiving host refuses (R6). */
    public PoisonPolicy poisonPolicy() {
        return poisonPolicy;
    }

    private List<String> requireNode(String node) {
        List<String> kids = children.get(node);
        if (kids == null) {
            throw new IllegalArgumentException("plan " + name + " has no node '" + node + "'");
        }
        return kids;
    }

    /** The reconciliation settings (SPEC §5), if the plan has any. */
    public Optional<Reconciliation> reconciliation() {
        return Optional.ofNullable(reconciliation);
    }

    @Override
    public String toString() {
        return "ExchangePlan[" + name + ", nodes=" + children.keySet() + ", kinds=" + kinds.keySet() + "]";
    }

    /** Builds an {@link ExchangePlan}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String central;
        private final Map<String, String> parents = new LinkedHashMap<>();
        private final Map<String, ObjectKind> kinds = new LinkedHashMap<>();
        private final Map<String, MigrationPolicy> registers = new LinkedHashMap<>();
        private Routing routing = Routing.EVERYWHERE;
        private OptionalInt newRowsPerMessage = OptionalInt.empty();
        private Duration keepAlive = Duration.ofHours(1);
        private Duration journalRetention = Duration.ofDays(90);
        private Duration tombstoneRetention = Duration.ofDays(400);
        private ConflictResolver resolver = ConflictResolver.PARENT_WINS;
        private PoisonPolicy poisonPolicy = PoisonPolicy.KEEP_FAILING;
        private final Map<String, Sequence> sequences = new LinkedHashMap<>();
        private boolean rejectLocalRecords;
        private final Set<String> repostAtCentral = new java.util.LinkedHashSet<>();
        private Reconciliation reconciliation;

        private Builder(String name) {
            this.name = Names.requireName(name, "plan name");
        }

        /** Names the central node; call once, before adding other nodes. */
        public Builder central(String node) {
            if (central != null) {
                throw new IllegalStateException("plan " + name + " already has central node " + central);
            }
            central = Names.requireName(node, "node");
            return this;
        }

        /** Adds a node under an already added parent. */
        public Builder node(String node, String parent) {
            Names.requireName(node, "node");
            if (node.equals(central) || parents.containsKey(node)) {
                throw new IllegalArgumentException("plan " + name + " already has node " + node);
            }
            if (!parent.equals(central) && !parents.containsKey(parent)) {
                throw new IllegalArgumentException("parent " + parent + " of node " + node
                        + " must be added first");
            }
            parents.put(node, parent);
            return this;
        }

        /** Adds an object kind. */
        public Builder kind(ObjectKind kind) {
            if (kind.name().startsWith(RESERVED_KIND_PREFIX)) {
                throw new IllegalArgumentException("kind names starting with '" + RESERVED_KIND_PREFIX
                        + "' are dibex's own (control items, SPEC §5): " + kind.name());
            }
            if (kinds.putIfAbsent(kind.name(), kind) != null) {
                throw new IllegalArgumentException("plan " + name + " already has kind " + kind.name());
            }
            return this;
        }

        /** Declares a register's migration policy (undeclared registers migrate). */
        public Builder register(String register, MigrationPolicy policy) {
            registers.put(Names.requireName(register, "register"), Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /** Adds a document sequence (R14); its kinds must be declared as documents by the time the plan is built. */
        public Builder sequence(Sequence sequence) {
            if (sequences.putIfAbsent(sequence.name(), sequence) != null) {
                throw new IllegalArgumentException("plan " + name + " already has sequence " + sequence.name());
            }
            return this;
        }

        /**
         * Rejects an incoming message that carries records of a {@link MigrationPolicy#LOCAL}
         * register, instead of loading it without them and journaling a warning (R11, default off).
         */
        public Builder rejectLocalRecords(boolean on) {
            this.rejectLocalRecords = on;
            return this;
        }

        /**
         * Marks the documents of these kinds that the central node loads from a peripheral node,
         * where they were posted without the central node's own records: a mark kept in the
         * exchange store, outside the document, until {@code Node.repostMarked} reposts them at the
         * central node (seed 004's alternative to using a sequence for it, R14). The kinds must be
         * declared as documents by the time the plan is built.
         */
        public Builder repostAtCentral(String... kinds) {
            for (String kind : kinds) {
                repostAtCentral.add(Objects.requireNonNull(kind, "kind"));
            }
            return this;
        }

        /** Sets the routing predicate (default: everything everywhere). */
        public Builder routing(Routing routing) {
            this.routing = Objects.requireNonNull(routing, "routing");
            return this;
        }

        /** Caps how many registrations are newly numbered per message (R3); at least 1. */
        public Builder newRowsPerMessage(int cap) {
            if (cap < 1) {
                throw new IllegalArgumentException("newRowsPerMessage must be at least 1, got " + cap);
            }
            this.newRowsPerMessage = OptionalInt.of(cap);
            return this;
        }

        /** Sets the keep-alive period of idle links (R7, default one hour). */
        public Builder keepAlive(Duration period) {
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("keepAlive must be positive: " + period);
            }
            this.keepAlive = period;
            return this;
        }

        /** Sets how long journal entries are kept (R15, default 90 days). */
        public Builder journalRetention(Duration retention) {
            if (retention.isNegative()) {
                throw new IllegalArgumentException("journalRetention must not be negative: " + retention);
            }
            this.journalRetention = retention;
            return this;
        }

        /**
         * Sets how long a tombstone is kept once no registration holds it (R13, default 400 days):
         * longer than the oldest backup a node may be restored from, so that a restored node's
         * stale copy of a deleted object is recognized.
         */
        public Builder tombstoneRetention(Duration retention) {
            if (retention.isNegative()) {
                throw new IllegalArgumentException("tombstoneRetention must not be negative: " + retention);
            }
            this.tombstoneRetention = retention;
            return this;
        }

        /** Sets the conflict resolver (R12, default {@link ConflictResolver#PARENT_WINS}). */
        public Builder conflictResolver(ConflictResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** Sets what happens to an object the receiving host refuses (R6, default {@link PoisonPolicy#KEEP_FAILING}). */
        public Builder poisonPolicy(PoisonPolicy policy) {
            this.poisonPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Enables document reconciliation from the central node with these settings (SPEC §5). */
        public Builder reconciliation(Reconciliation settings) {
            this.reconciliation = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The plan. */
        public ExchangePlan build() {
            return new ExchangePlan(this);
        }
    }
}
