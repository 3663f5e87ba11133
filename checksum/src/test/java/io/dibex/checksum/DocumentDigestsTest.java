package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.checksum.DocumentDigests.Comparison;
import io.dibex.checksum.DocumentDigests.Entry;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DocumentDigestsTest {

    private static DataObject doc(int n, String comment) {
        return DataObject.builder(ObjectKey.of("Реализация", String.format("%04d", n))).set("Комментарий", comment)
                .build();
    }

    private static List<Entry> entries(List<DataObject> docs) {
        List<Entry> out = new ArrayList<>();
        DocumentDigests.of(Gen.PLAN, docs.iterator()).forEachRemaining(out::add);
        return out;
    }

    /** Records what a comparison reports, as "kind key" lines. */
    private static final class Recorded implements DocumentDigests.Differences {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onlyMine(Entry mine) {
            seen.add("onlyMine " + mine.key().id());
        }

        @Override
        public void onlyTheirs(Entry theirs) {
            seen.add("onlyTheirs " + theirs.key().id());
        }

        @Override
        public void different(ObjectKey key, Digest mine, Digest theirs) {
            assertThat(mine).isNotEqualTo(theirs);
            seen.add("different " + key.id());
        }
    }

    @Test
    @DisplayName("the comparison reports each missing and each different document once, in key order")
    void comparisonFindsEveryDifference() {
        List<DataObject> office = new ArrayList<>();
        List<DataObject> branch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            if (i != 2) {
                office.add(doc(i, "x"));
            }
            if (i != 7) {
                branch.add(doc(i, i == 5 ? "changed at the branch" : "x"));
            }
        }
        Recorded r = new Recorded();
        Comparison c = DocumentDigests.compare(entries(branch).iterator(), entries(office).iterator(), r);
        assertThat(r.seen).containsExactly("onlyMine 0002", "different 0005", "onlyTheirs 0007");
        assertThat(c).isEqualTo(new Comparison(7, 1, 1, 1));
        assertThat(c.agree()).isFalse();
        Comparison self = DocumentDigests.compare(entries(office).iterator(), entries(office).iterator(),
                new DocumentDigests.Differences() { });
        assertThat(self).isEqualTo(new Comparison(9, 0, 0, 0));
        assertThat(self.agree()).isTrue();
        Comparison empty = DocumentDigests.compare(List.<Entry>of().iterator(), entries(office).iterator(), r);
        assertThat(empty).isEqualTo(new Comparison(0, 0, 9, 0));
    }

    @Test
    @DisplayName("a LOCAL record set makes no difference between two sides, a MIGRATE one does (R11)")
    void onlyMigratingRecordsCount() {
        DataObject office = doc(1, "x");
        DataObject withCost = office.toBuilder().recordSet(new RecordSet(Gen.COST,
                List.of(Row.of("Сумма", Value.of(1L))))).build();
        DataObject withStock = office.toBuilder().recordSet(new RecordSet(Gen.STOCK,
                List.of(Row.of("Сумма", Value.of(1L))))).build();
        assertThat(DocumentDigests.compare(entries(List.of(withCost)).iterator(), entries(List.of(office)).iterator(),
                new Recorded()).agree()).isTrue();
        assertThat(DocumentDigests.compare(entries(List.of(withStock)).iterator(), entries(List.of(office)).iterator(),
                new Recorded()).different()).isEqualTo(1);
    }

    @Test
    @DisplayName("entries are computed as they are taken: one document at a time")
    void entriesAreLazy() {
        int[] pulled = {0};
        Iterator<DataObject> docs = IntStream.range(0, 1000).mapToObj(i -> {
            pulled[0]++;
            return doc(i, "x");
        }).iterator();
        Iterator<Entry> entries = DocumentDigests.of(Gen.PLAN, docs);
        assertThat(pulled[0]).isZero();
        assertThat(entries.next().key().id()).isEqualTo("0000");
        assertThat(pulled[0]).isEqualTo(1);
    }

    @Test
    @DisplayName("a list out of key order, or with a repeated key, is refused and named")
    void orderIsChecked() {
        List<Entry> ordered = entries(List.of(doc(1, "a"), doc(2, "b")));
        List<Entry> reversed = List.of(ordered.get(1), ordered.get(0));
        List<Entry> repeated = List.of(ordered.get(0), ordered.get(0));
        assertThatThrownBy(() -> DocumentDigests.compare(reversed.iterator(), ordered.iterator(), new Recorded()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("this side's")
                .hasMessageContaining("Реализация/0001 after Реализация/0002");
        assertThatThrownBy(() -> DocumentDigests.compare(ordered.iterator(), repeated.iterator(), new Recorded()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the other side's");
    }

    @Test
    @DisplayName("the checksum module exports only its API package")
    void exportsOnlyTheApi() throws Exception {
        Path classes = Path.of(DocumentDigests.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor module = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        Set<String> exported = module.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertThat(module.name()).isEqualTo("io.dibex.checksum");
        assertThat(exported).containsExactly("io.dibex.checksum");
    }
}
