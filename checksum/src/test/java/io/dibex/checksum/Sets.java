package io.dibex.checksum;

import io.dibex.checksum.CompactReconciliation.Outcome;
import io.dibex.checksum.DocumentDigests.Entry;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Two sides' entry lists generated from a seed: a shared set of documents, then {@code d}
 * differences in turn a changed digest, a document only the office holds, one only the branch
 * holds. The lists come in key order, and the expected outcome with them.
 */
final class Sets {

    final List<Entry> office;
    final List<Entry> branch;
    final Outcome expected;

    Sets(List<Entry> office, List<Entry> branch, Outcome expected) {
        this.office = office;
        this.branch = branch;
        this.expected = expected;
    }

    /**
     * The sets.
     *
     * @param n documents at the office, about (more when d exceeds it)
     * @param d differences
     * @param kinds kind names to spread the documents over
     * @param seed the random seed
     */
    static Sets of(int n, int d, List<String> kinds, long seed) {
        Random random = new Random(seed);
        List<ObjectKey> atOffice = new ArrayList<>();
        List<ObjectKey> atBranch = new ArrayList<>();
        List<ObjectKey> different = new ArrayList<>();
        List<Entry> office = new ArrayList<>();
        List<Entry> branch = new ArrayList<>();
        // Each document's slot: 0 shared and equal, 1 changed, 2 office only, 3 branch only.
        int total = Math.max(n + d / 3, d);
        int[] slot = new int[total];
        for (int i = 0; i < d; i++) {
            int j;
            do {
                j = random.nextInt(total);
            } while (slot[j] != 0);
            slot[j] = 1 + i % 3;
        }
        List<Entry> all = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            String kind = kinds.get(random.nextInt(kinds.size()));
            all.add(new Entry(ObjectKey.of(kind, new UUID(random.nextLong(), random.nextLong())), digest(random)));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            order.add(i);
        }
        order.sort((a, b) -> all.get(a).key().compareTo(all.get(b).key()));
        for (int i : order) {
            Entry e = all.get(i);
            switch (slot[i]) {
                case 0 -> {
                    office.add(e);
                    branch.add(e);
                }
                case 1 -> {
                    office.add(e);
                    branch.add(new Entry(e.key(), digest(random)));
                    different.add(e.key());
                }
                case 2 -> {
                    office.add(e);
                    atOffice.add(e.key());
                }
                default -> {
                    branch.add(e);
                    atBranch.add(e.key());
                }
            }
        }
        return new Sets(office, branch, new Outcome(atOffice, atBranch, different));
    }

    static Digest digest(Random random) {
        byte[] b = new byte[Digest.LENGTH];
        random.nextBytes(b);
        return Digest.of(b);
    }

    CompactReconciliation.Exchange run(CompactReconciliation.Settings settings) {
        return CompactReconciliation.run(office::iterator, branch::iterator, settings);
    }
}
