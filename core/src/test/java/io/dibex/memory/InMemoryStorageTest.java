package io.dibex.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.StorageException;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.StoreTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the TCK cannot express about {@link InMemoryStorage}: copies, leak counters, its lock and its indexes. */
class InMemoryStorageTest {

    private static final String P = "P";

    private final InMemoryStorage storage = new InMemoryStorage();

    @Test
    void aCopyHoldsTheCommittedStateAndIsIndependentOfTheOriginal() {
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange().putPeer(PeerState.initial(P).withLastAllocatedNo(3));
            tx.exchange().register(P, key("a"), digest(1));
            tx.exchange().numberUnsent(P, 3, 10);
            tx.objects().put(item("a", "before backup"));
            tx.exchange().appendJournal(entry("backup"));
            tx.commit();
        }
        InMemoryStorage backup = storage.copy();

        try (StoreTransaction tx = storage.begin()) {
            tx.exchange().putPeer(PeerState.initial(P).withLastAllocatedNo(4));
            tx.exchange().acknowledge(P, 3);
            tx.objects().put(item("a", "after backup"));
            tx.commit();
        }
        try (StoreTransaction tx = backup.begin()) {
            assertThat(tx.exchange().peer(P).lastAllocatedNo()).isEqualTo(3);
            assertThat(tx.exchange().registration(P, key("a")).map(Registration::firstSentNo)).contains(3L);
            assertThat(tx.objects().get(key("a"))).contains(item("a", "before backup"));
            try (Stream<Registration> numbered = tx.exchange().numbered(P)) {
                assertThat(numbered).hasSize(1); // the copy's indexes work too
            }
            tx.exchange().register(P, key("b"), digest(1));
            tx.commit();
        }
        try (StoreTransaction tx = storage.begin()) {
            assertThat(tx.exchange().registration(P, key("b"))).as("a write to the copy").isEmpty();
        }
    }

    @Test
    @Timeout(10)
    void aCopyWaitsForAnOpenTransactionAndNeverSeesItsWrites() throws Exception {
        CompletableFuture<InMemoryStorage> copy;
        try (StoreTransaction tx = storage.begin()) {
            tx.objects().put(item("a", "uncommitted"));
            copy = CompletableFuture.supplyAsync(storage::copy);
            assertThatThrownBy(() -> copy.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        }
        try (StoreTransaction tx = copy.get(5, TimeUnit.SECONDS).begin()) {
            assertThat(tx.objects().get(key("a"))).isEmpty();
        }
    }

    @Test
    void aSecondBeginOrACopyOnAThreadHoldingATransactionIsRefusedInsteadOfDeadlocking() {
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange().register(P, key("a"), digest(1));
            assertThatThrownBy(storage::begin).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds an open transaction");
            assertThatThrownBy(storage::copy).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds an open transaction");
            assertThat(tx.exchange().registration(P, key("a"))).as("the first transaction still works").isPresent();
            tx.commit();
        }
        try (StoreTransaction tx = storage.begin()) {
            assertThat(tx.exchange().registration(P, key("a"))).isPresent();
        }
    }

    @Test
    void aTransactionMayEndOnAnotherThread() throws Exception {
        StoreTransaction tx = storage.begin();
        tx.exchange().register(P, key("a"), digest(1));
        CompletableFuture.runAsync(tx::commit).get(5, TimeUnit.SECONDS);
        try (StoreTransaction next = storage.begin()) {
            assertThat(next.exchange().registration(P, key("a"))).isPresent();
        }
    }

    @Test
    void openTransactionsCountsUntilCommitOrClose() {
        assertThat(storage.openTransactions()).isZero();
        StoreTransaction tx = storage.begin();
        assertThat(storage.openTransactions()).isOne();
        tx.commit();
        assertThat(storage.openTransactions()).isZero();
        tx.close();
        assertThat(storage.openTransactions()).isZero();
        try (StoreTransaction other = storage.begin()) {
            assertThat(storage.openTransactions()).isOne();
        }
        assertThat(storage.openTransactions()).isZero();
    }

    @Test
    void openStreamsCountsEveryStreamUntilItIsClosedEvenAfterItsTransactionEnded() {
        Stream<Registration> leaked;
        try (StoreTransaction tx = storage.begin()) {
            Stream<Registration> numbered = tx.exchange().numbered(P);
            Stream<JournalEntry> journal = tx.exchange().journal();
            Stream<DataObject> list = tx.objects().list("Item");
            assertThat(storage.openStreams()).isEqualTo(3);
            numbered.close();
            numbered.close();
            journal.close();
            list.close();
            assertThat(storage.openStreams()).isZero();
            leaked = tx.exchange().numbered(P);
        }
        assertThat(storage.openStreams()).as("a stream left open is a leak").isOne();
        leaked.close();
        assertThat(storage.openStreams()).isZero();
    }

    @Test
    void aStreamUsedAfterItsTransactionEndedIsRefused() {
        Stream<DataObject> stream;
        try (StoreTransaction tx = storage.begin()) {
            tx.objects().put(item("a", "a"));
            tx.commit();
        }
        StoreTransaction tx = storage.begin();
        stream = tx.objects().list("Item");
        tx.close();
        try (stream) {
            assertThatThrownBy(stream::count).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already closed");
        }
    }

    @Test
    @Timeout(10)
    void anInterruptWhileWaitingToBeginIsAStorageExceptionAndKeepsTheInterruptFlag() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread waiter;
        try (StoreTransaction tx = storage.begin()) {
            waiter = new Thread(() -> {
                waiting.countDown();
                try (StoreTransaction never = storage.begin()) {
                    thrown.set(new AssertionError("begin returned"));
                } catch (RuntimeException e) {
                    thrown.set(e);
                    flag.set(Thread.currentThread().isInterrupted());
                }
            });
            waiter.start();
            waiting.await();
            Thread.sleep(50);
            waiter.interrupt();
            waiter.join(5000);
        }
        assertThat(thrown.get()).isInstanceOf(StorageException.class).hasMessageContaining("interrupted");
        assertThat(flag.get()).isTrue();
        assertThat(storage.openTransactions()).isZero();
    }

    @Test
    void listOfAKindThatIsNotAValidNameIsRefused() {
        try (StoreTransaction tx = storage.begin()) {
            assertThatThrownBy(() -> tx.objects().list("1bad")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void invalidNumbersAreRefused() {
        try (StoreTransaction tx = storage.begin()) {
            ExchangeStore x = tx.exchange();
            assertThatThrownBy(() -> x.numberUnsent(P, 0, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> x.numberUnsent(P, 1, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> x.recordSent(P, key("a"), 0, digest(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> x.putSentMessage(P, 0, new java.util.UUID(0, 0)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * Random registration operations, committed or rolled back at random, against a naive model
     * that scans every row: the indexes and the undo log must never drift from it.
     */
    @Test
    void registrationIndexesAndUndoLogAgreeWithANaiveModel() {
        long seed = 20_261_125L;
        Random random = new Random(seed);
        Map<ObjectKey, Registration> committed = new TreeMap<>();
        long messageNo = 0;
        for (int round = 0; round < 300; round++) {
            Map<ObjectKey, Registration> model = new TreeMap<>(committed);
            long roundNo = messageNo;
            try (StoreTransaction tx = storage.begin()) {
                ExchangeStore x = tx.exchange();
                for (int op = 0; op < 12; op++) {
                    ObjectKey k = key("k" + random.nextInt(30));
                    Digest d = digest(random.nextInt(3));
                    switch (random.nextInt(7)) {
                        case 0 -> {
                            x.register(P, k, d);
                            Registration old = model.get(k);
                            model.put(k, old == null ? new Registration(P, k, d, 0, 0, null, false)
                                    : new Registration(P, k, d, 0, old.lastSentNo(), old.lastSentDigest(), false,
                                            old.base(), 0));
                        }
                        case 1 -> {
                            long cap = random.nextInt(5);
                            long no = ++roundNo;
                            long n = x.numberUnsent(P, no, cap);
                            long expected = 0;
                            for (Registration r : new ArrayList<>(model.values())) {
                                if (expected < cap && !r.numbered() && !r.rejected()) {
                                    model.put(r.key(), r.withFirstSentNo(no));
                                    expected++;
                                }
                            }
                            assertThat(n).as("numbered in round %d, seed %d", round, seed).isEqualTo(expected);
                        }
                        case 2 -> {
                            long no = Math.max(1, roundNo);
                            x.recordSent(P, k, no, d);
                            model.computeIfPresent(k, (key, r) -> r.withLastSent(no, d));
                        }
                        case 3 -> {
                            long k2 = random.nextInt((int) Math.max(1, roundNo + 1));
                            long n = x.acknowledge(P, k2);
                            long expected = 0;
                            for (Registration r : new ArrayList<>(model.values())) {
                                boolean byFirst = r.firstSentNo() > 0 && r.firstSentNo() <= k2;
                                boolean byLast = r.lastSentNo() > 0 && r.lastSentNo() <= k2
                                        && r.digest().equals(r.lastSentDigest());
                                if (!r.rejected() && (byFirst || byLast)) {
                                    model.remove(r.key());
                                    expected++;
                                } else if (r.lastSentNo() > 0 && r.lastSentNo() <= k2) {
                                    model.put(r.key(), r.withBase(r.lastSentDigest()));
                                }
                            }
                            assertThat(n).as("acknowledged in round %d, seed %d", round, seed).isEqualTo(expected);
                        }
                        case 4 -> {
                            x.reject(P, k);
                            model.computeIfPresent(k, (key, r) -> r.withRejected(true));
                        }
                        case 5 -> {
                            long no = Math.max(1, roundNo - random.nextInt(3));
                            x.unnumber(P, no);
                            model.replaceAll((key, r) -> r.firstSentNo() == no ? r.withFirstSentNo(0) : r);
                        }
                        default -> {
                            x.unregister(P, k);
                            model.remove(k);
                        }
                    }
                }
                assertAgrees(x, model, "inside round " + round + ", seed " + seed);
                if (random.nextBoolean()) {
                    tx.commit();
                    committed = model;
                    messageNo = roundNo;
                }
            }
            try (StoreTransaction tx = storage.begin()) {
                assertAgrees(tx.exchange(), committed, "after round " + round + ", seed " + seed);
            }
        }
    }

    private static void assertAgrees(ExchangeStore x, Map<ObjectKey, Registration> model, String where) {
        for (int i = 0; i < 30; i++) {
            ObjectKey k = key("k" + i);
            assertThat(x.registration(P, k)).as("row %s %s", k, where).isEqualTo(Optional.ofNullable(model.get(k)));
        }
        List<Registration> numbered = model.values().stream().filter(r -> r.numbered() && !r.rejected())
                .collect(Collectors.toList());
        try (Stream<Registration> s = x.numbered(P)) {
            assertThat(s).as("numbered %s", where).containsExactlyElementsOf(numbered);
        }
        assertThat(x.countRegistrations(P)).as("count %s", where).isEqualTo(model.size());
        assertThat(x.countSendable(P)).as("sendable %s", where)
                .isEqualTo(model.values().stream().filter(r -> !r.rejected()).count());
    }

    private static ObjectKey key(String id) {
        return ObjectKey.of("Item", id);
    }

    private static Digest digest(int n) {
        byte[] b = new byte[Digest.LENGTH];
        Arrays.fill(b, (byte) n);
        return Digest.of(b);
    }

    private static DataObject item(String id, String description) {
        return DataObject.builder(key(id)).set("Description", description).build();
    }

    private static JournalEntry entry(String detail) {
        return new JournalEntry(Instant.EPOCH, JournalEntry.Kind.WARNING, P, 0, 0, 0, 0, 0, detail, List.of());
    }
}
