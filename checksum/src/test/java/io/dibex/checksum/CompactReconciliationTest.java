package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.checksum.CompactReconciliation.Exchange;
import io.dibex.checksum.CompactReconciliation.MessageType;
import io.dibex.checksum.CompactReconciliation.Outcome;
import io.dibex.checksum.CompactReconciliation.Settings;
import io.dibex.checksum.CompactReconciliation.Side;
import io.dibex.checksum.DocumentDigests.Entry;
import io.dibex.model.ObjectKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CompactReconciliationTest {

    private static final List<String> KINDS = List.of("Реализация", "ПоступлениеТоваров", "Перемещение");

    private static List<MessageType> types(Exchange x) {
        return x.messages().stream().map(CompactReconciliation.Message::type).toList();
    }

    @Test
    @DisplayName("equal sets: one request of a few kilobytes, and nothing differs")
    void equalSets() {
        Sets s = Sets.of(50_000, 0, KINDS, 1);
        Exchange x = s.run(Settings.defaults());
        assertThat(x.outcome().agree()).isTrue();
        assertThat(types(x)).containsExactly(MessageType.REQUEST);
        assertThat(x.extraRoundTrips()).isZero();
        assertThat(x.bytes()).isLessThan(4096);
    }

    @ParameterizedTest(name = "{0} differences")
    @ValueSource(ints = {1, 2, 3, 7, 20, 31, 45, 60, 100, 250, 1000, 3000})
    @DisplayName("the branch recovers exactly the documents that differ, within one extra round trip")
    void exactRecovery(int d) {
        for (long seed = 1; seed <= 3; seed++) {
            Sets s = Sets.of(20_000, d, KINDS, seed * 1000 + d);
            Exchange x = s.run(Settings.defaults());
            assertThat(x.outcome()).as("seed %d", seed).isEqualTo(s.expected);
            assertThat(x.extraRoundTrips()).as("seed %d: %s", seed, x.messages()).isLessThanOrEqualTo(1);
            assertThat(x.outcome().onlyAtOffice().size() + x.outcome().onlyAtBranch().size()
                    + x.outcome().different().size()).isEqualTo(d);
        }
    }

    @Test
    @DisplayName("a few differences decode from the request alone")
    void fewDifferencesInOneMessage() {
        Exchange x = Sets.of(100_000, 12, KINDS, 5).run(Settings.defaults());
        assertThat(types(x)).containsExactly(MessageType.REQUEST);
    }

    @Test
    @DisplayName("each side's keys to send and keys it lacks")
    void sidesView() {
        Sets s = Sets.of(1000, 9, KINDS, 3);
        Outcome o = s.run(Settings.defaults()).outcome();
        assertThat(o.lacking(Side.BRANCH)).isEqualTo(s.expected.onlyAtOffice()).hasSize(3);
        assertThat(o.lacking(Side.OFFICE)).isEqualTo(s.expected.onlyAtBranch()).hasSize(3);
        assertThat(o.toSend(Side.OFFICE)).hasSize(6).containsAll(o.onlyAtOffice()).containsAll(o.different());
        assertThat(o.toSend(Side.BRANCH)).hasSize(6).containsAll(o.onlyAtBranch()).containsAll(o.different());
    }

    @Test
    @DisplayName("a sketch too small to decode falls back to the naive list, and the outcome is still exact")
    void decodeFailureFallsBackToNaive() {
        Sets s = Sets.of(5000, 300, KINDS, 9);
        Exchange x = s.run(new Settings(4, 1.0, 0, 7));
        assertThat(x.outcome()).isEqualTo(s.expected);
        assertThat(types(x)).containsExactly(MessageType.REQUEST, MessageType.ESTIMATE, MessageType.SKETCH,
                MessageType.NAIVE_ASK, MessageType.NAIVE);
        assertThat(x.extraRoundTrips()).isEqualTo(2);
    }

    @Test
    @DisplayName("an office set with an id that is not a UUID is sent as the naive list at once")
    void nonUuidAtOfficeGoesNaive() {
        Sets s = Sets.of(2000, 30, KINDS, 4);
        List<Entry> office = new ArrayList<>(s.office);
        Entry coded = new Entry(ObjectKey.of("ЯЗаказ", "ЦБ-000123"), Sets.digest(new Random(1)));
        office.add(coded);
        Exchange x = CompactReconciliation.run(office::iterator, s.branch::iterator, Settings.defaults());
        assertThat(types(x)).containsExactly(MessageType.NAIVE);
        assertThat(x.outcome().onlyAtOffice()).contains(coded.key());
        assertThat(x.outcome().different()).isEqualTo(s.expected.different());
    }

    @Test
    @DisplayName("branch documents the office's request cannot name (code ids, unknown kinds) are missing there")
    void branchOnlyOutsideTheTable() {
        Sets s = Sets.of(2000, 6, KINDS, 6);
        List<Entry> branch = new ArrayList<>(s.branch);
        Entry coded = new Entry(ObjectKey.of("ЯЗаказ", "ЦБ-000123"), Sets.digest(new Random(2)));
        Entry otherKind = new Entry(ObjectKey.of("ЯЯВозврат", "00000000-0000-0000-0000-000000000001"),
                Sets.digest(new Random(3)));
        branch.add(coded);
        branch.add(otherKind);
        Exchange x = CompactReconciliation.run(s.office::iterator, branch::iterator, Settings.defaults());
        assertThat(types(x)).containsExactly(MessageType.REQUEST);
        assertThat(x.outcome().onlyAtBranch()).contains(coded.key(), otherKind.key()).hasSize(4);
        assertThat(x.outcome().onlyAtOffice()).isEqualTo(s.expected.onlyAtOffice());
    }

    @Test
    @DisplayName("an uppercase UUID id is not canonical: it takes the naive path, and its key is kept as written")
    void uppercaseUuidIsACode() {
        Entry upper = new Entry(ObjectKey.of("Реализация", "0000000A-0000-0000-0000-00000000000B"),
                Sets.digest(new Random(4)));
        List<Entry> office = List.of(upper);
        List<Entry> branch = List.of();
        Exchange x = CompactReconciliation.run(office::iterator, branch::iterator, Settings.defaults());
        assertThat(types(x)).containsExactly(MessageType.NAIVE);
        assertThat(x.outcome().onlyAtOffice()).containsExactly(upper.key());
    }

    @Test
    @DisplayName("either side empty")
    void emptySides() {
        Sets s = Sets.of(40, 0, KINDS, 8);
        List<Entry> none = List.of();
        Exchange a = CompactReconciliation.run(s.office::iterator, none::iterator, Settings.defaults());
        assertThat(a.outcome().onlyAtOffice()).hasSize(40);
        Exchange b = CompactReconciliation.run(none::iterator, s.branch::iterator, Settings.defaults());
        assertThat(b.outcome().onlyAtBranch()).hasSize(40);
        Exchange c = CompactReconciliation.run(none::iterator, none::iterator, Settings.defaults());
        assertThat(c.outcome().agree()).isTrue();
        assertThat(types(c)).containsExactly(MessageType.REQUEST);
    }

    @Test
    @DisplayName("entries out of key order are refused")
    void unorderedEntriesRefused() {
        Sets s = Sets.of(10, 0, KINDS, 2);
        List<Entry> reversed = new ArrayList<>(s.office);
        java.util.Collections.reverse(reversed);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CompactReconciliation.Office(reversed::iterator,
                Settings.defaults()).request()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strictly increasing key order");
    }
}
