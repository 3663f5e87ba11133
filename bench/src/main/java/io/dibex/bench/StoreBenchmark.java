package io.dibex.bench;

import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.ImportResult;
import io.dibex.Node;
import io.dibex.ObjectKind;
import io.dibex.codec.MessageCodec;
import io.dibex.codec.ObjectBytes;
import io.dibex.jdbc.JdbcStorage;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.xml.file.FileTransport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The H2 store's throughput (issue 5): a node registers {@code n} changes by host writes, exports
 * them to its neighbour in one message, and the neighbour's acknowledgment deletes them; each phase
 * in rows per second, against plain JDBC over the same database in the same run (batch inserts of
 * the same rows, a streaming select of them, one ranged delete): the ceiling of any store on it.
 *
 * <p>Runs in a JVM of its own, started by {@link Main} with {@code -Xmx256m}; prints the report's
 * Markdown on standard output and its progress on standard error.
 */
public final class StoreBenchmark {

    private static final int WRITES_PER_TRANSACTION = 1000;
    private static final int BATCH = 512;
    private static final ExchangePlan PLAN = ExchangePlan.builder("Bench")
            .central("Office")
            .node("Branch1", "Office")
            .kind(ObjectKind.catalog("Item")
                    .field("Code", ValueType.STRING)
                    .field("Description", ValueType.STRING)
                    .field("Price", ValueType.DECIMAL)
                    .build())
            .build();

    private StoreBenchmark() {
    }

