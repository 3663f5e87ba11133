package io.dibex.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.dibex.memory.InMemoryStorage;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.Registration;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The TCK is itself checked (SPEC §2): run against deliberately broken storages, the exchange
 * store contract must fail, and in the tests that check what each one breaks. A control run with
 * a storage that only forwards shows that the wrappers alone break nothing.
 *
 * <p>The contract runs through JUnit's {@link EngineTestKit} on static nested subclasses, which
 * surefire does not run on its own.
 */
class BrokenStoresTest {

    @Test
    void aStorageThatOnlyForwardsPassesEveryTest() {
        Events tests = run(Forwarding.class);
        assertThat(failedNames(tests)).isEmpty();
        assertThat(tests.succeeded().count()).isEqualTo(tests.started().count()).isGreaterThan(30);
    }

    @Test
    void aStorageThatKeepsWritesOnCloseWithoutCommitFailsTheRollbackTests() {
        Events tests = run(LosesRollback.class);
        assertThat(failedNames(tests)).contains(
                "rollbackUndoesRegistrations",
                "rollbackUndoesPeerStateAndSentMessageIds",
                "rollbackUndoesTombstones",
                "rollbackUndoesTheJournal",
                "rollbackUndoesObjectsTogetherWithTheExchangeState",
                "closeAfterCommitKeepsTheCommitAndCloseIsIdempotent");
        assertThat(succeededNames(tests)).contains("acknowledgeKeepsRowsNumberedAfterKAndUnsentRows",
                "concurrentIncrementsLoseNoUpdate");
    }

    @Test
    void aStorageWhoseAcknowledgmentIgnoresFirstSentNoFailsTheAcknowledgmentTests() {
        Events tests = run(IgnoresFirstSentNo.class);
        assertThat(failedNames(tests)).contains(
                "acknowledgeDeletesRowsFirstSentUpToK",
                "acknowledgeKeepsRowsNumberedAfterKAndUnsentRows",
                "acknowledgeKeepsRowsChangedSinceTheyWereLastSent",
                "acknowledgeOfZeroDeletesNothing");
        assertThat(succeededNames(tests)).contains("acknowledgeKeepsRejectedRows", "acknowledgeTouchesOnlyThatPeer",
                "rollbackUndoesRegistrations", "uncommittedWritesAreInvisibleToAnotherThread");
    }

    @Test
    void aStorageWithoutIsolationFailsTheIsolationAndLostUpdateTests() {
        Events tests = run(NoIsolation.class);
        assertThat(failedNames(tests)).contains(
                "uncommittedWritesAreInvisibleToAnotherThread",
                "aCommitBecomesVisibleToAnotherThreadAllAtOnce",
                "concurrentIncrementsLoseNoUpdate");
        assertThat(succeededNames(tests)).contains("numberUnsentNumbersTheFirstCapUnsentRowsInKeyOrder",
                "acknowledgeKeepsRowsNumberedAfterKAndUnsentRows");
    }

    // ---- the storages under test

    /** Control: forwards every call unchanged. */
    static class Forwarding extends ExchangeStoreContract {
        @Override
        protected Storage newStorage() {
            InMemoryStorage inner = new InMemoryStorage();
            return () -> forward(StoreTransaction.class, inner.begin(), (tx, m, a) -> forwardStores(m, call(tx, m, a)));
        }
    }

    /** Broken: close() without commit() commits instead of rolling back. */
    static class LosesRollback extends ExchangeStoreContract {
        @Override
        protected Storage newStorage() {
            InMemoryStorage inner = new InMemoryStorage();
            return () -> {
                StoreTransaction tx = inner.begin();
                boolean[] ended = {false};
                return forward(StoreTransaction.class, tx, (t, m, a) -> {
                    if (m.getName().equals("close") && !ended[0]) {
                        ended[0] = true;
                        t.commit(); // the bug: keeps what should be rolled back
                        return null;
                    }
                    if (m.getName().equals("commit")) {
                        Object r = call(t, m, a);
                        ended[0] = true;
                        return r;
                    }
                    return call(t, m, a);
                });
            };
        }
    }

