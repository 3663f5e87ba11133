package io.dibex.tck;

import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.util.Objects;

/**
 * A storage wrapper that runs a test's action just before a chosen {@link #begin()}: the way to
 * slip a host write in between two transactions of the engine, such as an export's T1 and its
 * read (R3).
 */
public final class HookedStorage implements Storage {

    private final Storage delegate;
    private long countdown;
    private Runnable action;

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
        return delegate.begin();
    }
}
