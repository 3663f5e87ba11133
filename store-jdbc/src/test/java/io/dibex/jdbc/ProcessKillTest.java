package io.dibex.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.ImportResult;
import io.dibex.Node;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.PeerState;
import io.dibex.spi.StoreTransaction;
import io.dibex.xml.XmlCodec;
import io.dibex.xml.file.FileTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A branch node whose process is killed (SIGKILL, {@link Process#destroyForcibly()}) during an
 * import, an export or a host write, and restarted on the same H2 file: nothing committed is lost,
 * nothing half-done is visible, no message number is given twice (R1), and the next rounds
 * converge with the office. The branch runs in child JVMs ({@link KillChild}); the office runs
 * here; messages travel as files in a shared folder, so they survive the kill.
 *
 * <p>Kill points are chosen from the child's own count of store calls per phase, measured by a
 * first run and updated by every later one. Half the kills make the child wait at the chosen call
 * (so the kill lands exactly there, often inside an open transaction); the other half kill it as
 * soon as the test reads that call's line while the child runs on (so the kill lands anywhere just
 * after it, inside the database's own writes too). {@code -Ddibex.kill.runs=n} sets the number of
 * kills (12 in the build; {@code dibex.soak.runs / 10} under {@code -Psoak}), {@code
 * -Ddibex.kill.seed} the seed.
 */
class ProcessKillTest {

    private static final List<String> PHASES = List.of("import", "write", "export");
    private static final int WRITES = 4;

    @TempDir
    Path dir;

    private Path branchDb;
    private Path exchange;
    private final Map<String, Integer> callsPerPhase = new HashMap<>();
    private final Set<String> branchCommitted = new LinkedHashSet<>();
    private final Set<String> officeWritten = new LinkedHashSet<>();
    private long lastSentByBranch;
    private long lastLoadedByBranch;
    private final List<String> log = new ArrayList<>();

    @Test
    @DisplayName("a node killed during an import, an export and a host write loses nothing committed, shows"
            + " nothing half-done, reuses no number, and converges after restart (H2 file)")
    void killedNodeRecovers() throws Exception {
        long soak = Long.getLong("dibex.soak.runs", 0);
        int kills = Integer.getInteger("dibex.kill.runs", soak > 0 ? (int) (soak / 10) : 12);
        long seed = Long.getLong("dibex.kill.seed", 20261125L);
        try {
            run(kills, seed);
        } catch (AssertionError | Exception e) {
            throw new AssertionError("kill test seed " + seed + " (replay with -Ddibex.kill.seed=" + seed + "): "
                    + e.getMessage() + "\nlast lines:\n" + String.join("\n", log.subList(Math.max(0, log.size()
                    - 40), log.size())), e);
        }
    }

    private void run(int kills, long seed) throws Exception {
        branchDb = dir.resolve("branch");
        exchange = dir.resolve("exchange");
        Random random = new Random(seed);
        JdbcConnectionPool officeDb = H2.pool(KillChild.url(dir.resolve("office")));
        try {
            JdbcStorage officeStore = JdbcStorage.builder(officeDb, KillChild.PLAN, KillChild.OFFICE).build();
            Node office = Node.builder(KillChild.plan(), KillChild.OFFICE).storage(officeStore)
                    .transport(FileTransport.builder(exchange).build()).codec(XmlCodec.v8msg()).build();

            int round = 0;
            officeRound(office, round, true);
            Child first = child(++round, "none", 0, false, WRITES);
            assertThat(first.killed).isFalse();
            officeRound(office, round, true);

            int landed = 0;
            Map<String, Integer> insideTransaction = new TreeMap<>();
            for (int i = 0; i < kills; i++) {
                String phase = PHASES.get(i % PHASES.size());
                boolean pause = (i / PHASES.size()) % 2 == 0;
                int at = 1 + random.nextInt(callsPerPhase.get(phase));
                Child c = child(++round, phase, at, pause, WRITES);
                if (c.killed) {
                    landed++;
                    // Only a paused child is known to have been killed exactly at the call it reported.
                    if (pause && c.openAtKill > 0) {
                        insideTransaction.merge(phase, 1, Integer::sum);
                    }
                }
                checkBranch();
                officeRound(office, round, true);
            }

            // Faults stop: rounds go on until neither side has anything to send.
            int quiet = 0;
            for (int r = 0; r < 10 && quiet < 2; r++) {
                Child c = child(++round, "none", 0, false, 0);
                boolean moved = c.exported || c.imported > 0;
                moved |= officeRound(office, round, false);
                quiet = moved ? 0 : quiet + 1;
            }
            System.out.println("ProcessKillTest: seed " + seed + ", " + kills + " kills, " + landed + " landed, inside an"
                    + " open transaction " + insideTransaction + ", " + round + " rounds");
            assertThat(quiet).as("rounds after the last kill reach quiet").isEqualTo(2);
            assertThat(landed).as("kills that landed").isGreaterThanOrEqualTo(kills * 2 / 3);
            assertThat(insideTransaction).as("kills inside an open store transaction, per phase")
                    .containsKeys(PHASES.toArray(new String[0]));

            Map<ObjectKey, DataObject> atOffice = objects(officeStore);
            Map<ObjectKey, DataObject> atBranch = branchObjects();
            assertThat(atBranch).as("branch and office hold the same objects").isEqualTo(atOffice);
            for (String id : branchCommitted) {
                assertThat(atOffice).as("the branch's committed write " + id + " reached the office")
                        .containsKeys(ObjectKey.of("Item", id + "-a"), ObjectKey.of("Item", id + "-b"));
            }
            for (String id : officeWritten) {
                assertThat(atBranch).as("the office's write " + id + " reached the branch")
                        .containsKey(ObjectKey.of("Item", id));
            }
            assertThat(office.pendingRegistrations(KillChild.BRANCH)).isZero();
            H2.checkClosed(officeStore);
        } finally {
            H2.shutdown(officeDb);
        }
    }

    /**
     * One round at the office: import; if {@code write}, one write of its own and one of the shared
     * item; export. Whether anything moved.
     */
    private boolean officeRound(Node office, int round, boolean write) {
        List<ImportResult> loaded = office.importAll();
        String id = "o-" + round;
        if (write) {
            office.inTransaction(tx -> {
                tx.put(KillChild.item(id, round));
                tx.put(KillChild.item("shared", 100_000L + round));
                return null;
            });
            officeWritten.add(id);
        }
        boolean sent = office.exportTo(KillChild.BRANCH).isPresent();
        return sent || !loaded.isEmpty();
    }

    /** What a child run did. */
    private static final class Child {
        boolean killed;
        int openAtKill = -1;
        boolean exported;
        int imported;
    }

    private Child child(int round, String killPhase, int killAt, boolean pause, int writes) throws Exception {
        Path err = dir.resolve("child-" + round + ".err");
        // C1 only and the serial collector: the child lives a second, so it should start fast.
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                KillChild.class.getName(), branchDb.toString(), exchange.toString(), Integer.toString(round), killPhase,
                Integer.toString(killAt), pause ? "pause" : "run", Integer.toString(writes));
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        log.add("# round " + round + ": kill in " + killPhase + " at call " + killAt + (pause ? " (pause)" : ""));
        Child c = new Child();
        boolean ended = false;
        boolean killing = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                String[] w = line.split(" ");
                switch (w[0]) {
                    case "STATE" -> {
                        long sent = Long.parseLong(w[1].substring("sent=".length()));
                        long loaded = Long.parseLong(w[2].substring("loaded=".length()));
                        log.add(line);
                        assertThat(sent).as("the branch's last number sent survives restarts (R1)")
                                .isGreaterThanOrEqualTo(lastSentByBranch);
                        assertThat(loaded).as("the branch's last number loaded survives restarts (R5)")
                                .isGreaterThanOrEqualTo(lastLoadedByBranch);
                        lastSentByBranch = sent;
                        lastLoadedByBranch = loaded;
                    }
                    case "KILLPOINT" -> {
                        log.add(line);
                        c.openAtKill = Integer.parseInt(w[3].substring("open=".length()));
                        p.destroyForcibly();
                        killing = true;
                    }
                    case "DONE" -> {
                        log.add(line);
                        if (!killing) {
                            callsPerPhase.put(w[1], Integer.parseInt(w[2]));
                        }
                    }
                    case "COMMITTED" -> {
                        log.add(line);
                        branchCommitted.add(w[1]);
                    }
                    case "EXPORTED" -> {
                        log.add(line);
                        c.exported = true;
                        lastSentByBranch = Math.max(lastSentByBranch, Long.parseLong(w[1]));
                    }
                    case "IMPORTED" -> {
                        log.add(line);
                        c.imported = Integer.parseInt(w[1]);
                    }
                    case "END" -> ended = true;
                    default -> {
                        // CALL and PHASE lines only pace the kill
                    }
                }
                if (killing) {
                    break;
                }
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child of round " + round + " did not end");
        }
        // A child that ran on after the chosen call may have finished before the kill reached it.
        c.killed = killing && p.exitValue() != 0;
        if (!killing) {
            assertThat(ended && p.exitValue() == 0).as("the child of round " + round + " ended normally; stderr: "
                    + Files.readString(err)).isTrue();
        }
        return c;
    }

    /**
     * Opens the killed branch's file here: it opens; every committed write is there; each write's
     * pair is there whole or not at all; and a restarted store has no transaction open.
     */
    private void checkBranch() throws IOException {
        Map<ObjectKey, DataObject> held = branchObjects();
        for (String id : branchCommitted) {
            assertThat(held).as("committed write " + id + " survives the kill")
                    .containsKeys(ObjectKey.of("Item", id + "-a"), ObjectKey.of("Item", id + "-b"));
        }
        Set<String> pairs = held.keySet().stream().map(ObjectKey::id).filter(id -> id.startsWith("b-"))
                .map(id -> id.substring(0, id.length() - 2)).collect(Collectors.toSet());
        for (String id : pairs) {
            assertThat(held.containsKey(ObjectKey.of("Item", id + "-a")) == held.containsKey(ObjectKey.of("Item",
                    id + "-b"))).as("write " + id + " is there whole or not at all").isTrue();
            DataObject a = held.get(ObjectKey.of("Item", id + "-a"));
            DataObject b = held.get(ObjectKey.of("Item", id + "-b"));
            assertThat(a.get("N")).as("the pair of write " + id + " was written together").isEqualTo(b.get("N"));
        }
    }

    private Map<ObjectKey, DataObject> branchObjects() {
        JdbcConnectionPool db = H2.pool(KillChild.url(branchDb));
        try {
            JdbcStorage store = JdbcStorage.builder(db, KillChild.PLAN, KillChild.BRANCH).build();
            Map<ObjectKey, DataObject> held = objects(store);
            try (StoreTransaction tx = store.begin()) {
                PeerState p = tx.exchange().peer(KillChild.OFFICE);
                assertThat(p.lastAllocatedNo()).as("no number handed over is lost (R1)")
                        .isGreaterThanOrEqualTo(lastSentByBranch);
            }
            H2.checkClosed(store);
            return held;
        } finally {
            H2.shutdown(db);
        }
    }

    private static Map<ObjectKey, DataObject> objects(JdbcStorage store) {
        try (StoreTransaction tx = store.begin(); Stream<DataObject> all = tx.objects().list("Item")) {
            return all.collect(Collectors.toMap(DataObject::key, o -> o, (a, b) -> a, TreeMap::new));
        }
    }
}
