package io.dibex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node's routine exchange as a scheduled job: each run imports what the transport holds, then
 * exports to each of a list of neighbours (by default all of them; at the central node, the plan's
 * auto-send list with {@link Builder#autoSend()}), and at the central node may start a document
 * reconciliation with every child on the auto-send list first, at most once per period
 * ({@link Builder#reconcileEvery(Duration)}, SPEC §5): its steps then travel with the runs' ordinary
 * exports and imports. Runs never overlap: the
 * schedule waits for a run to end before counting the delay to the next, and {@link #runNow()}
 * while a run is going returns at once without running.
 *
 * <p>A failure of one neighbour's export or of the import does not stop the run: it is reported
 * to the {@link Listener} (the engine has journaled it) and the run goes on with the next
 * neighbour. The job runs on the caller's {@link ScheduledExecutorService}, which the caller
 * owns and shuts down; {@link #close()} cancels this job's schedule only.
 *
 * <pre>{@code
 * ExchangeJob job = ExchangeJob.builder(office).autoSend().reconcileEvery(Duration.ofDays(1))
 *         .listener(run -> log.info("{}", run)).build();
 * job.start(executor, Duration.ofMinutes(15));
 * }</pre>
 */
public final class ExchangeJob implements AutoCloseable {

    private final Node node;
    private final List<String> peers;
    private final Listener listener;
    private final Duration reconcileEvery;
    private final java.time.Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private ScheduledFuture<?> schedule;
    private java.time.Instant lastReconciliation;

    private ExchangeJob(Builder b) {
        this.node = b.node;
        this.peers = b.peers == null ? node.neighbours() : List.copyOf(b.peers);
        this.listener = b.listener;
        this.reconcileEvery = b.reconcileEvery;
        this.clock = b.clock;
    }

    /** Starts a job for {@code node}. */
    public static Builder builder(Node node) {
        return new Builder(node);
    }

    /**
     * Runs the job on {@code executor} now and then every {@code delay} after the end of the
     * previous run.
     *
     * @return this job
     * @throws IllegalStateException when the job was already started
     */
    public synchronized ExchangeJob start(ScheduledExecutorService executor, Duration delay) {
        Objects.requireNonNull(executor, "executor");
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("the delay between runs must be positive, got " + delay);
        }
        if (schedule != null) {
            throw new IllegalStateException("exchange job of node " + node.name() + " already started");
        }
        schedule = executor.scheduleWithFixedDelay(this::runNow, 0, delay.toNanos(), TimeUnit.NANOSECONDS);
        return this;
    }

    /**
     * Runs the job once on the calling thread, unless a run is going, and tells the listener.
     *
     * @return what the run did, or an empty-handed run marked {@link Run#skipped()} when another was going
     */
    public Run runNow() {
        if (!running.compareAndSet(false, true)) {
            Run skipped = new Run(node.name(), true, List.of(), List.of(), List.of(), Duration.ZERO, List.of());
            listener.finished(skipped);
            return skipped;
        }
        long start = System.nanoTime();
        try {
            List<ImportResult> imported = new ArrayList<>();
            List<ExportResult> exported = new ArrayList<>();
            List<DibexException> failures = new ArrayList<>();
            List<ReconciliationReport> reconciliations = new ArrayList<>();
            java.time.Instant now = clock.instant();
            if (reconcileEvery != null && (lastReconciliation == null
                    || !now.isBefore(lastReconciliation.plus(reconcileEvery)))) {
                try {
                    reconciliations.addAll(node.reconcile());
                    lastReconciliation = now;
                    listener.reconciling(reconciliations);
                } catch (DibexException e) {
                    failures.add(e);
                }
            }
            try {
                imported.addAll(node.importAll());
            } catch (DibexException e) {
                failures.add(e);
            }
            for (String peer : peers) {
                try {
                    node.exportTo(peer).ifPresent(result -> {
                        exported.add(result);
                        listener.exported(result);
                    });
                } catch (DibexException e) {
                    failures.add(e);
                }
            }
            Run run = new Run(node.name(), false, imported, exported, failures,
                    Duration.ofNanos(System.nanoTime() - start), reconciliations);
            listener.finished(run);
            return run;
        } finally {
            running.set(false);
        }
    }

    /** Cancels the schedule; a run that is going ends normally. */
    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }

    /**
     * What one run did.
     *
     * @param node the node
     * @param skipped whether it did not run because another run was going
     * @param imported the messages imported
     * @param exported the messages exported
     * @param failures what failed (each also journaled by the engine)
     * @param took how long it took
     * @param reconciliations the reconciliation runs it started (step 1), one per child on the
     *     auto-send list, or none
     */
    public record Run(String node, boolean skipped, List<ImportResult> imported, List<ExportResult> exported,
            List<DibexException> failures, Duration took, List<ReconciliationReport> reconciliations) {
        /** Copies the lists. */
        public Run {
            imported = List.copyOf(imported);
            exported = List.copyOf(exported);
            failures = List.copyOf(failures);
            reconciliations = List.copyOf(reconciliations);
        }
    }

    /** Told of the job's progress; called on the thread that runs the job. */
    public interface Listener {
        /** No reports. */
        Listener NONE = run -> { };

        /** Called after each message exported in a run. */
        default void exported(ExportResult result) {
        }

        /** Called when a run has started reconciliations (step 1), before its exports carry them. */
        default void reconciling(List<ReconciliationReport> started) {
        }

        /** Called at the end of each run, including a skipped one. */
        void finished(Run run);
    }

    /** Builds an {@link ExchangeJob}. */
    public static final class Builder {
        private final Node node;
        private List<String> peers;
        private Listener listener = Listener.NONE;
        private Duration reconcileEvery;
        private java.time.Clock clock = java.time.Clock.systemUTC();

        private Builder(Node node) {
            this.node = Objects.requireNonNull(node, "node");
        }

        /**
         * Exports to these neighbours only (seed 000's auto-send list), in this order.
         *
         * @throws IllegalArgumentException when one is not a neighbour of the node
         */
        public Builder exportTo(String... neighbours) {
            List<String> list = List.of(neighbours);
            for (String peer : list) {
                if (!node.neighbours().contains(peer)) {
                    throw new IllegalArgumentException(peer + " is not a neighbour of " + node.name()
                            + "; its neighbours are " + node.neighbours());
                }
            }
            this.peers = list;
            return this;
        }

        /**
         * Exports to the plan's auto-send list ({@code ExpDocAuto}, {@link Reconciliation#autoSend()}),
         * in its order.
         *
         * @throws IllegalStateException when the plan has no reconciliation settings
         */
        public Builder autoSend() {
            Reconciliation r = node.plan().reconciliation().orElseThrow(() -> new IllegalStateException("plan "
                    + node.plan().name() + " has no reconciliation settings, so no auto-send list"));
            return exportTo(r.autoSend().toArray(String[]::new));
        }

        /**
         * Starts a reconciliation ({@link Node#reconcile()}) at the first run and then at the first
         * run at least {@code period} after the last one started, before the run's exports.
         *
         * @throws IllegalStateException when the node is not the central node or the plan has no
         *     reconciliation settings
         */
        public Builder reconcileEvery(Duration period) {
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("the reconciliation period must be positive, got " + period);
            }
            if (!node.isCentral() || node.plan().reconciliation().isEmpty()) {
                throw new IllegalStateException("node " + node.name() + " cannot reconcile: a reconciliation runs"
                        + " from the central node of a plan with reconciliation settings (SPEC §5)");
            }
            this.reconcileEvery = period;
            return this;
        }

        /** The clock by which {@link #reconcileEvery(Duration)} counts (default: the system's, UTC). */
        public Builder clock(java.time.Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Sets the listener (default: none). */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Builds the job, not yet started. */
        public ExchangeJob build() {
            return new ExchangeJob(this);
        }
    }
}
