package io.dibex.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.StorageException;
import io.dibex.memory.InMemoryStorage;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.StoreTransaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FailingStorageTest {

    private static final String P = "P";

    private final InMemoryStorage inner = new InMemoryStorage();
    private final FailingStorage storage = new FailingStorage(inner);

    @AfterEach
    void leftNothingOpen() {
        assertThat(inner.openTransactions()).isZero();
        assertThat(inner.openStreams()).isZero();
    }

    @Test
    void everyCallCountsOneAndAStreamCountsOnceWhenOpened() {
        try (StoreTransaction tx = storage.begin()) {                                // 1
            tx.exchange().register(P, key("a"), digest(1));                          // 2, 3
            tx.exchange().register(P, key("b"), digest(1));                          // 4, 5
            tx.objects().put(item("a"));                                             // 6, 7
            try (Stream<Registration> rows = tx.exchange().numbered(P)) {            // 8, 9
                assertThat(rows.count()).isZero();
            }
            assertThat(tx.objects().getAll(List.of(key("a"), key("b")))).hasSize(1); // 10, 11: a default method
            tx.commit();                                                             // 12
        }                                                                            // 13
        assertThat(storage.calls()).isEqualTo(13);
    }

    @Test
    void theNthCallFromNowFailsOnceInsteadOfBeingPerformed() {
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange().register(P, key("a"), digest(1));
            storage.failAt(2); // 1: exchange(), 2: register(b)
            assertThat(storage.failurePending()).isTrue();
            var x = tx.exchange();
            assertThatThrownBy(() -> x.register(P, key("b"), digest(1)))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("injected failure at call 5: ExchangeStore.register");
            assertThat(storage.failurePending()).isFalse();
            x.register(P, key("c"), digest(1)); // only once
            tx.commit();
        }
        assertThat(storage.failures()).isOne();
        try (StoreTransaction tx = inner.begin()) {
            assertThat(tx.exchange().registration(P, key("a"))).isPresent();
            assertThat(tx.exchange().registration(P, key("b"))).as("the failed call was not performed").isEmpty();
            assertThat(tx.exchange().registration(P, key("c"))).isPresent();
        }
    }

    @Test
    void aFailedBeginOpensNoTransaction() {
        storage.failAt(1);
        assertThatThrownBy(storage::begin).isInstanceOf(StorageException.class)
                .hasMessage("injected failure at call 1: Storage.begin");
        assertThat(inner.openTransactions()).isZero();
    }

    @Test
    void aFailedCommitCommitsNothingAndCloseThenRollsBack() {
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange().putPeer(PeerState.initial(P).withLastAllocatedNo(1));
            storage.failAt(1);
            assertThatThrownBy(tx::commit).isInstanceOf(StorageException.class).hasMessageContaining("commit");
        }
        try (StoreTransaction tx = inner.begin()) {
            assertThat(tx.exchange().peer(P)).isEqualTo(PeerState.initial(P));
        }
    }

    @Test
    void aFailedCloseStillRollsTheTransactionBack() {
        StoreTransaction tx = storage.begin();
        tx.objects().put(item("a"));
        storage.failAt(1);
        assertThatThrownBy(tx::close).isInstanceOf(StorageException.class).hasMessageContaining("close");
        assertThat(inner.openTransactions()).isZero();
        try (StoreTransaction check = inner.begin()) {
            assertThat(check.objects().get(key("a"))).isEmpty();
        }
    }

    @Test
    void resetZeroesTheCountAndDisarmsTheInjection() {
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange();
        }
        storage.failAt(1);
        storage.reset();
        assertThat(storage.calls()).isZero();
        assertThat(storage.failurePending()).isFalse();
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange();
        }
        assertThat(storage.calls()).isEqualTo(3);
    }

    @Test
    void aLaterFailAtReplacesOneNotYetFired() {
        storage.failAt(1);
        storage.failAt(3);
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange();
            assertThatThrownBy(tx::objects).isInstanceOf(StorageException.class);
        }
        assertThat(storage.failures()).isOne();
    }

    @Test
    void failAtRefusesCountsBelowOne() {
        assertThatThrownBy(() -> storage.failAt(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Timeout(30)
    void countingIsExactAndExactlyOneCallFailsUnderConcurrency() throws Exception {
        int threads = 8;
        int each = 300;
        storage.failAt(1000);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<String>>> done = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    List<String> failed = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        try (StoreTransaction tx = storage.begin()) {
                            tx.exchange().peer(P);
                        } catch (StorageException e) {
                            failed.add(e.getMessage());
                        }
                    }
                    return failed;
                }));
            }
            start.countDown();
            for (Future<List<String>> f : done) {
                failures.addAll(f.get(20, TimeUnit.SECONDS));
            }
        } finally {
            Fixtures.shutdown(pool);
        }
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).startsWith("injected failure at call 1000: ");
        // Each loop makes 4 calls (begin, exchange, peer, close) unless the failure prevents some:
        // a failed begin prevents the other 3, a failed exchange() prevents peer.
        String method = failures.get(0).substring(failures.get(0).indexOf(": ") + 2);
        long prevented = switch (method) {
            case "Storage.begin" -> 3;
            case "StoreTransaction.exchange" -> 1;
            default -> 0;
        };
        assertThat(storage.calls()).as("after %s failed", method).isEqualTo((long) threads * each * 4 - prevented);
        assertThat(storage.failures()).isOne();
    }

    private static ObjectKey key(String id) {
        return ObjectKey.of("Item", id);
    }

    private static Digest digest(int n) {
        byte[] b = new byte[Digest.LENGTH];
        Arrays.fill(b, (byte) n);
        return Digest.of(b);
    }

    private static DataObject item(String id) {
        return DataObject.builder(key(id)).set("Description", id).build();
    }
}
