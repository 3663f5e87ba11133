package io.dibex.tck;

import static io.dibex.tck.Fixtures.digest;
import static io.dibex.tck.Fixtures.drain;
import static io.dibex.tck.Fixtures.item;
import static io.dibex.tck.Fixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.StorageException;
import io.dibex.model.Digest;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Row;
import io.dibex.model.SequenceBoundary;
import io.dibex.model.Value;
import io.dibex.spi.Control;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link ExchangeStore} and of the transactions of a {@link Storage}, as their
 * javadoc states it: peer counters and message ids (R1, R4), registrations (R2), numbering and
 * export (R3), acknowledgment (R4), rejected rows (R6), tombstones (R13), the journal (R15),
 * the repair flag, control items and reconciliation runs (SPEC §5), commit, rollback of both stores together, use after the end of a transaction, isolation between
 * threads and the absence of lost updates.
 *
 * <p>To check an implementation, extend this class in a test and implement {@link #newStorage()}.
 * Every test uses a new storage. Every transaction and stream a test opens is closed, so a
 * subclass may check for leaks in an {@code @AfterEach} method of its own (it runs before
 * {@link #disposeStorage}). The tests never hold two transactions on one thread at once.
 */
public abstract class ExchangeStoreContract {

    private static final String P = "Branch1";
    private static final String Q = "Branch2";

    private Storage storage;

    /**
     * A new, empty storage for one test.
     *
     * @return the storage under test
     */
    protected abstract Storage newStorage();

    /**
     * Releases a storage made by {@link #newStorage()} after its test (drop tables, close a pool).
     * Does nothing by default.
     *
     * @param storage the storage the test used
     */
    protected void dispose(Storage storage) {
    }

    /**
     * The storage of the running test.
     *
     * @return the storage made by {@link #newStorage()} for this test
     */
    protected final Storage storage() {
        return storage;
    }

    @BeforeEach
    final void createStorage() {
        storage = newStorage();
    }

    @AfterEach
    final void disposeStorage() {
        dispose(storage);
    }

    // ---- peers and message ids (R1, R4, R5)

    /** A peer nothing was stored for has the initial state. */
    @Test
    void peerStateIsInitialWhenNoneWasStored() {
        assertThat(read((ExchangeStore x) -> x.peer(P))).isEqualTo(PeerState.initial(P));
    }

    /** Every field of a peer state round-trips; a later put replaces it; peers are independent. */
    @Test
    void peerStateRoundTripsEveryFieldAndIsReplacedByALaterPut() {
        PeerState full = new PeerState(P, Long.MAX_VALUE, 7, 12, UUID.randomUUID(), true, 3, 4, 1_700_000_000_123L,
                true, 13, 1_700_000_000_123_456L);
        write(x -> x.putPeer(full));
        assertThat(read((ExchangeStore x) -> x.peer(P))).isEqualTo(full);
        assertThat(read((ExchangeStore x) -> x.peer(Q))).isEqualTo(PeerState.initial(Q));

        PeerState next = PeerState.initial(P).withLastAllocatedNo(8);
        write(x -> x.putPeer(next));
        assertThat(read((ExchangeStore x) -> x.peer(P))).isEqualTo(next);
    }

    /** Message ids are kept per (peer, number) and pruned below a number (R4's bounded storage). */
    @Test
    void sentMessageIdsArePutReadAndPrunedBelowANumber() {
        List<UUID> ids = IntStream.rangeClosed(0, 5).mapToObj(i -> UUID.randomUUID()).collect(Collectors.toList());
        UUID other = UUID.randomUUID();
        write(x -> {
            for (int no = 1; no <= 5; no++) {
                x.putSentMessage(P, no, ids.get(no));
            }
            x.putSentMessage(Q, 1, other);
        });
        assertThat(read((ExchangeStore x) -> x.sentMessageId(P, 3))).contains(ids.get(3));
        assertThat(read((ExchangeStore x) -> x.sentMessageId(P, 6))).isEmpty();

        write(x -> x.pruneSentMessages(P, 3));
        assertThat(read((ExchangeStore x) -> List.of(x.sentMessageId(P, 1), x.sentMessageId(P, 2), x.sentMessageId(P, 3),
                x.sentMessageId(P, 5))))
                .containsExactly(Optional.empty(), Optional.empty(), Optional.of(ids.get(3)), Optional.of(ids.get(5)));
        assertThat(read((ExchangeStore x) -> x.sentMessageId(Q, 1))).as("another peer's ids").contains(other);
    }

    // ---- registrations (R2)

    /** A first registration creates one unsent row with the digest and nothing sent. */
    @Test
    void registerCreatesAnUnsentRow() {
        write(x -> x.register(P, key("a"), digest(1)));
        assertThat(row(P, "a"))
                .contains(new Registration(P, key("a"), digest(1), 0, 0, null, false));
        assertThat(read((ExchangeStore x) -> x.countRegistrations(P))).isEqualTo(1);
    }

    /**
     * Registering again keeps one row: the digest is updated, firstSentNo and rejected are
     * cleared, the last sent number and digest are kept (R2).
     */
    @Test
    void registerAgainUpdatesTheDigestClearsFirstSentNoAndRejectedAndKeepsLastSent() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.numberUnsent(P, 4, Long.MAX_VALUE);
            x.recordSent(P, key("a"), 4, digest(1));
            x.reject(P, key("a"));
        });
        assertThat(row(P, "a"))
                .contains(new Registration(P, key("a"), digest(1), 4, 4, digest(1), true));

        write(x -> x.register(P, key("a"), digest(2)));
        assertThat(row(P, "a"))
                .contains(new Registration(P, key("a"), digest(2), 0, 4, digest(1), false));
        assertThat(read((ExchangeStore x) -> x.countRegistrations(P))).isEqualTo(1);
    }

    /** Rows are keyed by (peer, key): the same object registered for two peers makes two independent rows. */
    @Test
    void registrationsAreKeyedByPeerAndKey() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.register(Q, key("a"), digest(2));
            x.numberUnsent(P, 1, Long.MAX_VALUE);
        });
        assertThat(read((ExchangeStore x) -> x.registration(P, key("a")).map(Registration::firstSentNo))).contains(1L);
        assertThat(row(Q, "a"))
                .contains(new Registration(Q, key("a"), digest(2), 0, 0, null, false));
        assertThat(row(P, "b")).isEmpty();
    }

    /** Unregister deletes the row and says whether there was one. */
    @Test
    void unregisterDeletesTheRowAndSaysWhetherOneExisted() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.register(Q, key("a"), digest(1));
        });
        assertThat(found(x -> x.unregister(P, key("a")))).isTrue();
        assertThat(found(x -> x.unregister(P, key("a")))).isFalse();
        assertThat(row(P, "a")).isEmpty();
        assertThat(row(Q, "a")).isPresent();
    }

    /** Reject marks a row and keeps its other fields; for a missing row it does nothing and says so (R6). */
    @Test
    void rejectMarksTheRowAndKeepsItsOtherFields() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.numberUnsent(P, 2, Long.MAX_VALUE);
            x.recordSent(P, key("a"), 2, digest(1));
        });
        assertThat(found(x -> x.reject(P, key("a")))).isTrue();
        assertThat(row(P, "a"))
                .contains(new Registration(P, key("a"), digest(1), 2, 2, digest(1), true));
        assertThat(found(x -> x.reject(P, key("b")))).isFalse();
        assertThat(row(P, "b")).isEmpty();
    }

    /** countRegistrations counts every row of the peer; countSendable leaves rejected rows out. */
    @Test
    void countRegistrationsCountsEveryRowAndCountSendableLeavesRejectedOnesOut() {
        write(x -> {
            for (String id : List.of("a", "b", "c", "d")) {
                x.register(P, key(id), digest(1));
            }
            x.numberUnsent(P, 1, 2);
            x.reject(P, key("a"));
            x.reject(P, key("d"));
            x.register(Q, key("a"), digest(1));
        });
        assertThat(read((ExchangeStore x) -> List.of(x.countRegistrations(P), x.countSendable(P), x.countRegistrations(Q),
                x.countSendable(Q), x.countRegistrations("Nobody"), x.countSendable("Nobody"))))
                .containsExactly(4L, 2L, 1L, 1L, 0L, 0L);
    }

    // ---- numbering and export (R3)

    /** numberUnsent with a cap numbers exactly the first cap unsent rows in key order, then the rest. */
    @Test
    void numberUnsentNumbersTheFirstCapUnsentRowsInKeyOrder() {
        List<String> ids = List.of("k07", "k02", "k09", "k01", "k05", "k10", "k03", "k08", "k04", "k06");
        write(x -> ids.forEach(id -> x.register(P, key(id), digest(1))));

        assertThat(count(x -> x.numberUnsent(P, 7, 3))).isEqualTo(3);
        assertThat(firstSentNos(P, ids)).containsExactly(
                "k01=7", "k02=7", "k03=7", "k04=0", "k05=0", "k06=0", "k07=0", "k08=0", "k09=0", "k10=0");

        assertThat(count(x -> x.numberUnsent(P, 8, 100))).isEqualTo(7);
        assertThat(firstSentNos(P, ids)).containsExactly(
                "k01=7", "k02=7", "k03=7", "k04=8", "k05=8", "k06=8", "k07=8", "k08=8", "k09=8", "k10=8");
        assertThat(count(x -> x.numberUnsent(P, 9, 100))).isZero();
    }

    /** numberUnsent leaves rows that are already numbered and rejected rows alone, and other peers' rows. */
    @Test
    void numberUnsentSkipsNumberedAndRejectedRows() {
        List<String> ids = List.of("a", "b", "c", "d", "e");
        write(x -> {
            ids.forEach(id -> x.register(P, key(id), digest(1)));
            x.register(Q, key("a"), digest(1));
            x.numberUnsent(P, 1, 1);
            x.reject(P, key("b"));
            x.reject(P, key("d"));
        });
        assertThat(count(x -> x.numberUnsent(P, 2, 2))).isEqualTo(2);
        assertThat(firstSentNos(P, ids)).containsExactly("a=1", "b=0", "c=2", "d=0", "e=2");
        assertThat(count(x -> x.numberUnsent(P, 3, Long.MAX_VALUE))).isZero();
        assertThat(read((ExchangeStore x) -> x.registration(Q, key("a")).map(Registration::firstSentNo))).contains(0L);
    }

    /** A cap of zero numbers nothing. */
    @Test
    void numberUnsentWithACapOfZeroNumbersNothing() {
        write(x -> x.register(P, key("a"), digest(1)));
        assertThat(count(x -> x.numberUnsent(P, 1, 0))).isZero();
        assertThat(firstSentNos(P, List.of("a"))).containsExactly("a=0");
    }

    /** numbered() streams the numbered, not rejected rows of the peer, in key order, with all their fields. */
    @Test
    void numberedStreamsOnlyNumberedRowsThatAreNotRejectedInKeyOrder() {
        write(x -> {
            for (String id : List.of("e", "c", "a", "d", "b", "f")) {
                x.register(P, key(id), digest(1));
            }
            x.numberUnsent(P, 1, 2); // a, b
            x.numberUnsent(P, 2, 3); // c, d, e
            x.recordSent(P, key("d"), 2, digest(5));
            x.reject(P, key("c"));
            x.register(Q, key("z"), digest(1));
            x.numberUnsent(Q, 1, 10);
        });
        assertThat(read((ExchangeStore x) -> drain(x.numbered(P)))).containsExactly(
                new Registration(P, key("a"), digest(1), 1, 0, null, false),
                new Registration(P, key("b"), digest(1), 1, 0, null, false),
                new Registration(P, key("d"), digest(1), 2, 2, digest(5), false),
                new Registration(P, key("e"), digest(1), 2, 0, null, false));
        assertThat(read((ExchangeStore x) -> drain(x.numbered("Nobody")))).isEmpty();
    }

    /** recordSent sets the last sent number and digest and leaves firstSentNo as it is. */
    @Test
    void recordSentSetsLastSentAndLeavesFirstSentNo() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.register(P, key("b"), digest(1));
            x.numberUnsent(P, 3, 1);
        });
        write(x -> {
            x.recordSent(P, key("a"), 5, digest(2));
            x.recordSent(P, key("b"), 5, digest(1));
        });
        assertThat(read((ExchangeStore x) -> List.of(x.registration(P, key("a")), x.registration(P, key("b"))))).containsExactly(
                Optional.of(new Registration(P, key("a"), digest(1), 3, 5, digest(2), false)),
                Optional.of(new Registration(P, key("b"), digest(1), 0, 5, digest(1), false)));
    }

    /** recordSent for a row that no longer exists does nothing: it creates no row. */
    @Test
    void recordSentDoesNothingForAMissingRow() {
        write(x -> x.recordSent(P, key("gone"), 1, digest(1)));
        assertThat(row(P, "gone")).isEmpty();
        assertThat(read((ExchangeStore x) -> x.countRegistrations(P))).isZero();
    }

    /** unnumber clears firstSentNo on exactly the rows numbered with that message, for that peer. */
    @Test
    void unnumberClearsFirstSentNoOnlyOnThatMessagesRows() {
        List<String> ids = List.of("a", "b", "c", "d");
        write(x -> {
            ids.forEach(id -> x.register(P, key(id), digest(1)));
            x.register(Q, key("a"), digest(1));
            x.numberUnsent(P, 1, 2);
            x.numberUnsent(P, 2, 2);
            x.numberUnsent(Q, 2, 1);
            x.recordSent(P, key("c"), 2, digest(1));
        });
        write(x -> x.unnumber(P, 2));
        assertThat(firstSentNos(P, ids)).containsExactly("a=1", "b=1", "c=0", "d=0");
        assertThat(row(P, "c"))
                .contains(new Registration(P, key("c"), digest(1), 0, 2, digest(1), false));
        assertThat(read((ExchangeStore x) -> x.registration(Q, key("a")).map(Registration::firstSentNo))).contains(2L);
    }

    // ---- acknowledgment (R4)

    /** Acknowledging k deletes the rows whose firstSentNo is 1..k and returns how many. */
    @Test
    void acknowledgeDeletesRowsFirstSentUpToK() {
        write(x -> {
            for (String id : List.of("a", "b", "c", "d")) {
                x.register(P, key(id), digest(1));
            }
            x.numberUnsent(P, 1, 1);
            x.numberUnsent(P, 2, 1);
            x.numberUnsent(P, 3, 2);
        });
        assertThat(count(x -> x.acknowledge(P, 2))).isEqualTo(2);
        assertThat(firstSentNos(P, List.of("a", "b", "c", "d"))).containsExactly("a=-", "b=-", "c=3", "d=3");
    }

    /** Rows numbered after k and rows never numbered survive the acknowledgment of k. */
    @Test
    void acknowledgeKeepsRowsNumberedAfterKAndUnsentRows() {
        write(x -> {
            for (String id : List.of("a", "b", "c")) {
                x.register(P, key(id), digest(1));
            }
            x.numberUnsent(P, 5, 1);
            x.numberUnsent(P, 6, 1);
        });
        assertThat(count(x -> x.acknowledge(P, 5))).isEqualTo(1);
        assertThat(firstSentNos(P, List.of("a", "b", "c"))).containsExactly("a=-", "b=6", "c=0");
    }

    /**
     * A row whose last sent number is at most k and whose last sent digest equals its digest is
     * deleted even when firstSentNo is empty or after k: the peer holds that very state (R4).
     */
    @Test
    void acknowledgeDeletesRowsWhoseLastSentStateIsTheRegisteredState() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.register(P, key("b"), digest(1));
            x.numberUnsent(P, 1, 2);
            x.recordSent(P, key("a"), 1, digest(1));
            x.recordSent(P, key("b"), 1, digest(1));
        });
        write(x -> {
            x.register(P, key("a"), digest(1)); // registered again with the same state: unsent, last sent in 1
            x.register(P, key("b"), digest(1));
            x.numberUnsent(P, 2, 1); // b: firstSentNo 2 > k
        });
        assertThat(count(x -> x.acknowledge(P, 1))).isEqualTo(2);
        assertThat(read((ExchangeStore x) -> x.countRegistrations(P))).isZero();
    }

    /** A row whose state changed since it was last sent survives: the peer does not hold it yet. */
    @Test
    void acknowledgeKeepsRowsChangedSinceTheyWereLastSent() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.register(P, key("b"), digest(1));
            x.numberUnsent(P, 1, 2);
            x.recordSent(P, key("a"), 1, digest(1));
            x.recordSent(P, key("b"), 1, digest(1));
        });
        write(x -> {
            x.register(P, key("a"), digest(2)); // changed after message 1
            x.register(P, key("b"), digest(1));
            x.numberUnsent(P, 2, 2);
            x.recordSent(P, key("b"), 2, digest(1)); // last sent in 2 > k
        });
        assertThat(count(x -> x.acknowledge(P, 1))).isZero();
        assertThat(read((ExchangeStore x) -> List.of(x.registration(P, key("a")), x.registration(P, key("b"))))).containsExactly(
                Optional.of(new Registration(P, key("a"), digest(2), 2, 1, digest(1), false, digest(1), 0)),
                Optional.of(new Registration(P, key("b"), digest(1), 2, 2, digest(1), false)));
    }

    /** Rejected rows survive every acknowledgment (R6). */
    @Test
    void acknowledgeKeepsRejectedRows() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.register(P, key("b"), digest(1));
            x.numberUnsent(P, 1, 2);
            x.recordSent(P, key("a"), 1, digest(1));
            x.recordSent(P, key("b"), 1, digest(1));
            x.reject(P, key("a"));
        });
        assertThat(count(x -> x.acknowledge(P, 10))).isEqualTo(1);
        assertThat(row(P, "a"))
                .contains(new Registration(P, key("a"), digest(1), 1, 1, digest(1), true, digest(1), 0));
        assertThat(row(P, "b")).isEmpty();
    }

    /**
     * A new row takes the base it is given; registering again keeps it; an acknowledgment that
     * covers the row's last message makes that message's state the base (R12).
     */
    @Test
    void baseIsSetOnCreationKeptOnUpdateAndAdvancedByAcknowledgment() {
        write(x -> x.register(P, key("a"), digest(2), digest(1), 0));
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.base()).isEqualTo(digest(1)));
        write(x -> {
            x.register(P, key("a"), digest(3), digest(9), 0);
            x.numberUnsent(P, 1, 10);
            x.recordSent(P, key("a"), 1, digest(3));
            x.register(P, key("a"), digest(4), digest(9), 0);
        });
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.base()).isEqualTo(digest(1)));
        assertThat(count(x -> x.acknowledge(P, 1))).isZero();
        assertThat(row(P, "a")).hasValueSatisfying(r -> {
            assertThat(r.base()).as("the peer now holds what message 1 carried").isEqualTo(digest(3));
            assertThat(r.digest()).isEqualTo(digest(4));
        });
    }

    /**
     * Every registration sets the row's {@code seenNo}, which numbering, sending, a rejection and
     * an acknowledgment that keeps the row leave as they are (R12).
     */
    @Test
    void seenNoIsSetByEveryRegistrationAndKeptOtherwise() {
        write(x -> x.register(P, key("a"), digest(1), Digest.ABSENT, 7));
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.seenNo()).isEqualTo(7));
        write(x -> {
            x.numberUnsent(P, 1, 10);
            x.recordSent(P, key("a"), 1, digest(1));
            x.register(P, key("a"), digest(2), Digest.ABSENT, 9);
            x.numberUnsent(P, 2, 10);
            x.recordSent(P, key("a"), 2, digest(2));
            x.reject(P, key("a"));
        });
        assertThat(count(x -> x.acknowledge(P, 1))).isZero();
        assertThat(row(P, "a")).hasValueSatisfying(r -> {
            assertThat(r.seenNo()).as("a later registration moves it").isEqualTo(9);
            assertThat(r.firstSentNo()).isEqualTo(2);
            assertThat(r.rejected()).isTrue();
        });
        write(x -> x.register(P, key("a"), digest(2), Digest.ABSENT, 3));
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.seenNo()).as("as given, not the maximum")
                .isEqualTo(3));
    }

    /**
     * Every registration with a session sets the row's {@code session}, which numbering, sending, a
     * rejection and an acknowledgment that keeps the row leave as they are; a registration in the
     * same transaction as an earlier one takes the later session (R4).
     */
    @Test
    void sessionIsSetByEveryRegistrationAndKeptOtherwise() {
        write(x -> x.register(P, key("a"), digest(1), Digest.ABSENT, 7, 1_700_000_000_000_001L));
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.session()).isEqualTo(1_700_000_000_000_001L));
        write(x -> {
            x.numberUnsent(P, 1, 10);
            x.recordSent(P, key("a"), 1, digest(1));
            x.register(P, key("b"), digest(1), Digest.ABSENT, 7, 5);
            x.register(P, key("b"), digest(2), Digest.ABSENT, 7, 6);
            x.register(P, key("a"), digest(2), Digest.ABSENT, 9, 1_700_000_000_000_002L);
            x.numberUnsent(P, 2, 10);
            x.recordSent(P, key("a"), 2, digest(2));
            x.reject(P, key("a"));
        });
        assertThat(count(x -> x.acknowledge(P, 1))).isZero();
        assertThat(row(P, "a")).hasValueSatisfying(r -> {
            assertThat(r.session()).as("a later registration moves it").isEqualTo(1_700_000_000_000_002L);
            assertThat(r.rejected()).isTrue();
        });
        assertThat(row(P, "b")).hasValueSatisfying(r -> assertThat(r.session()).isEqualTo(6));
        write(x -> x.register(P, key("a"), digest(2), Digest.ABSENT, 3, 4));
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.session()).as("as given, not the maximum")
                .isEqualTo(4));
    }

    /** Acknowledging 0 deletes nothing (R4: k = 0 acknowledges nothing). */
    @Test
    void acknowledgeOfZeroDeletesNothing() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.register(P, key("b"), digest(1));
            x.numberUnsent(P, 1, 1);
            x.recordSent(P, key("a"), 1, digest(1));
        });
        assertThat(count(x -> x.acknowledge(P, 0))).isZero();
        assertThat(read((ExchangeStore x) -> x.countRegistrations(P))).isEqualTo(2);
    }

    /** An acknowledgment from one peer deletes none of another peer's rows. */
    @Test
    void acknowledgeTouchesOnlyThatPeer() {
        write(x -> {
            x.register(P, key("a"), digest(1));
            x.register(Q, key("a"), digest(1));
            x.numberUnsent(P, 1, 1);
            x.numberUnsent(Q, 1, 1);
            x.recordSent(Q, key("a"), 1, digest(1));
        });
        assertThat(count(x -> x.acknowledge(P, 1))).isEqualTo(1);
        assertThat(row(Q, "a")).isPresent();
    }

    // ---- the repair flag of registrations (SPEC §5)

    /**
     * A reconciliation's registration sets the row's repair flag, which numbering, sending and a
     * rejection keep; an ordinary registration of the key clears it, a repair sets it again.
     */
    @Test
    void repairFlagIsSetByARepairRegistrationKeptThroughSendingAndClearedByAnOrdinaryOne() {
        write(x -> x.register(P, key("a"), digest(1), Digest.ABSENT, 4, true));
        assertThat(row(P, "a")).contains(new Registration(P, key("a"), digest(1), 0, 0, null, false, Digest.ABSENT, 4,
                true));
        write(x -> {
            x.numberUnsent(P, 1, 10);
            x.recordSent(P, key("a"), 1, digest(1));
            x.reject(P, key("a"));
        });
        assertThat(row(P, "a")).contains(new Registration(P, key("a"), digest(1), 1, 1, digest(1), true, Digest.ABSENT,
                4, true));

        write(x -> x.register(P, key("a"), digest(2), Digest.ABSENT, 5));
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.repair()).as("an ordinary change").isFalse());
        write(x -> x.register(P, key("a"), digest(3), Digest.ABSENT, 5, true));
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.repair()).as("a repair again").isTrue());
        write(x -> x.register(P, key("a"), digest(3), Digest.ABSENT, 5, false));
        assertThat(row(P, "a")).hasValueSatisfying(r -> assertThat(r.repair()).as("the same state, no repair")
                .isFalse());
    }

    /** Of several registrations of a key in one transaction, the last one's repair flag counts. */
    @Test
    void theLastRegistrationInATransactionDecidesTheRepairFlag() {
        write(x -> {
            x.register(P, key("a"), digest(1), Digest.ABSENT, 0, true);
            x.register(P, key("a"), digest(2), Digest.ABSENT, 0, false);
            x.register(P, key("b"), digest(1), Digest.ABSENT, 0, false);
            x.register(P, key("b"), digest(2), Digest.ABSENT, 0, true);
            x.register(Q, key("a"), digest(1), Digest.ABSENT, 0, true);
        });
        assertThat(read((ExchangeStore x) -> drain(x.registrations(P)).stream().map(Registration::repair).toList()))
                .containsExactly(false, true);
        assertThat(row(Q, "a")).hasValueSatisfying(r -> assertThat(r.repair()).as("another peer's row").isTrue());
    }

    /** An acknowledgment that keeps a repair's row (changed since it was sent) keeps its flag. */
    @Test
    void anAcknowledgmentThatKeepsARowKeepsItsRepairFlag() {
        write(x -> {
            x.register(P, key("a"), digest(1), Digest.ABSENT, 0, true);
            x.numberUnsent(P, 1, 10);
            x.recordSent(P, key("a"), 1, digest(1));
            x.register(P, key("a"), digest(2), Digest.ABSENT, 0, true);
        });
        assertThat(count(x -> x.acknowledge(P, 1))).isZero();
        assertThat(row(P, "a")).hasValueSatisfying(r -> {
            assertThat(r.repair()).isTrue();
            assertThat(r.base()).isEqualTo(digest(1));
        });
    }

    // ---- control items and reconciliation runs (SPEC §5)

    /**
     * Control items round-trip exactly (every value type, binary fields, tables), are kept per
     * peer, listed in key order, and start as sent by no message.
     */
    @Test
    void controlItemsRoundTripExactlyPerPeerInKeyOrder() {
        DataObject b = Fixtures.rich(controlKey("b"));
        write(x -> {
            x.putControl(P, b);
            x.putControl(P, control("a", "first"));
            x.putControl(Q, control("c", "other"));
        });
        List<Control> items = read((ExchangeStore x) -> drain(x.controls(P)));
        assertThat(items).containsExactly(new Control(P, control("a", "first"), 0), new Control(P, b, 0));
        Fixtures.assertExactly(items.get(1).item(), b);
        assertThat(read((ExchangeStore x) -> drain(x.controls(Q)))).containsExactly(new Control(Q, control("c",
                "other"), 0));
        assertThat(read((ExchangeStore x) -> drain(x.controls("Nobody")))).isEmpty();
    }

    /** A control item put again replaces the one of its key and is unsent again. */
    @Test
    void putControlReplacesTheItemOfItsKeyAndResetsSentNo() {
        write(x -> {
            x.putControl(P, control("a", "first"));
            x.recordControlSent(P, controlKey("a"), 3);
        });
        assertThat(read((ExchangeStore x) -> drain(x.controls(P)))).containsExactly(new Control(P, control("a",
                "first"), 3));
        write(x -> x.putControl(P, control("a", "second")));
        assertThat(read((ExchangeStore x) -> drain(x.controls(P)))).containsExactly(new Control(P, control("a",
                "second"), 0));
    }

    /**
     * recordControlSent keeps the number of the first message that carried the item; a later one
     * does not move it, and an item that is gone is not created.
     */
    @Test
    void recordControlSentKeepsTheFirstNumberAndIgnoresAMissingItem() {
        write(x -> {
            x.putControl(P, control("a", "x"));
            x.putControl(Q, control("a", "x"));
        });
        write(x -> x.recordControlSent(P, controlKey("a"), 3));
        write(x -> {
            x.recordControlSent(P, controlKey("a"), 5);
            x.recordControlSent(P, controlKey("gone"), 5);
        });
        assertThat(read((ExchangeStore x) -> drain(x.controls(P)))).containsExactly(new Control(P, control("a", "x"),
                3));
        assertThat(read((ExchangeStore x) -> drain(x.controls(Q)))).as("another peer's item")
                .containsExactly(new Control(Q, control("a", "x"), 0));
    }

    /**
     * acknowledgeControls deletes the items to that peer that a message numbered from 1 up to k
     * carried, and no unsent item, later item or other peer's item; it returns how many.
     */
    @Test
    void acknowledgeControlsDeletesItemsSentUpToK() {
        write(x -> {
            for (String id : List.of("a", "b", "c", "d")) {
                x.putControl(P, control(id, id));
            }
            x.putControl(Q, control("e", "e"));
            x.recordControlSent(P, controlKey("a"), 2);
            x.recordControlSent(P, controlKey("b"), 3);
            x.recordControlSent(P, controlKey("c"), 4);
            x.recordControlSent(Q, controlKey("e"), 1);
        });
        assertThat(count(x -> x.acknowledgeControls(P, 0))).isZero();
        assertThat(count(x -> x.acknowledgeControls(P, 1))).isZero();
        assertThat(count(x -> x.acknowledgeControls(P, 3))).isEqualTo(2);
        assertThat(read((ExchangeStore x) -> drain(x.controls(P)))).containsExactly(new Control(P, control("c", "c"),
                4), new Control(P, control("d", "d"), 0));
        assertThat(count(x -> x.acknowledgeControls(P, 4))).isEqualTo(1);
        assertThat(count(x -> x.acknowledgeControls(P, Long.MAX_VALUE))).as("an unsent item stays").isZero();
        assertThat(read((ExchangeStore x) -> drain(x.controls(P)))).containsExactly(new Control(P, control("d", "d"),
                0));
        assertThat(read((ExchangeStore x) -> drain(x.controls(Q)))).as("another peer's item")
                .containsExactly(new Control(Q, control("e", "e"), 1));
        assertThat(count(x -> x.acknowledgeControls("Nobody", 9))).isZero();
    }

    /** Runs are put (a later put of a key replaces it), read by key, and listed in key order. */
    @Test
    void runsAreReplacedByKeyReadAndListedInKeyOrder() {
        DataObject rich = Fixtures.rich(run("b"));
        write(x -> {
            x.putRun(rich);
            x.putRun(run("a", "started"));
        });
        assertThat(read((ExchangeStore x) -> x.run(run("a")))).contains(run("a", "started"));
        assertThat(read((ExchangeStore x) -> x.run(run("z")))).isEmpty();
        Fixtures.assertExactly(read((ExchangeStore x) -> x.run(run("b"))).orElseThrow(), rich);
        write(x -> x.putRun(run("a", "done")));
        assertThat(read((ExchangeStore x) -> drain(x.runs()))).containsExactly(run("a", "done"), rich);
        assertThat(read((ExchangeStore x) -> x.deleteRun(run("a")))).isTrue();
        write(x -> assertThat(x.deleteRun(run("a"))).isTrue());
        assertThat(read((ExchangeStore x) -> x.deleteRun(run("a")))).isFalse();
        assertThat(read((ExchangeStore x) -> drain(x.runs()))).containsExactly(rich);
    }

    /** Closing without commit undoes every change to control items and runs. */
    @Test
    void rollbackUndoesControlItemsAndRuns() {
        write(x -> {
            x.putControl(P, control("a", "a"));
            x.putControl(P, control("b", "b"));
            x.putControl(P, control("c", "c"));
            x.recordControlSent(P, controlKey("b"), 2);
            x.recordControlSent(P, controlKey("c"), 5);
            x.putRun(run("r", "started"));
        });
        List<Object> before = read((ExchangeStore x) -> List.of(drain(x.controls(P)), drain(x.runs())));
        try (StoreTransaction tx = storage.begin()) {
            ExchangeStore x = tx.exchange();
            x.putControl(P, control("a", "changed"));
            x.putControl(P, control("d", "new"));
            x.putControl(Q, control("a", "new"));
            x.recordControlSent(P, controlKey("a"), 6);
            assertThat(x.acknowledgeControls(P, 5)).isEqualTo(2);
            x.putRun(run("r", "done"));
            x.putRun(run("s", "new"));
            assertThat(List.of(drain(x.controls(P)), drain(x.runs()))).isNotEqualTo(before);
        }
        assertThat(read((ExchangeStore x) -> List.of(drain(x.controls(P)), drain(x.runs())))).isEqualTo(before);
        assertThat(read((ExchangeStore x) -> drain(x.controls(Q)))).isEmpty();
    }

    // ---- tombstones (R13)

    /** Tombstones are put, read, replaced and removed; remove says whether there was one. */
    @Test
    void tombstonesArePutReadReplacedAndRemoved() {
        // Millisecond precision: the SPI states none, and databases differ beyond microseconds.
        Instant first = Instant.parse("2024-01-01T00:00:00.123Z");
        Instant second = Instant.parse("2024-06-01T00:00:00Z");
        write(x -> x.putTombstone(key("a"), first));
        assertThat(read((ExchangeStore x) -> x.tombstone(key("a")))).contains(first);
        assertThat(read((ExchangeStore x) -> x.tombstone(key("b")))).isEmpty();
        write(x -> x.putTombstone(key("a"), second));
        assertThat(read((ExchangeStore x) -> x.tombstone(key("a")))).contains(second);
        assertThat(found(x -> x.removeTombstone(key("a")))).isTrue();
        assertThat(found(x -> x.removeTombstone(key("a")))).isFalse();
        assertThat(read((ExchangeStore x) -> x.tombstone(key("a")))).isEmpty();
    }

    // ---- sequence boundaries (R14)

    /**
     * A sequence boundary round-trips exactly (nanoseconds, years far off, both sides of a point),
     * is kept per sequence, replaced by a later put, and rolled back with its transaction.
     */
    @Test
    void sequenceBoundariesRoundTripPerSequenceAndRollBack() {
        SequenceBoundary first = SequenceBoundary.before(LocalDateTime.of(2024, 3, 1, 9, 30, 0, 123_456_789), key("a"));
        SequenceBoundary second = SequenceBoundary.pastOf(LocalDateTime.of(1, 1, 1, 0, 0), key("b"));
        SequenceBoundary third = SequenceBoundary.pastOf(LocalDateTime.of(9999, 12, 31, 23, 59, 59), key("c"));
        assertThat(read((ExchangeStore x) -> x.sequenceBoundary("Main"))).isEmpty();
        write(x -> {
            x.putSequenceBoundary("Main", first);
            x.putSequenceBoundary("Other", third);
        });
        assertThat(read((ExchangeStore x) -> x.sequenceBoundary("Main"))).contains(first);
        assertThat(read((ExchangeStore x) -> x.sequenceBoundary("Other"))).contains(third);
        write(x -> x.putSequenceBoundary("Main", second));
        assertThat(read((ExchangeStore x) -> x.sequenceBoundary("Main"))).contains(second);
        try (StoreTransaction tx = storage.begin()) {
            tx.exchange().putSequenceBoundary("Main", first);
            tx.exchange().putSequenceBoundary("New", first);
            assertThat(tx.exchange().sequenceBoundary("Main")).contains(first);
        }
        assertThat(read((ExchangeStore x) -> x.sequenceBoundary("Main"))).contains(second);
        assertThat(read((ExchangeStore x) -> x.sequenceBoundary("New"))).isEmpty();
    }

    // ---- documents to repost at the central node (seed 004)

    /** Repost marks are put (twice is once), listed in key order, removed, and rolled back with their transaction. */
    @Test
    void repostMarksArePutListedRemovedAndRolledBack() {
        write(x -> {
            x.putRepostMark(key("b"));
            x.putRepostMark(key("a"));
            x.putRepostMark(key("b"));
        });
        assertThat(read((ExchangeStore x) -> drain(x.repostMarks()))).containsExactly(key("a"), key("b"));
        assertThat(found(x -> x.removeRepostMark(key("a")))).isTrue();
        assertThat(found(x -> x.removeRepostMark(key("a")))).isFalse();
        assertThat(read((ExchangeStore x) -> drain(x.repostMarks()))).containsExactly(key("b"));
        assertThatThrownBy(() -> write(x -> {
            x.putRepostMark(key("c"));
            x.removeRepostMark(key("b"));
            throw new IllegalStateException("rolled back");
        })).hasMessageContaining("rolled back");
        assertThat(read((ExchangeStore x) -> drain(x.repostMarks()))).containsExactly(key("b"));
    }

    // ---- retractions (R4, R9)

    /**
     * Retractions are recorded per peer, listed in key order, replaced, pruned by time, and rolled
     * back with their transaction.
     */
    @Test
    void retractionsAreRecordedPerPeerListedInKeyOrderAndPruned() {
        Instant old = Instant.parse("2024-01-01T00:00:00Z");
        Instant recent = Instant.parse("2024-06-01T00:00:00Z");
        write(x -> {
            x.putRetraction(P, key("b"), old);
            x.putRetraction(P, key("a"), recent);
            x.putRetraction(Q, key("c"), old);
        });
        assertThat(read((ExchangeStore x) -> drain(x.retractions(P)))).containsExactly(key("a"), key("b"));
        assertThat(read((ExchangeStore x) -> drain(x.retractions(Q)))).containsExactly(key("c"));
        assertThat(read((ExchangeStore x) -> drain(x.retractions("nobody")))).isEmpty();

        write(x -> x.putRetraction(P, key("b"), recent)); // retracted again: the later time counts
        assertThat(count(x -> x.pruneRetractions(Instant.parse("2024-03-01T00:00:00Z")))).isEqualTo(1);
        assertThat(read((ExchangeStore x) -> drain(x.retractions(P)))).containsExactly(key("a"), key("b"));
        assertThat(read((ExchangeStore x) -> drain(x.retractions(Q)))).isEmpty();

        assertThatThrownBy(() -> write(x -> {
            x.putRetraction(Q, key("d"), recent);
            throw new IllegalStateException("rolled back");
        })).hasMessageContaining("rolled back");
        assertThat(read((ExchangeStore x) -> drain(x.retractions(Q)))).isEmpty();
    }

    /**
     * Retracted copies are kept per peer, exactly as put, listed in key order, replaced by a later
     * copy of the same key, pruned by time together with the retraction records, and rolled back with
     * their transaction.
     */
    @Test
    void retractedCopiesAreKeptExactlyPerPeerAndPrunedWithTheRetractions() {
        Instant old = Instant.parse("2024-01-01T00:00:00Z");
        Instant recent = Instant.parse("2024-06-01T00:00:00Z");
        DataObject rich = Fixtures.rich(key("b"));
        write(x -> {
            x.putRetractedCopy(P, rich, old);
            x.putRetractedCopy(P, DataObject.builder(key("a")).set("N", Value.of(1L)).build(), recent);
            x.putRetractedCopy(Q, DataObject.builder(key("c")).set("N", Value.of(3L)).build(), old);
            x.putRetraction(Q, key("c"), old);
        });
        List<DataObject> copies = read((ExchangeStore x) -> drain(x.retractedCopies(P)));
        assertThat(copies).extracting(DataObject::key).containsExactly(key("a"), key("b"));
        Fixtures.assertExactly(copies.get(1), rich);
        assertThat(read((ExchangeStore x) -> drain(x.retractedCopies("nobody")))).isEmpty();

        DataObject later = DataObject.builder(key("b")).set("N", Value.of(2L)).build();
        write(x -> x.putRetractedCopy(P, later, recent)); // retracted again: the later copy and time count
        assertThat(count(x -> x.pruneRetractions(Instant.parse("2024-03-01T00:00:00Z"))))
                .as("Q's copy and Q's retraction record").isEqualTo(2);
        assertThat(read((ExchangeStore x) -> drain(x.retractedCopies(P)))).containsExactly(
                DataObject.builder(key("a")).set("N", Value.of(1L)).build(), later);
        assertThat(read((ExchangeStore x) -> drain(x.retractedCopies(Q)))).isEmpty();

        assertThatThrownBy(() -> write(x -> {
            x.putRetractedCopy(Q, later, recent);
            throw new IllegalStateException("rolled back");
        })).hasMessageContaining("rolled back");
        assertThat(read((ExchangeStore x) -> drain(x.retractedCopies(Q)))).isEmpty();
    }

    // ---- journal (R15)

    /** The journal returns entries in the order appended, whatever their times. */
    @Test
    void journalKeepsTheOrderOfAppending() {
        List<JournalEntry> entries = List.of(entry("2024-03-01T00:00:00Z", "third by time"),
                entry("2024-01-01T00:00:00Z", "first by time"), entry("2024-02-01T00:00:00Z", "second by time"));
        write(x -> x.appendJournal(entries.get(0)));
        write(x -> {
            x.appendJournal(entries.get(1));
            x.appendJournal(entries.get(2));
        });
        assertThat(read((ExchangeStore x) -> drain(x.journal()))).containsExactlyElementsOf(entries);
    }

    /** pruneJournal deletes the entries older than the instant, keeps the rest in order and says how many. */
    @Test
    void pruneJournalDeletesEntriesOlderThanTheInstant() {
        JournalEntry a = entry("2024-03-01T00:00:00Z", "a");
        JournalEntry b = entry("2024-01-01T00:00:00Z", "b");
        JournalEntry c = entry("2024-02-01T00:00:00Z", "c");
        JournalEntry d = entry("2024-01-15T00:00:00Z", "d");
        write(x -> List.of(a, b, c, d).forEach(x::appendJournal));
        assertThat(count(x -> x.pruneJournal(Instant.parse("2024-02-01T00:00:00Z")))).isEqualTo(2);
        assertThat(read((ExchangeStore x) -> drain(x.journal()))).containsExactly(a, c);
    }

    // ---- transactions

    /** A transaction reads its own uncommitted writes, streams included. */
    @Test
    void aTransactionReadsItsOwnWrites() {
        JournalEntry e = entry("2024-01-01T00:00:00Z", "own");
        try (StoreTransaction tx = storage.begin()) {
            ExchangeStore x = tx.exchange();
            x.putPeer(PeerState.initial(P).withLastAllocatedNo(3));
            x.putSentMessage(P, 3, new UUID(0, 3));
            x.register(P, key("b"), digest(1));
            x.register(P, key("a"), digest(1));
            x.numberUnsent(P, 3, 10);
            x.putTombstone(key("t"), Instant.EPOCH);
            x.appendJournal(e);
            tx.objects().put(item("o", "own"));

            assertThat(x.peer(P).lastAllocatedNo()).isEqualTo(3);
            assertThat(x.sentMessageId(P, 3)).contains(new UUID(0, 3));
            assertThat(drain(x.numbered(P))).extracting(Registration::key).containsExactly(key("a"), key("b"));
            assertThat(x.countSendable(P)).isEqualTo(2);
            assertThat(x.tombstone(key("t"))).contains(Instant.EPOCH);
            assertThat(drain(x.journal())).containsExactly(e);
            assertThat(tx.objects().get(key("o"))).contains(item("o", "own"));
        }
    }

    /** A transaction begun after another committed sees all of its writes, in both stores. */
    @Test
    void commitMakesEveryWriteVisibleToALaterTransaction() {
        State before = state();
        try (StoreTransaction tx = storage.begin()) {
            change(tx);
            tx.commit();
        }
        State after = state();
        assertThat(after).isNotEqualTo(before);
        assertThat(after.peer.lastAllocatedNo()).isEqualTo(9);
        assertThat(after.objects).contains(item("new", "new"));
    }

    /** Closing without commit undoes every registration change: creations, updates, numbering, deletions. */
    @Test
    void rollbackUndoesRegistrations() {
        seed();
        List<Object> before = registrationsState();
        try (StoreTransaction tx = storage.begin()) {
            changeRegistrations(tx.exchange());
            assertThat(registrationsState(tx.exchange())).isNotEqualTo(before);
        }
        assertThat(registrationsState()).isEqualTo(before);
    }

    /** Closing without commit undoes peer state and message id changes. */
    @Test
    void rollbackUndoesPeerStateAndSentMessageIds() {
        seed();
        State before = state();
        try (StoreTransaction tx = storage.begin()) {
            ExchangeStore x = tx.exchange();
            x.putPeer(x.peer(P).withLastAllocatedNo(9).withAckOwed(true));
            x.putPeer(PeerState.initial(Q).withLastLoaded(4, new UUID(4, 4)));
            x.putSentMessage(P, 3, new UUID(3, 3));
            x.putSentMessage(P, 2, new UUID(9, 9));
            x.pruneSentMessages(P, 2);
        }
        State after = state();
        assertThat(after.peer).isEqualTo(before.peer);
        assertThat(after.peerQ).isEqualTo(before.peerQ);
        assertThat(after.sentIds).isEqualTo(before.sentIds);
    }

    /** Closing without commit undoes tombstone changes. */
    @Test
    void rollbackUndoesTombstones() {
        seed();
        State before = state();
        try (StoreTransaction tx = storage.begin()) {
            ExchangeStore x = tx.exchange();
            x.putTombstone(key("t2"), Instant.EPOCH);
            x.putTombstone(key("t1"), Instant.EPOCH.plusSeconds(1));
            x.removeTombstone(key("t3"));
        }
        assertThat(state().tombstones).isEqualTo(before.tombstones);
    }

    /** Closing without commit undoes journal appends and prunes. */
    @Test
    void rollbackUndoesTheJournal() {
        seed();
        State before = state();
        try (StoreTransaction tx = storage.begin()) {
            ExchangeStore x = tx.exchange();
            x.pruneJournal(Instant.parse("2024-02-15T00:00:00Z"));
            x.appendJournal(entry("2025-01-01T00:00:00Z", "rolled back"));
            x.pruneJournal(Instant.parse("2024-01-15T00:00:00Z"));
        }
        assertThat(state().journal).isEqualTo(before.journal);
    }

    /** Closing without commit undoes everything in both stores together. */
    @Test
    void rollbackUndoesObjectsTogetherWithTheExchangeState() {
        seed();
        State before = state();
        try (StoreTransaction tx = storage.begin()) {
            change(tx);
        }
        assertThat(state()).isEqualTo(before);
    }

    /** Close after commit is a no-op that keeps the commit; close is idempotent. */
    @Test
    void closeAfterCommitKeepsTheCommitAndCloseIsIdempotent() {
        StoreTransaction tx = storage.begin();
        try {
            tx.exchange().register(P, key("a"), digest(1));
            tx.commit();
        } finally {
            tx.close();
            tx.close();
        }
        StoreTransaction rolledBack = storage.begin();
        try {
            rolledBack.exchange().register(P, key("b"), digest(1));
        } finally {
            rolledBack.close();
            rolledBack.close();
        }
        assertThat(read((ExchangeStore x) -> List.of(x.registration(P, key("a")).isPresent(),
                x.registration(P, key("b")).isPresent()))).containsExactly(true, false);
    }

    /** After commit, the transaction and the stores it handed out refuse every use. */
    @Test
    void useAfterCommitIsRefused() {
        StoreTransaction tx = storage.begin();
        ExchangeStore x;
        ObjectStore o;
        try {
            x = tx.exchange();
            o = tx.objects();
            tx.commit();
        } finally {
            tx.close();
        }
        assertRefused(tx, x, o);
    }

    /** After close, the transaction and the stores it handed out refuse every use. */
    @Test
    void useAfterCloseIsRefused() {
        StoreTransaction tx = storage.begin();
        ExchangeStore x;
        ObjectStore o;
        try {
            x = tx.exchange();
            o = tx.objects();
        } finally {
            tx.close();
        }
        assertRefused(tx, x, o);
    }

    // ---- concurrency

    /**
     * Another thread's transaction never sees this transaction's uncommitted writes, whether the
     * implementation makes it wait (it then reads after the rollback) or lets it read at once.
     */
    @Test
    @Timeout(30)
    void uncommittedWritesAreInvisibleToAnotherThread() throws Exception {
        seed();
        State before = state();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<State>> seen;
            try (StoreTransaction tx = storage.begin()) {
                change(tx);
                seen = reader.submit(this::stateOrNothing);
                awaitOrBlocked(seen);
            } // rolled back
            Optional<State> observed = seen.get(20, TimeUnit.SECONDS);
            observed.ifPresent(s -> assertThat(s).as("what another thread saw").isEqualTo(before));
        } finally {
            Fixtures.shutdown(reader);
        }
    }

    /**
     * A commit becomes visible to another thread all at once: a transaction running meanwhile sees
     * either none of its writes or all of them.
     */
    @Test
    @Timeout(30)
    void aCommitBecomesVisibleToAnotherThreadAllAtOnce() throws Exception {
        seed();
        State before = state();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<State>> seen;
            try (StoreTransaction tx = storage.begin()) {
                tx.exchange().putPeer(tx.exchange().peer(P).withLastAllocatedNo(9));
                seen = reader.submit(this::stateOrNothing);
                awaitOrBlocked(seen);
                change(tx);
                tx.commit();
            }
            State after = state();
            Optional<State> observed = seen.get(20, TimeUnit.SECONDS);
            observed.ifPresent(s -> assertThat(s).as("what another thread saw").isIn(before, after));
        } finally {
            Fixtures.shutdown(reader);
        }
    }

    /**
     * Threads that each increment a peer counter in their own transactions, retrying when the
     * storage reports a conflict, lose no update: the counter ends at threads × increments.
     */
    @Test
    @Timeout(60)
    protected void concurrentIncrementsLoseNoUpdate() throws Exception {
        int threads = 8;
        int increments = 200;
        AtomicLong retries = new AtomicLong();
        concurrently(threads, increments, () -> incrementWithRetry(retries));
        assertThat(read((ExchangeStore x) -> x.peer(P).lastAllocatedNo())).as("counter after %d retries", retries.get())
                .isEqualTo((long) threads * increments);
    }

    /**
     * Threads that each lock a key, read an object and write it back with a counter one higher, in
     * their own transactions (retrying when the storage reports a conflict), lose no update:
     * {@link ExchangeStore#lock} keeps them apart whatever the isolation level, also while the
     * object does not exist yet (R12: a conflict check never races a write of the same key).
     */
    @Test
    @Timeout(60)
    void readModifyWriteUnderAKeyLockLosesNoUpdate() throws Exception {
        int threads = 4;
        int increments = 50;
        AtomicLong retries = new AtomicLong();
        concurrently(threads, increments, () -> incrementObjectWithRetry(retries));
        try (StoreTransaction tx = storage.begin()) {
            assertThat(tx.objects().get(key("counter")).map(o -> o.get("N")))
                    .as("counter after %d retries", retries.get()).contains(Value.of((long) threads * increments));
        }
    }

    // ---- helpers

    private void incrementObjectWithRetry(AtomicLong retries) {
        for (int attempt = 0; ; attempt++) {
            try (StoreTransaction tx = storage.begin()) {
                tx.exchange().lock(key("counter"));
                long n = tx.objects().get(key("counter")).map(o -> ((Value.Int64) o.get("N")).value()).orElse(0L);
                Thread.yield(); // widen the read-modify-write window
                tx.objects().put(DataObject.builder(key("counter")).set("N", Value.of(n + 1)).build());
                tx.commit();
                return;
            } catch (StorageException e) {
                retries.incrementAndGet();
                if (attempt >= 1000) {
                    throw new AssertionError("an increment failed 1000 times in a row", e);
                }
            }
        }
    }

    private void incrementWithRetry(AtomicLong retries) {
        for (int attempt = 0; ; attempt++) {
            try (StoreTransaction tx = storage.begin()) {
                PeerState s = tx.exchange().peer(P);
                Thread.yield(); // widen the read-modify-write window: lost updates show up if isolation is missing
                tx.exchange().putPeer(s.withLastAllocatedNo(s.lastAllocatedNo() + 1));
                tx.commit();
                return;
            } catch (StorageException e) {
                retries.incrementAndGet();
                if (attempt >= 1000) {
                    throw new AssertionError("an increment failed 1000 times in a row", e);
                }
            }
        }
    }

    /** Waits for a reader thread to finish, or gives up after a while if the storage blocks it. */
    private static void awaitOrBlocked(Future<?> reader) throws InterruptedException {
        try {
            reader.get(Fixtures.BLOCKED_READER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException blocked) {
            // The storage makes the reader wait for this transaction: allowed.
        } catch (ExecutionException failed) {
            // Reported when the test reads the result.
        }
    }

    /** The whole state as another transaction sees it, or nothing if the storage refused with a conflict. */
    private Optional<State> stateOrNothing() {
        try {
            return Optional.of(state());
        } catch (StorageException conflict) {
            return Optional.empty();
        }
    }

    private static void assertRefused(StoreTransaction tx, ExchangeStore x, ObjectStore o) {
        assertThatThrownBy(tx::exchange).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(tx::objects).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(tx::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> x.peer(P)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> x.register(P, key("a"), digest(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> x.acknowledge(P, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> x.numbered(P).close()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> o.get(key("a"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> o.put(item("a", "late"))).isInstanceOf(IllegalStateException.class);
    }

    /** Commits a state with something of every kind, for rollback and isolation tests. */
    private void seed() {
        try (StoreTransaction tx = storage.begin()) {
            ExchangeStore x = tx.exchange();
            x.putPeer(PeerState.initial(P).withLastAllocatedNo(2).withLastLoaded(5, new UUID(5, 5)));
            x.putSentMessage(P, 1, new UUID(1, 1));
            x.putSentMessage(P, 2, new UUID(2, 2));
            for (String id : List.of("a", "b", "c", "d")) {
                x.register(P, key(id), digest(1));
            }
            x.numberUnsent(P, 1, 2); // a, b
            x.recordSent(P, key("a"), 1, digest(1));
            x.reject(P, key("c"));
            x.register(Q, key("a"), digest(2));
            x.putTombstone(key("t1"), Instant.parse("2024-01-01T00:00:00Z"));
            x.putTombstone(key("t3"), Instant.parse("2024-01-03T00:00:00Z"));
            x.appendJournal(entry("2024-02-01T00:00:00Z", "one"));
            x.appendJournal(entry("2024-01-01T00:00:00Z", "two"));
            x.appendJournal(entry("2024-03-01T00:00:00Z", "three"));
            tx.objects().put(item("x1", "one"));
            tx.objects().put(item("x2", "two"));
            tx.commit();
        }
    }

    /** Changes something of every kind, in both stores. */
    private void change(StoreTransaction tx) {
        ExchangeStore x = tx.exchange();
        x.putPeer(x.peer(P).withLastAllocatedNo(9));
        x.putSentMessage(P, 9, new UUID(9, 9));
        x.pruneSentMessages(P, 2);
        changeRegistrations(x);
        x.putTombstone(key("t2"), Instant.EPOCH);
        x.removeTombstone(key("t1"));
        x.appendJournal(entry("2025-01-01T00:00:00Z", "new"));
        x.pruneJournal(Instant.parse("2024-01-15T00:00:00Z"));
        tx.objects().put(item("new", "new"));
        tx.objects().put(item("x1", "changed"));
        tx.objects().delete(key("x2"));
    }

    private static void changeRegistrations(ExchangeStore x) {
        x.register(P, key("e"), digest(3)); // new row
        x.register(P, key("b"), digest(4)); // update: clears firstSentNo
        x.reject(P, key("d"));
        x.register(P, key("c"), digest(1)); // clears rejected
        x.numberUnsent(P, 3, 2);
        x.recordSent(P, key("a"), 3, digest(1));
        x.unnumber(P, 1);
        x.unregister(Q, key("a"));
        x.register(Q, key("q"), digest(1));
        x.acknowledge(P, 3);
    }

    private static final List<String> KNOWN_IDS = List.of("a", "b", "c", "d", "e", "q");

    private List<Object> registrationsState() {
        return read(this::registrationsState);
    }

    private List<Object> registrationsState(ExchangeStore x) {
        List<Object> s = new ArrayList<>();
        for (String peer : List.of(P, Q)) {
            for (String id : KNOWN_IDS) {
                s.add(x.registration(peer, key(id)));
            }
            s.add(x.countRegistrations(peer));
            s.add(x.countSendable(peer));
            s.add(drain(x.numbered(peer)));
        }
        return s;
    }

    /** Everything these tests can write, as one transaction reads it. */
    private State state() {
        try (StoreTransaction tx = storage.begin()) {
            ExchangeStore x = tx.exchange();
            List<Optional<UUID>> ids = new ArrayList<>();
            for (long no = 1; no <= 9; no++) {
                ids.add(x.sentMessageId(P, no));
            }
            List<Optional<Instant>> tombs = List.of(x.tombstone(key("t1")), x.tombstone(key("t2")),
                    x.tombstone(key("t3")));
            List<Optional<DataObject>> objs = new ArrayList<>();
            for (String id : List.of("new", "x1", "x2")) {
                objs.add(tx.objects().get(key(id)));
            }
            return new State(x.peer(P), x.peer(Q), ids, registrationsState(x), tombs, drain(x.journal()),
                    objs.stream().flatMap(Optional::stream).collect(Collectors.toList()));
        }
    }

    /** A comparable picture of the store. */
    private static final class State {
        final PeerState peer;
        final PeerState peerQ;
        final List<Optional<UUID>> sentIds;
        final List<Object> registrations;
        final List<Optional<Instant>> tombstones;
        final List<JournalEntry> journal;
        final List<DataObject> objects;

        State(PeerState peer, PeerState peerQ, List<Optional<UUID>> sentIds, List<Object> registrations,
                List<Optional<Instant>> tombstones, List<JournalEntry> journal, List<DataObject> objects) {
            this.peer = peer;
            this.peerQ = peerQ;
            this.sentIds = sentIds;
            this.registrations = registrations;
            this.tombstones = tombstones;
            this.journal = journal;
            this.objects = objects;
        }

        private List<Object> parts() {
            return List.of(peer, peerQ, sentIds, registrations, tombstones, journal, objects);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && parts().equals(s.parts());
        }

        @Override
        public int hashCode() {
            return parts().hashCode();
        }

        @Override
        public String toString() {
            return "State[peer=" + peer + ", peerQ=" + peerQ + ", sentIds=" + sentIds + ", registrations="
                    + registrations + ", tombstones=" + tombstones + ", journal=" + journal + ", objects=" + objects
                    + "]";
        }
    }

    /** "id=firstSentNo" for each id, "id=-" when the row is gone. */
    private List<String> firstSentNos(String peer, List<String> ids) {
        return read(x -> ids.stream().sorted()
                .map(id -> id + "=" + x.registration(peer, key(id)).map(r -> String.valueOf(r.firstSentNo())).orElse("-"))
                .collect(Collectors.toList()));
    }

    private static JournalEntry entry(String at, String detail) {
        return new JournalEntry(Instant.parse(at), JournalEntry.Kind.IMPORT, P, 1, 0, 0, 0, 0, detail,
                List.of(key("a")));
    }

    /** A step a thread repeats in {@link #concurrently}. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Runs {@code step} {@code times} times on each of {@code threads} threads, all released at once. */
    private static void concurrently(int threads, int times, Step step) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < times; i++) {
                        step.run();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    private void write(Consumer<ExchangeStore> work) {
        try (StoreTransaction tx = storage.begin()) {
            work.accept(tx.exchange());
            tx.commit();
        }
    }

    /** Runs one change in its own committed transaction and returns the count it reports. */
    private long count(ToLongFunction<ExchangeStore> work) {
        try (StoreTransaction tx = storage.begin()) {
            long result = work.applyAsLong(tx.exchange());
            tx.commit();
            return result;
        }
    }

    /** Runs one change in its own committed transaction and says whether it found what it changed. */
    private boolean found(Predicate<ExchangeStore> work) {
        try (StoreTransaction tx = storage.begin()) {
            boolean result = work.test(tx.exchange());
            tx.commit();
            return result;
        }
    }

    /** The key of a control item, of dibex's reserved kind. */
    private static ObjectKey controlKey(String id) {
        return ObjectKey.of("dibex.Control", id);
    }

    /** A control item shaped like a reconciliation's step: text, a binary field and a table. */
    private static DataObject control(String id, String step) {
        return DataObject.builder(ObjectKey.of("dibex.Control", id))
                .set("Run", Value.of("r1"))
                .set("Step", Value.of(step))
                .set("Entries", Value.binary(new byte[] {1, 0, (byte) 0xff}))
                .addRow("AskBack", Row.of("Kind", Value.of("Item"), "Id", Value.of(id)))
                .build();
    }

    private static ObjectKey run(String id) {
        return ObjectKey.of("dibex.Run", id);
    }

    private static DataObject run(String id, String state) {
        return DataObject.builder(run(id)).set("State", Value.of(state)).build();
    }

    /** The row of (peer, id), read in its own transaction. */
    private Optional<Registration> row(String peer, String id) {
        return read(x -> x.registration(peer, key(id)));
    }

    /** Reads in a transaction that is closed without commit. */
    private <T> T read(Function<ExchangeStore, T> work) {
        try (StoreTransaction tx = storage.begin()) {
            return work.apply(tx.exchange());
        }
    }
}
