package io.dibex.checksum;

import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * How an entry becomes a sketch element: the id as a UUID (16 bytes), the first 8 bytes of the
 * digest, and the kind as an index into the message's table of kind names (2 bytes). The
 * receiver learns the whole key of an element it lacks, so it needs no lookup at the sender; two
 * states of one document differ in the digest's prefix except with probability 2^-64.
 *
 * <p>Only ids that are UUIDs in canonical form can be elements. An office whose set holds another
 * id sends the naive list instead; a branch entry with such an id, or of a kind the office's table
 * lacks, is missing at the office by construction.
 */
final class Elements {

    /** Lane widths of an element: UUID high, UUID low, digest prefix, kind index. */
    static final int[] LANES = {8, 8, 8, 2};
    /** The most kinds in a message's table. */
    static final int MAX_KINDS = 1 << 12;
    /** The most bytes of one kind name, UTF-8. */
    static final int MAX_KIND_BYTES = 1024;

    /** Bytes of an element. */
    static final int BYTES = 26;

    private static final int SET_HASH_SEED = 0x5E7_4A5;

    private Elements() {
    }

    static long[] element(UUID id, Digest digest, int kind) {
        byte[] d = digest.bytes();
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = (prefix << 8) | (d[i] & 0xFF);
        }
        return new long[] {id.getMostSignificantBits(), id.getLeastSignificantBits(), prefix, kind};
    }

    /** An element's own hash for the whole-set hash, independent of every table's. */
    static long[] setHash(long[] e) {
        return hash(e, SET_HASH_SEED);
    }

    /** The MurmurHash3 (x64, 128-bit) of an element's bytes under a seed. */
    static long[] hash(long[] e, int seed) {
        byte[] b = new byte[BYTES];
        int p = 0;
        for (int l = 0; l < LANES.length; l++) {
            for (int s = (LANES[l] - 1) * 8; s >= 0; s -= 8) {
                b[p++] = (byte) (e[l] >>> s);
            }
        }
        return MurmurHash3.hash128x64(b, 0, BYTES, seed);
    }

    /** The key an element stands for, under a kind table. */
    static ObjectKey key(long[] e, KindTable kinds) {
        int k = (int) e[3];
        if (k >= kinds.size()) {
            throw new SketchFormatException("a decoded element names kind " + k + " of a table of " + kinds.size());
        }
        return ObjectKey.of(kinds.name(k), new UUID(e[0], e[1]));
    }

    /** The kind names of a message, by index. */
    static final class KindTable {
        private final List<String> names = new ArrayList<>();
        private final Map<String, Integer> index = new HashMap<>();

        int size() {
            return names.size();
        }

        String name(int i) {
            return names.get(i);
        }

        /** The index of a kind, or -1. */
        int indexOf(String kind) {
            Integer i = index.get(kind);
            return i == null ? -1 : i;
        }

        /** The index of a kind, added if new. */
        int intern(String kind) {
            Integer i = index.get(kind);
            if (i != null) {
                return i;
            }
            if (names.size() == MAX_KINDS) {
                throw new IllegalArgumentException("a compact reconciliation handles at most " + MAX_KINDS + " kinds");
            }
            names.add(kind);
            index.put(kind, names.size() - 1);
            return names.size() - 1;
        }

        void write(Bytes.Out out) {
            out.varint(names.size());
            for (String n : names) {
                out.string(n);
            }
        }

        static KindTable read(Bytes.In in) {
            KindTable t = new KindTable();
            int n = (int) in.varint(MAX_KINDS, "kind count");
            for (int i = 0; i < n; i++) {
                int at = in.position();
                String name = in.string(MAX_KIND_BYTES, "kind name");
                try {
                    ObjectKey.of(name, "x");
                } catch (IllegalArgumentException e) {
                    throw new SketchFormatException("not a kind name: " + e.getMessage() + " (at byte " + at + ")", e);
                }
                if (t.indexOf(name) >= 0) {
                    throw new SketchFormatException("kind " + name + " appears twice in the table (at byte " + at + ")");
                }
                t.intern(name);
            }
            return t;
        }
    }
}
