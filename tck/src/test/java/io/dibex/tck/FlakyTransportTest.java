package io.dibex.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.spi.OutgoingMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FlakyTransportTest {

    @Test
    void dropNextDropsExactlyTheNextMessageOfThatPair() {
        FlakyTransport t = FlakyTransport.builder().build();
        t.dropNext("a", "b");
        send(t, "a", "b", "m1");
        send(t, "c", "b", "m2");
        send(t, "a", "b", "m3");
        assertThat(receive(t, "b")).containsExactly("m2", "m3");
        assertThat(t.drops()).isOne();
    }

    @Test
    void duplicateNextDeliversTheNextMessageTwice() {
        FlakyTransport t = FlakyTransport.builder().build();
        t.duplicateNext("a", "b");
        send(t, "a", "b", "m1");
        send(t, "a", "b", "m2");
        assertThat(receive(t, "b")).containsExactly("m1", "m1", "m2");
        assertThat(t.duplicates()).isOne();
    }

    @Test
    void reverseNextReversesTheNextReceiveOfTwoOrMoreAndCountsAReorder() {
        FlakyTransport t = FlakyTransport.builder().build();
        t.reverseNext("b");
        send(t, "a", "b", "m1");
        assertThat(receive(t, "b")).as("one message: nothing to reverse, still pending").containsExactly("m1");
        send(t, "a", "b", "m2");
        send(t, "c", "b", "m3");
        assertThat(receive(t, "b")).containsExactly("m3", "m2");
        send(t, "a", "b", "m4");
        send(t, "a", "b", "m5");
        assertThat(receive(t, "b")).as("only the next").containsExactly("m4", "m5");
        assertThat(t.reorders()).isOne();
    }

    @Test
    void holdNextHoldsTheNextMessageUntilReleaseHeld() {
        FlakyTransport t = FlakyTransport.builder().build();
        t.holdNext("a", "b");
        send(t, "a", "b", "m1");
        send(t, "a", "b", "m2");
        assertThat(receive(t, "b")).containsExactly("m2");
        for (int i = 0; i < 10; i++) {
            assertThat(receive(t, "b")).as("a scripted hold waits for releaseHeld()").isEmpty();
        }
        assertThat(t.heldCount()).isOne();
        assertThat(t.releaseHeld()).isOne();
        assertThat(receive(t, "b")).containsExactly("m1");
        assertThat(t.holds()).isOne();
        assertThat(t.heldCount()).isZero();
    }

    @Test
    void scriptedFatesApplyInTheOrderScriptedAndOnlyToTheirPair() {
        FlakyTransport t = FlakyTransport.builder().build();
        t.dropNext("a", "b");
        t.duplicateNext("a", "b");
        t.holdNext("b", "a");
        send(t, "b", "a", "x");
        send(t, "a", "b", "m1");
        send(t, "a", "b", "m2");
        send(t, "a", "b", "m3");
        assertThat(receive(t, "b")).containsExactly("m2", "m2", "m3");
        assertThat(receive(t, "a")).isEmpty();
        assertThat(List.of(t.drops(), t.duplicates(), t.holds(), t.reorders())).containsExactly(1L, 1L, 1L, 0L);
    }

    @Test
    void aMessageHeldAtRandomArrivesWithinMaxHoldReceivesAfterLaterOnes() {
        for (long seed = 0; seed < 20; seed++) {
            FlakyTransport t = FlakyTransport.builder().seed(seed).holdRate(1.0).maxHoldReceives(3).build();
            send(t, "a", "b", "held");
            t.faults(false);
            send(t, "a", "b", "later");
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                got.addAll(receive(t, "b"));
            }
            assertThat(got).as("seed %d", seed).containsExactly("later", "held");
        }
    }

    @Test
    void faultsOffStopsRandomFaultsButNotScriptedOnes() {
        FlakyTransport t = FlakyTransport.builder().dropRate(1.0).build();
        send(t, "a", "b", "lost");
        t.faults(false);
        send(t, "a", "b", "kept");
        t.dropNext("a", "b");
        send(t, "a", "b", "scripted");
        assertThat(receive(t, "b")).containsExactly("kept");
        assertThat(t.drops()).isEqualTo(2);
    }

    @Test
    void randomFaultsAllFireAndEveryMessageIsAccountedFor() {
        long seed = 42;
        FlakyTransport t = faulty(seed);
        Run run = drive(t, seed);
        assertThat(List.of(t.drops(), t.duplicates(), t.holds(), t.reorders())).as("faults, seed %d", seed)
                .allSatisfy(n -> assertThat(n).isPositive());
        // Every message is delivered once, twice or never; a held one arrives once it is released.
        assertThat(t.releaseHeld()).isNotNegative();
        int late = 0;
        for (String to : List.of("a", "b", "c")) {
            late += receive(t, to).size();
        }
        assertThat(run.received.size() + late).as("seed %d", seed).isEqualTo(run.sent - t.drops() + t.duplicates());
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnother() {
        Run first = drive(faulty(7), 7);
        Run again = drive(faulty(7), 7);
        Run other = drive(faulty(8), 8);
        assertThat(again.received).isEqualTo(first.received);
        assertThat(other.received).isNotEqualTo(first.received);
    }

    @Test
    void aMessageIsWrittenThenSentOnce() throws IOException {
        FlakyTransport t = FlakyTransport.builder().build();
        OutgoingMessage out = t.create("a", "b");
        out.stream().write(1);
        out.send();
        assertThatThrownBy(out::send).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> out.stream().write(2)).isInstanceOf(IllegalStateException.class);
        OutgoingMessage discarded = t.create("a", "b");
        discarded.stream().write(3);
        discarded.close();
        assertThatThrownBy(discarded::send).isInstanceOf(IllegalStateException.class);
        assertThat(t.receive("b")).hasSize(1);
    }

    @Test
    void theBuilderRefusesImpossibleRates() {
        assertThatThrownBy(() -> FlakyTransport.builder().dropRate(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlakyTransport.builder().reorderRate(-0.1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FlakyTransport.builder().dropRate(0.5).duplicateRate(0.3).holdRate(0.3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not exceed 1");
        assertThatThrownBy(() -> FlakyTransport.builder().maxHoldReceives(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static FlakyTransport faulty(long seed) {
        return FlakyTransport.builder().seed(seed).dropRate(0.15).duplicateRate(0.15).holdRate(0.15)
                .reorderRate(0.5).build();
    }

    /** What a run sent and received, in order. */
    private static final class Run {
        int sent;
        final List<String> received = new ArrayList<>();
    }

    /** Sends 300 messages among three nodes, receiving now and then, from one thread. */
    private static Run drive(FlakyTransport t, long seed) {
        Random script = new Random(seed);
        List<String> nodes = List.of("a", "b", "c");
        Run run = new Run();
        for (int i = 0; i < 300; i++) {
            String from = nodes.get(script.nextInt(3));
            String to = nodes.get((nodes.indexOf(from) + 1 + script.nextInt(2)) % 3);
            send(t, from, to, from + ">" + to + "#" + i);
            run.sent++;
            if (script.nextInt(4) == 0) {
                String who = nodes.get(script.nextInt(3));
                receive(t, who).forEach(m -> run.received.add(who + ":" + m));
            }
        }
        return run;
    }

    private static void send(FlakyTransport t, String from, String to, String text) {
        try (OutgoingMessage out = t.create(from, to)) {
            out.stream().write(text.getBytes(StandardCharsets.UTF_8));
            out.send();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Receives, reads and commits everything waiting for {@code to}. */
    private static List<String> receive(FlakyTransport t, String to) {
        return t.receive(to).stream().map(m -> {
            try (InputStream in = m.open()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                m.commit();
                return text;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).collect(Collectors.toList());
    }
}
