package io.dibex.tck;

import io.dibex.StorageException;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A {@link Storage} that counts every call made through it and can fail exactly one of them: a
 * fake for crash tests ("a store that can fail at its n-th call", SPEC §6's crashes at any store
 * call).
 *
 * <p>Every method call on this storage, on the transactions it begins and on the
 * {@link ExchangeStore} and {@link ObjectStore} they hand out counts one, whatever the method (new
 * SPI methods included). A stream counts one, when the call that opens it is made; reading or
 * closing it counts nothing. {@link #failAt(long) failAt(n)} makes the n-th call from then on throw
 * {@link StorageException} {@code "injected failure at call <number>: <method>"} instead of being
 * performed, once, where {@code <number>} is the count {@link #calls()} reports for that call. An
 * injected failure of {@link StoreTransaction#close()} still closes the wrapped transaction, so that
 * it rolls back as a real database does when its connection breaks, and then throws.
 *
 * <p>Thread-safe: counting and injection are atomic, so with several threads exactly one call
 * fails, though which thread makes it is up to the scheduler.
 */
public final class FailingStorage implements Storage {

    private static final long NONE = 0;

    private final Storage delegate;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failAt = new AtomicLong(NONE);
    private final AtomicLong failures = new AtomicLong();
    private volatile Trace trace;

    /** What {@link #trace} reports. */
    private record Trace(String label, ObjectKey key, Consumer<String> sink) {
    }

    /**
     * Wraps a storage.
     *
     * @param delegate the storage that performs the calls
     */
    public FailingStorage(Storage delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * Begins a transaction of the wrapped storage (one call), wrapped to count its calls.
     *
     * @throws StorageException when this call is the one chosen to fail, or the wrapped storage fails
     */
    @Override
    public StoreTransaction begin() {
        count("Storage.begin");
        return wrap(StoreTransaction.class, delegate.begin());
    }

    /**
     * Makes the {@code n}-th call from now on fail, once; replaces an injection not yet fired.
     *
     * @param n 1 for the very next call
     */
    public void failAt(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("failAt counts calls from 1 (the next call), got " + n);
        }
        failAt.set(calls.get() + n);
    }

    /**
     * The number of calls counted since creation or the last {@link #reset()}.
     *
     * @return the count, the failed call included
     */
    public long calls() {
        return calls.get();
    }

    /**
     * Whether an injection is armed and has not fired yet.
     *
     * @return true between {@link #failAt} and the failure it causes
     */
    public boolean failurePending() {
        return failAt.get() != NONE;
    }

    /**
     * The number of injected failures that fired since creation; {@link #reset()} keeps it.
     *
     * @return how many calls failed by injection
     */
    public long failures() {
        return failures.get();
    }

    /**
     * Reports every call from now on whose arguments name {@code key} (the key itself, or an object
     * of that key) to {@code sink}, as {@code [label] method[arguments] -> result}: a way to follow
     * one object through the stores of a failing run. A null key stops the reports.
     *
     * @param label the name that starts each report, such as the node's
     * @param key the object to follow, or null
     * @param sink where the reports go
     */
    public void trace(String label, ObjectKey key, Consumer<String> sink) {
        this.trace = key == null ? null : new Trace(Objects.requireNonNull(label, "label"), key,
                Objects.requireNonNull(sink, "sink"));
    }

    /** Zeroes the call count and disarms any injection not yet fired. */
    public void reset() {
        failAt.set(NONE);
        calls.set(0);
    }

    @Override
    public String toString() {
        return "FailingStorage[calls=" + calls.get() + (failurePending() ? ", fails at call " + failAt.get() : "")
                + ", " + delegate + "]";
    }

    private void count(String method) {
        long n = calls.incrementAndGet();
        if (failAt.compareAndSet(n, NONE)) {
            failures.incrementAndGet();
            throw new StorageException("injected failure at call " + n + ": " + method);
        }
    }

    private static boolean names(Object[] args, ObjectKey key) {
        for (Object a : args) {
            if (key.equals(a) || a instanceof DataObject o && key.equals(o.key())) {
                return true;
            }
        }
        return false;
    }

    private <T> T wrap(Class<T> type, T target) {
        return type.cast(Proxy.newProxyInstance(FailingStorage.class.getClassLoader(), new Class<?>[] {type},
                new Counting(type, target)));
    }

    /** Counts and forwards the calls of one transaction or store, wrapping the stores it hands out. */
    private final class Counting implements InvocationHandler {
        private final Class<?> type;
        private final Object target;

        Counting(Class<?> type, Object target) {
            this.type = type;
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                switch (method.getName()) {
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    default:
                        return "FailingStorage." + type.getSimpleName() + "[" + target + "]";
                }
            }
            try {
                count(type.getSimpleName() + "." + method.getName());
            } catch (StorageException injected) {
                if (target instanceof StoreTransaction tx && method.getName().equals("close")) {
                    tx.close(); // a broken connection still rolls back
                }
                throw injected;
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            Trace t = trace;
            if (t != null && args != null && names(args, t.key)) {
                t.sink.accept("[" + t.label + "] " + method.getName() + Arrays.toString(args) + " -> "
                        + (result instanceof Stream<?> ? "a stream" : result));
            }
            if (result instanceof ExchangeStore x) {
                return wrap(ExchangeStore.class, x);
            }
            if (result instanceof ObjectStore o) {
                return wrap(ObjectStore.class, o);
            }
            return result;
        }
    }
}
