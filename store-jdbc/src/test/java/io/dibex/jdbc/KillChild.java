package io.dibex.jdbc;

import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.ImportResult;
import io.dibex.Node;
import io.dibex.ObjectKind;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.PeerState;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import io.dibex.xml.XmlCodec;
import io.dibex.xml.file.FileTransport;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The branch node of {@link ProcessKillTest}, run in a JVM of its own, once per round: it opens its
 * H2 file, imports what the office sent, makes a few host writes and exports to the
 * office. It prints one line per store call, so that the test can choose where to kill it:
 * <pre>
 * STATE sent=&lt;n&gt; loaded=&lt;n&gt;        counters to the office when opened
 * PHASE &lt;phase&gt;                      import, write or export begins
 * CALL &lt;phase&gt; &lt;k&gt; &lt;method&gt; open=&lt;t&gt;  before the k-th store call of the phase; t transactions open
 * KILLPOINT &lt;phase&gt; &lt;k&gt; open=&lt;t&gt;     the chosen call: with pause, the child waits there to be killed
 * COMMITTED &lt;id&gt;                     a host write of the pair id-a, id-b (and "shared") committed
 * EXPORTED &lt;n&gt;                       message n was handed to the transport
 * DONE &lt;phase&gt; &lt;calls&gt;               the phase ended after that many store calls
 * END
 * </pre>
 * Arguments: the database file, the exchange folder, the round, the phase to kill in (or
 * {@code none}), the call to kill at, {@code pause} or {@code run}, and the number of host writes.
 */
final class KillChild {

    static final String PLAN = "Kill";
    static final String OFFICE = "Office";
    static final String BRANCH = "Branch";
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    private final String killPhase;
    private final long killAt;
    private final boolean pause;
    private JdbcStorage jdbc;
    private String phase = "open";
    private long calls;

    private final int writes;

    private KillChild(String killPhase, long killAt, boolean pause, int writes) {
        this.killPhase = killPhase;
        this.killAt = killAt;
        this.pause = pause;
        this.writes = writes;
    }

    static ExchangePlan plan() {
        return ExchangePlan.builder(PLAN)
                .central(OFFICE)
                .node(BRANCH, OFFICE)
                .kind(ObjectKind.catalog("Item").field("N", ValueType.LONG).build())
                .build();
    }

    /**
     * The database's URL. {@code WRITE_DELAY=0}: H2 otherwise writes committed transactions to the
     * file up to half a second later, and a killed process loses them (this test found it).
     */
    static String url(Path db) {
        return "jdbc:h2:file:" + db.toAbsolutePath() + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0";
    }

    static DataObject item(String id, long n) {
        return DataObject.builder(ObjectKey.of("Item", id)).set("N", Value.of(n)).build();
    }

    public static void main(String[] args) throws Exception {
        new KillChild(args[3], Long.parseLong(args[4]), args[5].equals("pause"), Integer.parseInt(args[6]))
                .run(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(args[2]));
    }

    private void run(Path db, Path exchange, int round) throws Exception {
        JdbcConnectionPool pool = H2.pool(url(db));
        jdbc = JdbcStorage.builder(pool, PLAN, BRANCH).build();
        FileTransport transport = FileTransport.builder(exchange).build();
        // A claimed message left by a killed import goes back in place first.
        transport.recover(BRANCH);
        Node node = Node.builder(plan(), BRANCH).storage(counting(jdbc)).transport(transport).codec(XmlCodec.v8msg())
                .build();
        PeerState office = node.peerState(OFFICE);
        OUT.println("STATE sent=" + office.lastAllocatedNo() + " loaded=" + office.lastLoadedNo());

        begin("import");
        List<ImportResult> loaded = node.importAll();
        end();
        OUT.println("IMPORTED " + loaded.size());

        begin("write");
        for (int j = 0; j < writes; j++) {
            String id = "b-" + round + "-" + j;
            long n = round * 100L + j;
            node.inTransaction(tx -> {
                tx.put(item(id + "-a", n));
                tx.put(item("shared", n));
                tx.put(item(id + "-b", n));
                return null;
            });
            OUT.println("COMMITTED " + id);
        }
        end();

        begin("export");
        Optional<ExportResult> sent = node.exportTo(OFFICE);
        end();
        sent.ifPresent(r -> OUT.println("EXPORTED " + r.messageNo()));
        OUT.println("END");
        H2.shutdown(pool);
    }

    private void begin(String phase) {
        this.phase = phase;
        calls = 0;
        OUT.println("PHASE " + phase);
    }

    private void end() {
        OUT.println("DONE " + phase + " " + calls);
        phase = "between";
    }

    /** Called before every store call. */
    private void before(String method) {
        calls++;
        int open = jdbc.openTransactions();
        OUT.println("CALL " + phase + " " + calls + " " + method + " open=" + open);
        if (phase.equals(killPhase) && calls == killAt) {
            OUT.println("KILLPOINT " + phase + " " + calls + " open=" + open);
            while (pause) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The storage, its transactions and their stores, each call announced to {@link #before}. */
    private Storage counting(Storage storage) {
        return () -> {
            before("Storage.begin");
            return wrap(StoreTransaction.class, storage.begin());
        };
    }

    private <T> T wrap(Class<T> type, T target) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(target, args);
            }
            before(type.getSimpleName() + "." + method.getName());
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result instanceof ExchangeStore e) {
                return wrap(ExchangeStore.class, e);
            }
            if (result instanceof ObjectStore o) {
                return wrap(ObjectStore.class, o);
            }
            return result;
        });
        return type.cast(proxy);
    }
}
