package io.dibex.xml.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.ImportResult;
import io.dibex.MalformedMessageException;
import io.dibex.codec.MessageCodec;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.OutgoingMessage;
import io.dibex.spi.Storage;
import io.dibex.spi.Transport;
import io.dibex.tck.Network;
import io.dibex.tck.NetworkConfig;
import io.dibex.tck.NodeState;
import io.dibex.tck.TestPlans;
import io.dibex.xml.XmlCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The file transport's own rules (SPEC §4): names, atomic hand-over, claims, the newest message per pair, safe unzip. */
class FileTransportTest {

    @TempDir
    Path folder;

    private FileTransport transport() {
        return FileTransport.builder(folder).build();
    }

    private static void send(Transport t, String from, String to, String text) {
        try (OutgoingMessage out = t.create(from, to)) {
            out.stream().write(text.getBytes(StandardCharsets.UTF_8));
            out.send();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(IncomingMessage m) {
        try (InputStream in = m.open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    @DisplayName("a message is Message_<from>_<to>.xml, and only once it is complete")
    void namingAndAtomicHandOver() throws IOException {
        FileTransport t = transport();
        OutgoingMessage out = t.create("Office", "Branch1");
        out.stream().write("<half".getBytes(StandardCharsets.UTF_8));
        assertThat(files()).singleElement().asString().startsWith("Message_Office_Branch1.xml.").endsWith(".tmp");
        assertThat(t.receive("Branch1")).as("a temporary file is never a message").isEmpty();

        out.stream().write("/>".getBytes(StandardCharsets.UTF_8));
        out.send();
        out.close();
        assertThat(files()).containsExactly("Message_Office_Branch1.xml");
        assertThat(Files.readString(folder.resolve("Message_Office_Branch1.xml"))).isEqualTo("<half/>");
        assertThat(FileTransport.fileName("Office", "Branch1", true)).isEqualTo("Message_Office_Branch1.zip");
    }

    @Test
    @DisplayName("a message closed unsent leaves no file behind")
    void closedUnsentLeavesNothing() throws IOException {
        FileTransport t = transport();
        try (OutgoingMessage out = t.create("A", "B")) {
            out.stream().write(1);
        }
        assertThat(files()).isEmpty();
    }

    @Test
    @DisplayName("the folder keeps only the newest message per (sender, recipient)")
    void newestPerPair() {
        FileTransport t = transport();
        send(t, "A", "B", "old");
        send(t, "A", "B", "new");
        send(t, "C", "B", "other sender");

        List<IncomingMessage> got = t.receive("B");
        assertThat(got).extracting(FileTransportTest::text).containsExactlyInAnyOrder("new", "other sender");
        got.forEach(IncomingMessage::commit);
    }

    @Test
    @DisplayName("a newer message renamed into place while the older one is being imported is not lost")
    void claimProtectsANewerMessage() throws IOException {
        FileTransport t = transport();
        send(t, "A", "B", "first");
        IncomingMessage claimed = t.receive("B").get(0);
        assertThat(files()).singleElement().asString().endsWith(".claimed");

        send(t, "A", "B", "second");
        claimed.commit();

        IncomingMessage next = t.receive("B").get(0);
        assertThat(text(next)).isEqualTo("second");
        next.commit();
        assertThat(files()).isEmpty();
    }

    @Test
    @DisplayName("a released message goes back, unless a newer one took its name: that one supersedes it")
    void releaseGivesBackUnlessSuperseded() {
        FileTransport t = transport();
        send(t, "A", "B", "first");
        t.receive("B").get(0).release();
        IncomingMessage again = t.receive("B").get(0);
        assertThat(text(again)).isEqualTo("first");

        send(t, "A", "B", "second");
        again.release();
        List<IncomingMessage> now = t.receive("B");
        assertThat(now).extracting(FileTransportTest::text).containsExactly("second");
        now.get(0).commit();
    }

    @Test
    @DisplayName("committed messages move to the archive folder when one is set")
    void archive() throws IOException {
        Path archive = folder.resolve("archive");
        FileTransport t = FileTransport.builder(folder.resolve("exchange")).archive(archive).build();
        send(t, "A", "B", "keep me");
        t.receive("B").get(0).commit();

        try (Stream<Path> s = Files.list(archive)) {
            List<Path> kept = s.collect(Collectors.toList());
            assertThat(kept).singleElement().satisfies(p -> {
                assertThat(p.getFileName().toString()).startsWith("Message_A_B.xml.");
                assertThat(Files.readString(p)).isEqualTo("keep me");
            });
        }
        try (Stream<Path> s = Files.list(folder.resolve("exchange"))) {
            assertThat(s.count()).isZero();
        }
    }

    @Test
    @DisplayName("recover() puts back what a crashed receiver had claimed")
    void recoverAfterACrash() throws IOException {
        FileTransport t = transport();
        send(t, "A", "B", "claimed before the crash");
        send(t, "A", "C", "for someone else");
        t.receive("B"); // the process dies here: neither commit nor release
        t.receive("C");

        assertThat(transport().recover("B")).isEqualTo(1);
        assertThat(files()).contains("Message_A_B.xml");
        IncomingMessage m = transport().receive("B").get(0);
        assertThat(text(m)).isEqualTo("claimed before the crash");
        m.commit();
        assertThat(files()).singleElement().asString().startsWith("Message_A_C.xml.").endsWith(".claimed");
    }

    @Test
    @DisplayName("zip files hold one entry named as the message and read back whole")
    void zipRoundTrip() throws IOException {
        FileTransport t = FileTransport.builder(folder).compress(true).build();
        StringBuilder b = new StringBuilder("<Message>");
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 100_000; i++) {
            b.append("Аспирин ").append(random.nextInt()).append(' ');
        }
        String big = b.append("</Message>").toString();
        send(t, "A", "B", big);
        assertThat(files()).containsExactly("Message_A_B.zip");

        IncomingMessage m = t.receive("B").get(0);
        assertThat(m.size()).isEqualTo(big.getBytes(StandardCharsets.UTF_8).length);
        assertThat(text(m)).isEqualTo(big);
        assertThat(text(m)).as("opens again").isEqualTo(big);
        m.commit();
    }

    @Test
    @DisplayName("a zip replaces an older .xml of the same pair and the other way round")
    void formsReplaceEachOther() throws IOException {
        send(transport(), "A", "B", "plain");
        send(FileTransport.builder(folder).compress(true).build(), "A", "B", "zipped");
        assertThat(files()).containsExactly("Message_A_B.zip");
        send(transport(), "A", "B", "plain again");
        assertThat(files()).containsExactly("Message_A_B.xml");
    }

    @Nested
    @DisplayName("unsafe zip files fail on the first read, naming the rule")
    class UnsafeZips {

        private byte[] zip(String... namesAndContents) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(bytes)) {
                for (int i = 0; i < namesAndContents.length; i += 2) {
                    z.putNextEntry(new ZipEntry(namesAndContents[i]));
                    z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                    z.closeEntry();
                }
            }
            return bytes.toByteArray();
        }

        private String failure(FileTransport t, byte[] zip) throws IOException {
            Files.write(folder.resolve("Message_A_B.zip"), zip);
            IncomingMessage m = t.receive("B").get(0);
            try (InputStream in = m.open()) {
                in.readAllBytes();
                throw new AssertionError("the zip was read");
            } catch (IOException e) {
                return e.getMessage();
            } finally {
                m.commit();
            }
        }

        @Test
        void twoEntries() throws IOException {
            assertThat(failure(transport(), zip("Message_A_B.xml", "<a/>", "other.xml", "<b/>")))
                    .contains("more than one entry");
        }

        @Test
        void noEntry() throws IOException {
            assertThat(failure(transport(), zip())).contains("holds no entry");
        }

        @ParameterizedTest
        @ValueSource(strings = {"../Message_A_B.xml", "/etc/passwd", "sub/Message_A_B.xml", "Message_A_C.xml",
                "..\\Message_A_B.xml"})
        void anEntryNotNamedAsTheMessage(String entry) throws IOException {
            assertThat(failure(transport(), zip(entry, "<a/>"))).contains("must hold exactly Message_A_B.xml");
        }

        @Test
        void moreThanMaxInflatedBytes() throws IOException {
            FileTransport t = FileTransport.builder(folder).maxInflatedBytes(1000).build();
            assertThat(failure(t, zip("Message_A_B.xml", "x".repeat(5000)))).contains("maxInflatedBytes");
        }

        @Test
        @DisplayName("a zip bomb trips the ratio while inflating")
        void aZipBomb() throws IOException {
            FileTransport t = FileTransport.builder(folder).maxInflateRatio(50).build();
            assertThat(failure(t, zip("Message_A_B.xml", "0".repeat(5_000_000)))).contains("inflates more than 50 times");
        }

        @Test
        @DisplayName("a size that the zip's directory understates is caught while inflating")
        void aLyingSize() throws IOException {
            byte[] honest = zip("Message_A_B.xml", "y".repeat(4000));
            // Patch the uncompressed size in the central directory (and the local header) to 40 bytes.
            byte[] lying = honest.clone();
            patchSizes(lying, 4000, 40);
            assertThat(failure(transport(), lying)).contains("more than the 40 bytes it declares");
        }

        private void patchSizes(byte[] zip, int from, int to) {
            byte[] f = {(byte) from, (byte) (from >> 8), (byte) (from >> 16), (byte) (from >> 24)};
            for (int i = 0; i + 4 <= zip.length; i++) {
                if (zip[i] == f[0] && zip[i + 1] == f[1] && zip[i + 2] == f[2] && zip[i + 3] == f[3]) {
                    zip[i] = (byte) to;
                    zip[i + 1] = (byte) (to >> 8);
                    zip[i + 2] = 0;
                    zip[i + 3] = 0;
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a_b", "../x", "x/y", "x\\y", "..", ".", ".hidden", "trailing.", "a..b", "nul\u0000",
            "CON", "con", "Nul.txt", "COM1", "lpt9", "COM¹", "a b", "a:b"})
    @DisplayName("a node name that cannot be part of a file name is refused")
    void nodeNamesAreChecked(String name) {
        FileTransport t = transport();
        assertThatThrownBy(() -> t.create(name, "B")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be part of a message file name");
        assertThatThrownBy(() -> t.create("A", name)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.receive(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Office", "Филиал-1", "B.2", "COM10", "CONSOLE", "a-b.c"})
    void plainNodeNamesAreAccepted(String name) {
        send(transport(), name, "B", "x");
        IncomingMessage m = transport().receive("B").get(0);
        assertThat(m.name()).isEqualTo("Message_" + name + "_B.xml");
        m.commit();
    }

    @Test
    @DisplayName("files of other names, other recipients, and names of invalid senders are left alone")
    void foreignFilesAreLeftAlone() throws IOException {
        for (String name : List.of("Message_A_C.xml", "Message__B.xml", "Message_a_b_B.xml", "message_A_B.xml",
                "Message_A_B.xml.bak", "readme.txt", "Message_A_B.json")) {
            Files.writeString(folder.resolve(name), "x");
        }
        assertThat(transport().receive("B")).isEmpty();
    }

    @Test
    @DisplayName("a message loaded again after it was imported is skipped and changes nothing (R5)")
    void aRedeliveredFileChangesNothing() throws IOException {
        Network net = new Network(TestPlans.trade(), config(folder.resolve("net")));
        net.put("C", TestPlans.item("A", "a", "1"));
        net.export("C", "B1").orElseThrow();
        Path file = folder.resolve("net").resolve("Message_C_B1.xml");
        byte[] copy = Files.readAllBytes(file);
        assertThat(net.deliver("B1")).extracting(ImportResult::status).containsExactly(ImportResult.Status.APPLIED);
        NodeState after = net.state("B1");

        Files.write(file, copy); // an operator copies the file in again
        assertThat(net.deliver("B1")).extracting(ImportResult::status)
                .containsExactly(ImportResult.Status.ALREADY_RECEIVED);
        assertThat(net.state("B1")).isEqualTo(after);
        assertThat(Files.exists(file)).as("removed after the duplicate was recognized").isFalse();
    }

    @Test
    @DisplayName("a malformed file stays in the folder for a later attempt, and nothing changes")
    void aMalformedFileStays() throws IOException {
        Network net = new Network(TestPlans.trade(), config(folder.resolve("net")));
        Path file = folder.resolve("net").resolve("Message_C_B1.xml");
        Files.writeString(file, "<v8msg:Message xmlns:v8msg=\"http://v8.1c.ru/messages\"><!DOCTYPE x>");
        NodeState before = net.state("B1");

        assertThat(net.deliver("B1")).isEmpty();
        assertThat(net.state("B1")).isEqualTo(before);
        assertThat(Files.exists(file)).isTrue();
        assertThatThrownBy(() -> net.node("B1").importMessage(FileTransport.builder(folder.resolve("net")).build()
                .receive("B1").get(0))).isInstanceOf(MalformedMessageException.class);
    }

    private static NetworkConfig config(Path exchange) {
        NetworkConfig memory = NetworkConfig.inMemory(XmlCodec.v8msg());
        return new NetworkConfig() {
            @Override
            public String name() {
                return "files/xml-v8msg";
            }

            @Override
            public Storage newStorage(String node) {
                return memory.newStorage(node);
            }

            @Override
            public Storage copy(Storage storage) {
                return memory.copy(storage);
            }

            @Override
            public Transport newTransport() {
                return FileTransport.builder(exchange).build();
            }

            @Override
            public MessageCodec codec() {
                return memory.codec();
            }
        };
    }
}
