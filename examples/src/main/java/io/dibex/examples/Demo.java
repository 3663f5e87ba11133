package io.dibex.examples;

import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.ImportResult;
import io.dibex.Node;
import io.dibex.ObjectKind;
import io.dibex.jdbc.JdbcStorage;
import io.dibex.memory.InMemoryTransport;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import io.dibex.spi.PeerState;
import io.dibex.spi.Transport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The main demo: an office and two branches exchange catalog items and sales documents, and the
 * demo prints every message that moves with its number and what it acknowledged.
 *
 * <p>Each node keeps its state in an embedded H2 database, {@code <node>.mv.db} in the data folder
 * ({@code dibex-data} in the working directory, or {@code -Ddibex.demo.dir=...}). A second run
 * continues where the first stopped: message numbers go on. {@code -Ddibex.demo.fresh=true}
 * deletes the folder's databases first.
 */
public final class Demo implements AutoCloseable {

    private final PrintStream out;
    private final Path dataDir;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<Connection> open = new ArrayList<>();

    Demo(PrintStream out, Path dataDir, boolean fresh) {
        this.out = out;
        this.dataDir = dataDir.toAbsolutePath();
        ExchangePlan plan = ExchangePlan.builder("Pharmacy")
                .central("Office")
                .node("Branch1", "Office")
                .node("Branch2", "Office")
                .kind(ObjectKind.catalog("Goods")
                        .field("Description", ValueType.STRING)
                        .field("Price", ValueType.DECIMAL)
                        .build())
                .kind(ObjectKind.document("Sale")
                        .field("Date", ValueType.DATE_TIME)
                        .field("Branch", ValueType.STRING)
                        .field("Total", ValueType.DECIMAL)
                        .build())
                .build();
        try {
            if (fresh) {
                deleteDatabases();
            }
            Files.createDirectories(this.dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the demo's data folder " + this.dataDir, e);
        }
        // Every change waiting at the end of a run stays registered in the databases, so messages in
        // memory are enough: a message lost with the process is covered by the next one (R5).
        Transport mail = new InMemoryTransport();
        for (String name : plan.nodes()) {
            H2Files db = H2Files.in(this.dataDir, name);
            try {
                open.add(db.open());
            } catch (SQLException e) {
                close();
                throw new IllegalStateException("cannot open the H2 database " + db + " of node " + name + ": "
                        + e.getMessage(), e);
            }
            JdbcStorage storage = JdbcStorage.builder(db, plan.name(), name).build();
            nodes.put(name, Node.builder(plan, name).storage(storage).transport(mail).build());
        }
    }

    /**
     * Runs the demo on standard output, with the databases in {@code -Ddibex.demo.dir} (default
     * {@code dibex-data}), deleted first if {@code -Ddibex.demo.fresh=true}.
     */
    public static void main(String[] args) {
        Path dir = Path.of(System.getProperty("dibex.demo.dir", "dibex-data"));
        try (Demo demo = new Demo(System.out, dir, Boolean.getBoolean("dibex.demo.fresh"))) {
            demo.run();
        }
    }

    /** Closes the nodes' databases. */
    @Override
    public void close() {
        SQLException failure = null;
        for (Connection c : open) {
            try {
                c.close();
            } catch (SQLException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        open.clear();
        if (failure != null) {
            throw new IllegalStateException("cannot close the demo's databases: " + failure.getMessage(), failure);
        }
    }

    private void deleteDatabases() throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dataDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".mv.db") || name.endsWith(".trace.db") || name.endsWith(".lock.db")) {
                    Files.delete(f);
                }
            }
        }
    }

    void run() {
        out.println("dibex demo: an office and two branches, plan Pharmacy");
        out.println("Each node's H2 database is in " + dataDir + " (run again to continue; start afresh with"
                + " -Ddibex.demo.fresh=true or by deleting the folder).");
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            for (String peer : e.getValue().neighbours()) {
                PeerState p = e.getValue().peerState(peer);
                out.printf("  %-8s -> %-8s last message sent #%d; last loaded from %s #%d%n", e.getKey(), peer,
                        p.lastAllocatedNo(), peer, p.lastLoadedNo());
            }
        }
        out.println();
        out.println("The office adds two goods to the catalog.");
        write("Office", goods("aspirin", "Aspirin 500 mg", "4.20"));
        write("Office", goods("bandage", "Elastic bandage", "2.75"));
        round();

        out.println("Branch1 sells aspirin; Branch2 sells a bandage; the office raises a price.");
        write("Branch1", sale("sale-1-1", "Branch1", "aspirin", 3, "12.60"));
        write("Branch2", sale("sale-2-1", "Branch2", "bandage", 1, "2.75"));
        write("Office", goods("aspirin", "Aspirin 500 mg", "4.50"));
        round();
        out.println("Each message carries every change its recipient has not acknowledged yet; rounds go on");
        out.println("until every change is acknowledged and nothing is left to send.");
        int rounds = 1;
        while (round() > 0) {
            if (++rounds > 50) {
                throw new IllegalStateException("the network is still exchanging after 50 rounds: it should be quiet"
                        + " after a few; see the journal of each node");
            }
        }
        out.println("Quiet after " + rounds + " more rounds: no registration is left at any node.");
        out.println();

        out.println("What each node holds now:");
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            List<String> held = e.getValue().inTransaction(tx -> List.of(
                    describe(tx.get(ObjectKey.of("Goods", "aspirin"))),
                    describe(tx.get(ObjectKey.of("Goods", "bandage"))),
                    describe(tx.get(ObjectKey.of("Sale", "sale-1-1"))),
                    describe(tx.get(ObjectKey.of("Sale", "sale-2-1")))));
            out.printf("  %-8s %s%n", e.getKey(), String.join("; ", held));
        }
    }

    private int round() {
        int moved = 0;
        for (Node node : nodes.values()) {
            for (String peer : node.neighbours()) {
                Optional<ExportResult> sent = node.exportTo(peer);
                if (sent.isPresent()) {
                    ExportResult r = sent.get();
                    moved++;
                    out.printf("  %-8s -> %-8s message #%d acknowledges #%d: %d states, %d deletions, %d bytes%n",
                            node.name(), peer, r.messageNo(), r.receivedNo(), r.upserts(), r.deletions(), r.bytes());
                }
            }
        }
        for (Node node : nodes.values()) {
            for (ImportResult r : node.importAll()) {
                out.printf("  %-8s <- %-8s loaded #%d: %d objects applied, %d registrations acknowledged%n",
                        node.name(), r.peer(), r.messageNo(), r.applied(), r.acknowledged());
            }
        }
        if (moved > 0) {
            out.println();
        }
        return moved;
    }

    private void write(String node, DataObject object) {
        nodes.get(node).inTransaction(tx -> {
            tx.put(object);
            return null;
        });
        out.println("  " + node + " writes " + object.key());
    }

    private static DataObject goods(String code, String description, String price) {
        return DataObject.builder(ObjectKey.of("Goods", code))
                .set("Description", description)
                .set("Price", Value.of(new BigDecimal(price)))
                .build();
    }

    private static DataObject sale(String id, String branch, String goods, long qty, String total) {
        return DataObject.builder(ObjectKey.of("Sale", id))
                .set("Date", Value.of(LocalDateTime.of(2026, 11, 25, 10, 0)))
                .set("Branch", branch)
                .set("Total", Value.of(new BigDecimal(total)))
                .addRow("Lines", Row.of("Goods", Value.ref(ObjectKey.of("Goods", goods)), "Qty", Value.of(qty)))
                .build();
    }

    private static String describe(Optional<DataObject> object) {
        if (object.isEmpty()) {
            return "-";
        }
        DataObject o = object.get();
        Value price = o.get("Price");
        return o.key().id() + (price instanceof Value.Decimal d ? " @" + d.value().toPlainString() : "");
    }
}