    /**
     * Runs it.
     *
     * @param args the number of changes, and a folder for the databases and the message (emptied)
     * @throws Exception when a phase fails or its count is wrong
     */
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]).toAbsolutePath();
        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();

        // A short run on databases of its own first, so that the measured run finds the code compiled.
        progress("warm-up: 50,000 changes");
        run(Math.min(n, 50_000), dir.resolve("warmup"));
        peak.set(0);
        progress("measured run: " + n + " changes");
        Figures f = run(n, dir.resolve("run"));

        long maxHeap = Runtime.getRuntime().maxMemory();
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "%n### H2 store, %,d changes (file mode, -Xmx256m)%n%n", n));
        r.append(String.format(Locale.ROOT, "Max heap %,d bytes, peak in use %.1f MB (sampled every 10 ms); %s, %d"
                + " processors. The message: %,d bytes, binary codec, through a file transport.%n%n", maxHeap,
                peak.get() / 1e6, System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors(),
                f.messageBytes));
        r.append("| phase | rows | s | rows/s | ceiling: plain JDBC, same database | rows/s | ratio |\n");
        r.append("|---|---:|---:|---:|---|---:|---:|\n");
        row(r, "register (host writes, " + WRITES_PER_TRANSACTION + " a transaction)", n, f.register,
                "batch inserts of the same rows", f.plainInsert);
        row(r, "export (one message)", n, f.export, "streaming select of the same rows", f.plainSelect);
        row(r, "export (one message)", n, f.export, "the export's three passes: number all, select, record each by key",
                f.plainNumber + f.plainSelect + f.plainRecord);
        row(r, "acknowledge (delete the registrations)", n, f.acknowledge, "one ranged delete", f.plainDelete);
        r.append(String.format(Locale.ROOT, "| import at the neighbour (reference) | %,d | %.2f | %,.0f |  |  |  |%n",
                n, f.importSeconds, n / f.importSeconds));
        System.out.print(r);
    }

    /** The seconds each phase took. */
    private static final class Figures {
        double register;
        double export;
        double importSeconds;
        double acknowledge;
        double plainInsert;
        double plainSelect;
        double plainDelete;
        double plainNumber;
        double plainRecord;
        long messageBytes;
    }

    private static Figures run(int n, Path dir) throws Exception {
        deleteTree(dir);
        Files.createDirectories(dir);
        Figures f = new Figures();
        JdbcConnectionPool officeDb = pool(dir.resolve("office"));
        JdbcConnectionPool branchDb = pool(dir.resolve("branch"));
        try {
            FileTransport transport = FileTransport.builder(dir.resolve("exchange")).build();
            Node office = Node.builder(PLAN, "Office").storage(JdbcStorage.builder(officeDb, "Bench", "Office").build())
                    .transport(transport).codec(MessageCodec.binary()).build();
            Node branch = Node.builder(PLAN, "Branch1").storage(JdbcStorage.builder(branchDb, "Bench", "Branch1")
                    .build()).transport(transport).codec(MessageCodec.binary()).build();

            long start = System.nanoTime();
            for (int from = 0; from < n; from += WRITES_PER_TRANSACTION) {
                int first = from;
                int last = Math.min(n, from + WRITES_PER_TRANSACTION);
                office.inTransaction(tx -> {
                    for (int i = first; i < last; i++) {
                        tx.put(item(i));
                    }
                    return null;
                });
            }
            f.register = seconds(start);
            progress(String.format(Locale.ROOT, "register: %.2f s", f.register));

            start = System.nanoTime();
            ExportResult sent = office.exportTo("Branch1").orElseThrow();
            f.export = seconds(start);
            check(sent.upserts(), n, "exported");
            f.messageBytes = sent.bytes();
            progress(String.format(Locale.ROOT, "export: %.2f s, %,d bytes", f.export, sent.bytes()));

            start = System.nanoTime();
            List<ImportResult> loaded = branch.importAll();
            f.importSeconds = seconds(start);
            check(loaded.size() == 1 ? loaded.get(0).applied() : -1, n, "imported");
            progress(String.format(Locale.ROOT, "import: %.2f s", f.importSeconds));
            branch.exportTo("Office").orElseThrow();

            start = System.nanoTime();
            List<ImportResult> acks = office.importAll();
            f.acknowledge = seconds(start);
            check(acks.size() == 1 ? acks.get(0).acknowledged() : -1, n, "acknowledged");
            check(office.pendingRegistrations("Branch1"), 0, "left registered");
            progress(String.format(Locale.ROOT, "acknowledge: %.2f s", f.acknowledge));

            plain(officeDb, n, f);
        } finally {
            shutdown(officeDb);
            shutdown(branchDb);
        }
        return f;
    }

    /**
     * The ceiling on the office's database: the rows a registration writes (the object's bytes and
     * the registration's key, digest and numbers), inserted in batches of 512 with a commit every
     * 1000 changes; numbered by one statement; read back in key order with a cursor, every column,
     * as an export reads a registration and its object; recorded as sent by key in batches of 512;
     * then deleted by one statement, as an acknowledgment deletes a range. Values are of the same
     * sizes as dibex's (bytes from the first item's encoding); the tables have only their primary
     * keys, where dibex's registration table also has three indexes.
     */
    private static void plain(JdbcConnectionPool db, int n, Figures f) throws SQLException {
        byte[] bytes = ObjectBytes.encode(item(0));
        byte[] digest = PLAN.digest(item(0)).bytes();
        try (Connection c = db.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE plain_object (kind VARCHAR(128), id VARCHAR(512), bytes VARBINARY,"
                        + " PRIMARY KEY (kind, id))");
                s.execute("CREATE TABLE plain_registration (peer VARCHAR(128), kind VARCHAR(128), id VARCHAR(512),"
                        + " digest VARBINARY(32), first_sent_no BIGINT, last_sent_no BIGINT, last_sent_digest"
                        + " VARBINARY(32), PRIMARY KEY (peer, kind, id))");
            }
            c.setAutoCommit(false);
            long start = System.nanoTime();
            try (PreparedStatement o = c.prepareStatement("INSERT INTO plain_object VALUES (?, ?, ?)");
                    PreparedStatement r = c.prepareStatement("INSERT INTO plain_registration VALUES (?, ?, ?, ?, ?,"
                            + " 0, NULL)")) {
                for (int i = 0; i < n; i++) {
                    String id = id(i);
                    o.setString(1, "Item");
                    o.setString(2, id);
                    o.setBytes(3, bytes);
                    o.addBatch();
                    r.setString(1, "Branch1");
                    r.setString(2, "Item");
                    r.setString(3, id);
                    r.setBytes(4, digest);
                    r.setLong(5, 0);
                    r.addBatch();
                    if ((i + 1) % BATCH == 0 || i + 1 == n) {
                        o.executeBatch();
                        r.executeBatch();
                    }
                    if ((i + 1) % WRITES_PER_TRANSACTION == 0 || i + 1 == n) {
                        c.commit();
                    }
                }
            }
            f.plainInsert = seconds(start);
            progress(String.format(Locale.ROOT, "plain insert: %.2f s", f.plainInsert));

            // As an export's first transaction numbers the unsent rows, in one statement.
            start = System.nanoTime();
            try (PreparedStatement s = c.prepareStatement("UPDATE plain_registration SET first_sent_no = 1"
                    + " WHERE peer = ? AND first_sent_no = 0")) {
                s.setString(1, "Branch1");
                check(s.executeUpdate(), n, "numbered");
            }
            c.commit();
            f.plainNumber = seconds(start);
            progress(String.format(Locale.ROOT, "plain numbering: %.2f s", f.plainNumber));

            start = System.nanoTime();
            long rows = 0;
            long sum = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT r.kind, r.id, r.digest, r.first_sent_no, o.bytes"
                    + " FROM plain_registration r JOIN plain_object o ON o.kind = r.kind AND o.id = r.id"
                    + " WHERE r.peer = ? ORDER BY r.kind, r.id")) {
                s.setFetchSize(BATCH);
                s.setString(1, "Branch1");
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        sum += rs.getString(1).length() + rs.getString(2).length() + rs.getBytes(3).length
                                + rs.getLong(4) + rs.getBytes(5).length;
                        rows++;
                    }
                }
            }
            c.commit();
            f.plainSelect = seconds(start);
            check(rows, n, "selected (" + sum + ")");
            progress(String.format(Locale.ROOT, "plain select: %.2f s", f.plainSelect));

            // As an export records, per row carried, the number and the digest it wrote: by key, batched.
            start = System.nanoTime();
            try (PreparedStatement u = c.prepareStatement("UPDATE plain_registration SET last_sent_no = ?,"
                    + " last_sent_digest = ? WHERE peer = ? AND kind = ? AND id = ?")) {
                for (int i = 0; i < n; i++) {
                    u.setLong(1, 1);
                    u.setBytes(2, digest);
                    u.setString(3, "Branch1");
                    u.setString(4, "Item");
                    u.setString(5, id(i));
                    u.addBatch();
                    if ((i + 1) % BATCH == 0 || i + 1 == n) {
                        u.executeBatch();
                    }
                }
            }
            c.commit();
            f.plainRecord = seconds(start);
            progress(String.format(Locale.ROOT, "plain record: %.2f s", f.plainRecord));

            start = System.nanoTime();
            try (PreparedStatement s = c.prepareStatement("DELETE FROM plain_registration WHERE peer = ?"
                    + " AND first_sent_no BETWEEN 1 AND ?")) {
                s.setString(1, "Branch1");
                s.setLong(2, 1);
                check(s.executeUpdate(), n, "deleted");
            }
            c.commit();
            f.plainDelete = seconds(start);
            progress(String.format(Locale.ROOT, "plain delete: %.2f s", f.plainDelete));
        }
    }

    private static DataObject item(int i) {
        return DataObject.builder(ObjectKey.of("Item", id(i)))
                .set("Code", "C" + i)
                .set("Description", "Item number " + i + ", a box of 20")
                .set("Price", Value.of(BigDecimal.valueOf(100 + i % 10_000, 2)))
                .build();
    }

    private static String id(int i) {
        return String.format(Locale.ROOT, "item-%08d", i);
    }

    private static JdbcConnectionPool pool(Path file) {
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + file + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0",
                "sa", "");
        pool.setMaxConnections(8);
        return pool;
    }

    private static void shutdown(JdbcConnectionPool db) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } finally {
            db.dispose();
        }
    }

    private static void row(StringBuilder r, String phase, int n, double s, String ceiling, double ceilingSeconds) {
        r.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %s (%.2f s) | %,.0f | **%.2f** |%n", phase, n, s,
                n / s, ceiling, ceilingSeconds, n / ceilingSeconds, ceilingSeconds / s));
    }

    private static void check(long actual, long expected, String what) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": " + actual + " rows, expected " + expected);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void progress(String what) {
        System.err.println("[store] " + what);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
