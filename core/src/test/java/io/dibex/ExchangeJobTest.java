package io.dibex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.memory.InMemoryStorage;
import io.dibex.memory.InMemoryTransport;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExchangeJobTest {

    private final ExchangePlan plan = ExchangePlan.builder("Shop").central("C").node("B1", "C").node("B2", "C")
            .kind(ObjectKind.catalog("Item").field("N", ValueType.LONG).build()).build();
    private final InMemoryTransport transport = new InMemoryTransport();
    private final Node central = node("C");
    private final Node b1 = node("B1");
    private final Node b2 = node("B2");

    private Node node(String name) {
        return Node.builder(plan, name).storage(new InMemoryStorage()).transport(transport).build();
    }

    private void put(Node node, String id) {
        DataObject item = DataObject.builder(ObjectKey.of("Item", id)).set("N", Value.of(1L)).build();
        node.inTransaction(tx -> {
            tx.put(item);
            return null;
        });
    }

    @Test
    @DisplayName("a run imports what waits, then exports to the listed neighbours only, and reports each message and the run")
    void runImportsThenExportsToTheListedNeighbours() {
        put(central, "a");
        put(b1, "b");
        b1.exportTo("C");
        List<String> seen = new ArrayList<>();
        ExchangeJob job = ExchangeJob.builder(central).exportTo("B1")
                .listener(new ExchangeJob.Listener() {
                    @Override
                    public void exported(ExportResult result) {
                        seen.add("exported " + result.peer() + " #" + result.messageNo());
                    }

                    @Override
                    public void finished(ExchangeJob.Run run) {
                        seen.add("finished " + run.imported().size() + " in, " + run.exported().size() + " out");
                    }
                }).build();

        ExchangeJob.Run run = job.runNow();

        assertThat(run.skipped()).isFalse();
        assertThat(run.failures()).isEmpty();
        assertThat(seen).containsExactly("exported B1 #1", "finished 1 in, 1 out");
        assertThat(b1.importAll()).hasSize(1);
        assertThat(b2.importAll()).as("not on the list").isEmpty();
        assertThat(central.pendingRegistrations("B2")).isPositive();
    }

    @Test
    @DisplayName("a run never overlaps another: one asked for while a run is going is skipped")
    void runsNeverOverlap() {
        put(central, "a");
        List<ExchangeJob.Run> nested = new ArrayList<>();
        ExchangeJob[] job = new ExchangeJob[1];
        job[0] = ExchangeJob.builder(central).listener(new ExchangeJob.Listener() {
            @Override
            public void exported(ExportResult result) {
                nested.add(job[0].runNow());
            }

            @Override
            public void finished(ExchangeJob.Run run) {
            }
        }).build();

        ExchangeJob.Run run = job[0].runNow();

        assertThat(run.skipped()).isFalse();
        assertThat(run.exported()).hasSize(2);
        assertThat(nested).hasSize(2).allSatisfy(r -> assertThat(r.skipped()).isTrue());
        assertThat(job[0].runNow().skipped()).as("free again after the run").isFalse();
    }

    @Test
    @DisplayName("a neighbour whose export fails is reported, and the run goes on with the others")
    void oneFailureDoesNotStopTheRun() {
        put(central, "a");
        central.inTransaction(tx -> {
            tx.store().exchange().putPeer(tx.store().exchange().peer("B1").withLastAllocatedNo(Long.MAX_VALUE));
            return null;
        });

        ExchangeJob.Run run = ExchangeJob.builder(central).build().runNow();

        assertThat(run.failures()).singleElement().isInstanceOf(NumberingExhaustedException.class);
        assertThat(run.exported()).extracting(ExportResult::peer).containsExactly("B2");
    }

    @Test
    @DisplayName("started on an executor it runs at once and again after the delay, and refuses a second start")
    void startsOnAnExecutor() throws Exception {
        put(central, "a");
        CountDownLatch two = new CountDownLatch(2);
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try (ExchangeJob job = ExchangeJob.builder(central).listener(run -> two.countDown()).build()) {
            job.start(executor, Duration.ofMillis(10));
            assertThat(two.await(30, TimeUnit.SECONDS)).as("two runs").isTrue();
            assertThatThrownBy(() -> job.start(executor, Duration.ofMillis(10)))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            executor.shutdownNow();
        }
        assertThat(b1.importAll()).as("each run resends what is not acknowledged").isNotEmpty();
        assertThatThrownBy(() -> ExchangeJob.builder(central).exportTo("B11"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a neighbour");
    }
}
