package io.dibex.tck;

import static io.dibex.tck.Fixtures.assertExactly;
import static io.dibex.tck.Fixtures.drain;
import static io.dibex.tck.Fixtures.item;
import static io.dibex.tck.Fixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.StorageException;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link ObjectStore} as its javadoc states it: exact states (field order and
 * decimal scale included), batch reads, replacement, deletion, listing by kind in key order,
 * commit, rollback, use after the end of a transaction and isolation between threads.
 *
 * <p>Not checked: that an {@link io.dibex.ObjectRejectedException} thrown by the store reaches the
 * engine unchanged. Whether a host rejects an object is the host's own rule, which a generic
 * suite cannot provoke; the engine's tests cover what happens next.
 *
 * <p>To check an implementation, extend this class in a test and implement {@link #newStorage()}.
 * Every test uses a new storage, and closes every transaction and stream it opens. Objects are of
 * the kinds {@code Item}, {@code Item2}, {@code Ite}, {@code Item.Sub} and {@code Doc}; a host
 * store with a fixed schema must accept those kinds with any fields.
 */
public abstract class ObjectStoreContract {

    private Storage storage;

    /**
     * A new, empty storage for one test.
     *
     * @return the storage under test
     */
    protected abstract Storage newStorage();

    /**
     * Releases a storage made by {@link #newStorage()} after its test. Does nothing by default.
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

    /** get returns exactly the state put, within the transaction and after commit: field order and scale included. */
    @Test
    void getReturnsExactlyTheStatePut() {
        DataObject rich = Fixtures.rich(key("rich"));
        try (StoreTransaction tx = storage.begin()) {
            tx.objects().put(rich);
            assertExactly(tx.objects().get(key("rich")).orElseThrow(), rich);
            tx.commit();
        }
        assertExactly(read(o -> o.get(key("rich"))).orElseThrow(), rich);
    }

    /** Decimals that are equal in value but differ in scale are kept apart. */
    @Test
    void decimalScaleIsKept() {
        for (String n : List.of("1.5", "1.50", "1.500", "0", "0.00", "1E+2", "100")) {
            write(o -> o.put(DataObject.builder(key(n)).set("N", Value.of(new BigDecimal(n))).build()));
        }
        for (String n : List.of("1.5", "1.50", "1.500", "0", "0.00", "1E+2", "100")) {
            Value v = read(o -> o.get(key(n))).orElseThrow().get("N");
            assertThat(v).as("decimal %s", n).isEqualTo(Value.of(new BigDecimal(n)));
            assertThat(((Value.Decimal) v).value().scale()).as("scale of %s", n).isEqualTo(new BigDecimal(n).scale());
        }
    }

    /** get of a key never put, or of a kind never used, is empty. */
    @Test
    void getOfAMissingObjectIsEmpty() {
        write(o -> o.put(item("a", "a")));
        assertThat(stored(key("b"))).isEmpty();
        assertThat(stored(ObjectKey.of("Doc", "a"))).isEmpty();
    }

    /** getAll returns the present objects among the keys asked, by key, and nothing for the others. */
    @Test
    void getAllReturnsThePresentObjectsByKey() {
        write(o -> {
            o.put(item("a", "A"));
            o.put(item("b", "B"));
            o.put(item("c", "C"));
        });
        Map<ObjectKey, DataObject> found = read(o -> o.getAll(List.of(key("c"), key("x"), key("a"))));
        assertThat(found).containsOnly(Map.entry(key("a"), item("a", "A")), Map.entry(key("c"), item("c", "C")));
        assertThat(read((ObjectStore o) -> o.getAll(List.of()))).isEmpty();
    }

    /** put replaces the whole state: fields dropped, order changed, values changed. */
    @Test
    void putReplacesTheWholeState() {
        write(o -> o.put(Fixtures.rich(key("a"))));
        DataObject smaller = DataObject.builder(key("a"))
                .set("Price", Value.of(new BigDecimal("2.0")))
                .set("Code", Value.of("7"))
                .build();
        write(o -> o.put(smaller));
        assertExactly(read(o -> o.get(key("a"))).orElseThrow(), smaller);
    }

    /** delete removes the object and says whether it was present. */
    @Test
    void deleteRemovesTheObjectAndSaysWhetherItWasPresent() {
        write(o -> {
            o.put(item("a", "A"));
            o.put(item("b", "B"));
        });
        assertThat(commit(o -> o.delete(key("a")))).isTrue();
        assertThat(commit(o -> o.delete(key("a")))).isFalse();
        assertThat(stored(key("a"))).isEmpty();
        assertThat(stored(key("b"))).contains(item("b", "B"));
    }

    /**
     * list(kind) returns every object of that kind and no other, in {@link ObjectKey}'s natural
     * order (Java's {@link String#compareTo}: by UTF-16 code unit, case-sensitive), whatever the
     * order of insertion and including kinds whose names share a prefix.
     */
    @Test
    void listReturnsOnlyThatKindInKeyOrder() {
        List<String> ids = new ArrayList<>(List.of("10", "9", "B", "a", "A", " lead", "Я", "ё", "ж",
                "\uFFFD", "😀", "6f1c1e6e-7d3a-4c1b-9a51-0b8e2f4d5c6a", "a b", "a-b", "ab"));
        Collections.shuffle(ids, new Random(7));
        write(o -> {
            for (String id : ids) {
                o.put(item(id, "item " + id));
                o.put(DataObject.builder(ObjectKey.of("Item2", id)).set("Description", "item2").build());
                o.put(DataObject.builder(ObjectKey.of("Ite", id)).set("Description", "ite").build());
                o.put(DataObject.builder(ObjectKey.of("Item.Sub", id)).set("Description", "sub").build());
            }
        });
        List<ObjectKey> expected = new ArrayList<>(new TreeSet<>(ids.stream().map(Fixtures::key)
                .collect(Collectors.toList())));
        List<DataObject> listed = read(o -> drain(o.list("Item")));
        assertThat(listed).extracting(DataObject::key).containsExactlyElementsOf(expected);
        assertThat(listed).allSatisfy(d -> assertThat(d).isEqualTo(item(d.key().id(), "item " + d.key().id())));
    }

    /** list of a kind without objects is empty. */
    @Test
    void listOfAKindWithoutObjectsIsEmpty() {
        write(o -> o.put(item("a", "A")));
        assertThat(listed("Doc")).isEmpty();
    }

    /** list sees the transaction's own puts and deletes. */
    @Test
    void listSeesTheTransactionsOwnWrites() {
        write(o -> {
            o.put(item("a", "A"));
            o.put(item("b", "B"));
        });
        try (StoreTransaction tx = storage.begin()) {
            tx.objects().delete(key("a"));
            tx.objects().put(item("c", "C"));
            tx.objects().put(item("b", "B2"));
            assertThat(drain(tx.objects().list("Item"))).containsExactly(item("b", "B2"), item("c", "C"));
        }
    }

    /** A later transaction sees what an earlier one committed. */
    @Test
    void commitMakesChangesVisibleToALaterTransaction() {
        write(o -> o.put(item("a", "A")));
        write(o -> {
            o.put(item("b", "B"));
            o.delete(key("a"));
        });
        assertThat(listed("Item")).containsExactly(item("b", "B"));
    }

    /** Closing without commit undoes puts, replacements and deletions. */
    @Test
    void rollbackUndoesPutsReplacementsAndDeletions() {
        write(o -> {
            o.put(item("a", "A"));
            o.put(item("b", "B"));
        });
        try (StoreTransaction tx = storage.begin()) {
            ObjectStore o = tx.objects();
            o.put(item("c", "C"));
            o.put(item("a", "A2"));
            o.delete(key("b"));
            o.put(item("b", "B3"));
            o.delete(key("c"));
            o.put(item("d", "D"));
        }
        assertThat(listed("Item")).containsExactly(item("a", "A"), item("b", "B"));
    }

    /** After commit or close, the object store a transaction handed out refuses every use. */
    @Test
    void useAfterTheTransactionEndedIsRefused() {
        StoreTransaction committed = storage.begin();
        ObjectStore afterCommit;
        try {
            afterCommit = committed.objects();
            committed.commit();
        } finally {
            committed.close();
        }
        StoreTransaction closed = storage.begin();
        ObjectStore afterClose;
        try {
            afterClose = closed.objects();
        } finally {
            closed.close();
        }
        for (ObjectStore o : List.of(afterCommit, afterClose)) {
            assertThatThrownBy(() -> o.get(key("a"))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> o.put(item("a", "A"))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> o.delete(key("a"))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> o.list("Item").close()).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(committed::objects).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(closed::objects).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Another thread's transaction never sees uncommitted puts or deletions, whether the storage
     * makes it wait (it then reads after the rollback) or lets it read at once.
     */
    @Test
    @Timeout(30)
    void uncommittedWritesAreInvisibleToAnotherThread() throws Exception {
        write(o -> {
            o.put(item("a", "A"));
            o.put(item("b", "B"));
        });
        List<DataObject> before = read(o -> drain(o.list("Item")));
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<List<DataObject>>> seen;
            try (StoreTransaction tx = storage.begin()) {
                tx.objects().put(item("a", "uncommitted"));
                tx.objects().delete(key("b"));
                tx.objects().put(item("c", "uncommitted"));
                seen = reader.submit(this::listOrNothing);
                awaitOrBlocked(seen);
            }
            Optional<List<DataObject>> observed = seen.get(20, TimeUnit.SECONDS);
            observed.ifPresent(s -> assertThat(s).as("what another thread saw").isEqualTo(before));
        } finally {
            Fixtures.shutdown(reader);
        }
    }

    private Optional<List<DataObject>> listOrNothing() {
        try {
            return Optional.of(read(o -> drain(o.list("Item"))));
        } catch (StorageException conflict) {
            return Optional.empty();
        }
    }

    private static void awaitOrBlocked(Future<?> reader) throws InterruptedException {
        try {
            reader.get(Fixtures.BLOCKED_READER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException blocked) {
            // The storage makes the reader wait for this transaction: allowed.
        } catch (ExecutionException failed) {
            // Reported when the test reads the result.
        }
    }

    private void write(Consumer<ObjectStore> work) {
        try (StoreTransaction tx = storage.begin()) {
            work.accept(tx.objects());
            tx.commit();
        }
    }

    private boolean commit(Function<ObjectStore, Boolean> work) {
        try (StoreTransaction tx = storage.begin()) {
            boolean result = work.apply(tx.objects());
            tx.commit();
            return result;
        }
    }

    /** The object with this key, read in its own transaction. */
    private Optional<DataObject> stored(ObjectKey key) {
        return read(o -> o.get(key));
    }

    /** The objects of a kind, listed in their own transaction. */
    private List<DataObject> listed(String kind) {
        return read(o -> drain(o.list(kind)));
    }

    /** Reads in a transaction that is closed without commit. */
    private <T> T read(Function<ObjectStore, T> work) {
        try (StoreTransaction tx = storage.begin()) {
            return work.apply(tx.objects());
        }
    }
}
