package io.dibex.tck;

import io.dibex.ObjectRejectedException;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A storage wrapper that runs a test's action just before a chosen {@link #begin()}: the way to
 * slip a host write in between two transactions of the engine, such as an export's T1 and its
 * read (R3). It can also make the host refuse objects, as a host's constraint would (R6).
 */
public final class HookedStorage implements Storage {

    private final Storage delegate;
    private long countdown;
    private Runnable action;
    private volatile Predicate<DataObject> refuse = o -> false;

    /** Wraps {@code delegate}. */
    public HookedStorage(Storage delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * Runs {@code action} once, just before the {@code n}-th {@link #begin()} from now (1 = the next).
     * The action may itself begin transactions on this storage: they do not count.
     */
    public synchronized void beforeBegin(long n, Runnable action) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1: " + n);
        }
        this.countdown = n;
        this.action = Objects.requireNonNull(action, "action");
    }

    /**
     * Makes every {@code ObjectStore.put} of an object matching {@code refuse} throw
     * {@link ObjectRejectedException}, as a host constraint would.
     */
    public void refusePuts(Predicate<DataObject> refuse) {
        this.refuse = Objects.requireNonNull(refuse, "refuse");
    }

    /** The wrapped storage. */
    public Storage delegate() {
        return delegate;
    }

    @Override
    public StoreTransaction begin() {
        Runnable run = null;
        synchronized (this) {
            if (action != null && --countdown == 0) {
                run = action;
                action = null;
            }
        }
        if (run != null) {
            run.run();
        }
        StoreTransaction tx = delegate.begin();
        return new StoreTransaction() {
            @Override
            public ExchangeStore exchange() {
                return tx.exchange();
            }

            @Override
            public ObjectStore objects() {
                ObjectStore objects = tx.objects();
                return new ObjectStore() {
                    @Override
                    public Optional<DataObject> get(ObjectKey key) {
                        return objects.get(key);
                    }

                    @Override
                    public Map<ObjectKey, DataObject> getAll(
                            Collection<ObjectKey> keys) {
                        return objects.getAll(keys);
                    }

                    @Override
                    public void put(DataObject object) {
                        if (refuse.test(object)) {
                            throw new ObjectRejectedException(object.key(), "refused by the host's rule");
                        }
                        objects.put(object);
                    }

                    @Override
                    public boolean delete(ObjectKey key) {
                        return objects.delete(key);
                    }

                    @Override
                    public Stream<DataObject> list(String kind) {
                        return objects.list(kind);
                    }
                };
            }

            @Override
            public void commit() {
                tx.commit();
            }

            @Override
            public void close() {
                tx.close();
            }
        };
    }
}