    /** Broken: an acknowledgment deletes every numbered row, whatever its firstSentNo. */
    static class IgnoresFirstSentNo extends ExchangeStoreContract {
        @Override
        protected Storage newStorage() {
            InMemoryStorage inner = new InMemoryStorage();
            return () -> forward(StoreTransaction.class, inner.begin(), (tx, m, a) -> {
                if (!m.getName().equals("exchange")) {
                    return call(tx, m, a);
                }
                return forward(ExchangeStore.class, tx.exchange(), (x, xm, xa) -> {
                    if (!xm.getName().equals("acknowledge")) {
                        return call(x, xm, xa);
                    }
                    String peer = (String) xa[0];
                    List<ObjectKey> numbered;
                    try (Stream<Registration> rows = x.numbered(peer)) {
                        numbered = rows.map(Registration::key).collect(Collectors.toList());
                    }
                    numbered.forEach(k -> x.unregister(peer, k)); // the bug: firstSentNo is not compared with k
                    return numbered.size() + x.acknowledge(peer, (Long) xa[1]);
                });
            });
        }
    }

    /**
     * Broken: no isolation. Every call runs in its own transaction of the inner storage and commits
     * at once, so other threads see writes before commit and nothing is ever rolled back.
     */
    static class NoIsolation extends ExchangeStoreContract {
        @Override
        protected Storage newStorage() {
            InMemoryStorage inner = new InMemoryStorage();
            return () -> {
                boolean[] ended = {false};
                ExchangeStore x = autoCommit(inner, ExchangeStore.class, StoreTransaction::exchange, ended);
                ObjectStore o = autoCommit(inner, ObjectStore.class, StoreTransaction::objects, ended);
                return new StoreTransaction() {
                    @Override
                    public ExchangeStore exchange() {
                        check(ended);
                        return x;
                    }

                    @Override
                    public ObjectStore objects() {
                        check(ended);
                        return o;
                    }

                    @Override
                    public void commit() {
                        check(ended);
                        ended[0] = true;
                    }

                    @Override
                    public void close() {
                        ended[0] = true;
                    }
                };
            };
        }

        private static <T> T autoCommit(InMemoryStorage inner, Class<T> type, Function<StoreTransaction, T> store,
                boolean[] ended) {
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
                if (m.getDeclaringClass() == Object.class) {
                    return m.invoke(inner, a);
                }
                check(ended);
                try (StoreTransaction tx = inner.begin()) {
                    Object result = call(store.apply(tx), m, a);
                    if (result instanceof Stream<?> s) {
                        try (s) {
                            result = s.collect(Collectors.toList()).stream();
                        }
                    }
                    tx.commit();
                    return result;
                }
            }));
        }

        private static void check(boolean[] ended) {
            if (ended[0]) {
                throw new IllegalStateException("transaction ended");
            }
        }
    }

    // ---- plumbing

    /** What a forwarding proxy does with one call. */
    @FunctionalInterface
    private interface Call<T> {
        Object handle(T target, Method method, Object[] args) throws Throwable;
    }

    private static <T> T forward(Class<T> type, T target, Call<T> call) {
        InvocationHandler handler = (proxy, method, args) -> method.getDeclaringClass() == Object.class
                ? method.invoke(target, args)
                : call.handle(target, method, args);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /** Wraps the stores a transaction hands out in forwarding proxies too. */
    private static Object forwardStores(Method method, Object result) {
        if (result instanceof ExchangeStore x) {
            return forward(ExchangeStore.class, x, BrokenStoresTest::call);
        }
        if (result instanceof ObjectStore o) {
            return forward(ObjectStore.class, o, BrokenStoresTest::call);
        }
        return result;
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Events run(Class<? extends ExchangeStoreContract> contract) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
    }

    private static Set<String> failedNames(Events tests) {
        return names(tests.failed());
    }

    private static Set<String> succeededNames(Events tests) {
        return names(tests.succeeded());
    }

    private static Set<String> names(Events events) {
        return events.stream().map(BrokenStoresTest::methodName).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String methodName(Event e) {
        return e.getTestDescriptor().getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(MethodSource::getMethodName).orElse(e.getTestDescriptor().getDisplayName());
    }
}
