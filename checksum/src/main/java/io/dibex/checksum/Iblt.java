package io.dibex.checksum;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * An invertible Bloom lookup table over fixed-width elements, each a few "lanes" of up to 8
 * bytes. Every element goes to {@value #HASHES} cells, one in each of as many equal parts of the
 * table; a cell holds the count of its elements, the XOR of their lanes and the XOR of their
 * check values. Subtracting one side's table from the other's leaves the symmetric difference,
 * which {@link #decode} peels.
 *
 * <p>Cell positions and check values come from one MurmurHash3 (x64, 128-bit) of the element's
 * bytes under the table's seed, each position then spread by a finalizer of its own: positions
 * must depend on the whole element, not only on its digest, and the tables of one exchange must
 * hash independently of one another, which a seed gives for free.
 *
 * <p>Counts travel as their low 8 bits: after a subtraction a pure cell counts +1 or -1, and
 * 8 bits tell those from 0 and from each other. Purity is then decided by the check value and
 * by the cell being one of the element's own positions.
 */
final class Iblt {

    /**
     * Cells each element is stored in. Four rather than three: a small table's failures come
     * mostly from two elements that share all their cells, which four cells make far rarer
     * (about n^2 (k/m)^k / 2 for n elements in m cells), at a cost of 1.30 rather than 1.23 cells
     * per element at the limit of large tables.
     */
    static final int HASHES = 4;
    /** The most cells a table may have, sent or received. */
    static final int MAX_CELLS = 1 << 22;

    private final int[] laneBytes;
    private final int lanes;
    private final int elementBytes;
    private final int cells;
    private final int part;
    private final int seed;
    private final int[] counts;
    private final long[] sums;
    private final int[] checks;
    private final byte[] scratch;
    private final int[] positions = new int[HASHES];

    /**
     * An empty table.
     *
     * @param laneBytes the width of each lane of an element, 1 to 8 bytes
     * @param cells the cells wanted, rounded up to a multiple of {@value #HASHES}
     * @param seed the hash seed
     */
    Iblt(int[] laneBytes, int cells, int seed) {
        this.laneBytes = laneBytes.clone();
        this.lanes = laneBytes.length;
        int width = 0;
        for (int b : laneBytes) {
            if (b < 1 || b > 8) {
                throw new IllegalArgumentException("a lane has 1 to 8 bytes, got " + b);
            }
            width += b;
        }
        this.elementBytes = width;
        this.cells = roundCells(cells);
        this.part = this.cells / HASHES;
        this.seed = seed;
        this.counts = new int[this.cells];
        this.sums = new long[this.cells * lanes];
        this.checks = new int[this.cells];
        this.scratch = new byte[width];
    }

    /** {@code wanted} rounded up to a multiple of {@value #HASHES}, at least {@value #HASHES}. */
    static int roundCells(long wanted) {
        if (wanted > MAX_CELLS) {
            throw new IllegalArgumentException("an IBLT has at most " + MAX_CELLS + " cells, " + wanted + " wanted");
        }
        long c = Math.max(HASHES, wanted);
        return (int) ((c + HASHES - 1) / HASHES * HASHES);
    }

    int cells() {
        return cells;
    }

    int seed() {
        return seed;
    }

    /** Bytes of one cell on the wire: count, lanes, check. */
    int cellBytes() {
        return 1 + elementBytes + 4;
    }

    void add(long[] element) {
        update(element, 1);
    }

    /** Adds an element given by its hash (see {@link #hash}), which the caller has already computed. */
    void add(long[] element, long[] hash) {
        update(element, hash, 1);
    }

    /** The MurmurHash3 of an element under this table's seed. */
    long[] hash(long[] element) {
        int p = 0;
        for (int l = 0; l < lanes; l++) {
            long v = element[l];
            for (int s = (laneBytes[l] - 1) * 8; s >= 0; s -= 8) {
                scratch[p++] = (byte) (v >>> s);
            }
        }
        return MurmurHash3.hash128x64(scratch, 0, elementBytes, seed);
    }

    private void update(long[] element, int delta) {
        update(element, hash(element), delta);
    }

    private void update(long[] element, long[] h, int delta) {
        place(h);
        int check = check(h);
        for (int p : positions) {
            counts[p] += delta;
            checks[p] ^= check;
            int base = p * lanes;
            for (int l = 0; l < lanes; l++) {
                sums[base + l] ^= element[l];
            }
        }
    }

    private static int check(long[] h) {
        return (int) mix(h[1] ^ 0x94D049BB133111EBL);
    }

    /**
     * Fills {@link #positions}: one cell in each part of the table. Each position comes from
     * both halves of the hash through a finalizer of its own. Taken straight from the hash's 32-bit
     * words, positions were not independent enough: in our runs, under one seed, two random
     * elements whose three words all agreed in their top 12 bits shared all their cells at most
     * table sizes, so that no table could decode them.
     */
    private void place(long[] h) {
        for (int i = 0; i < HASHES; i++) {
            long bits = mix(h[0] + (i + 1) * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(h[1], 17 * i + 1));
            positions[i] = i * part + (int) (((bits >>> 32) * part) >>> 32);
        }
    }

    /** The 64-bit finalizer of SplitMix64: every input bit changes each output bit with probability 1/2. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * This table minus another of the same shape and seed: the cells of the symmetric difference,
     * this side's elements counting +1 and the other's -1.
     *
     * @throws SketchFormatException when the tables differ in shape or seed
     */
    Iblt subtract(Iblt other) {
        if (other.cells != cells || other.seed != seed || !Arrays.equals(other.laneBytes, laneBytes)) {
            throw new SketchFormatException("cannot subtract an IBLT of " + other.cells + " cells, seed " + other.seed
                    + " from one of " + cells + " cells, seed " + seed);
        }
        Iblt d = new Iblt(laneBytes, cells, seed);
        for (int i = 0; i < cells; i++) {
            d.counts[i] = counts[i] - other.counts[i];
            d.checks[i] = checks[i] ^ other.checks[i];
        }
        for (int i = 0; i < sums.length; i++) {
            d.sums[i] = sums[i] ^ other.sums[i];
        }
        return d;
    }

    /**
     * What peeling found.
     *
     * @param plus elements counted +1 (this side's, after a subtraction)
     * @param minus elements counted -1
     * @param complete whether every cell was emptied, so that the lists are the whole difference
     */
    record Decoded(List<long[]> plus, List<long[]> minus, boolean complete) {
    }

    /**
     * Peels the table: takes out an element from each pure cell until none is left. Works on a
     * copy; this table is unchanged. Stops after {@code cells} elements, more than a table of
     * that size can hold, so that a hostile table cannot keep it busy.
     */
    Decoded decode() {
        Iblt t = copy();
        List<long[]> plus = new ArrayList<>();
        List<long[]> minus = new ArrayList<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < cells; i++) {
            queue.add(i);
        }
        boolean overflow = false;
        while (!queue.isEmpty()) {
            int i = queue.poll();
            byte c = (byte) t.counts[i];
            if (c != 1 && c != -1) {
                continue;
            }
            long[] element = Arrays.copyOfRange(t.sums, i * lanes, i * lanes + lanes);
            if (!t.fits(element)) {
                continue;
            }
            long[] h = t.hash(element);
            if (check(h) != t.checks[i]) {
                continue;
            }
            t.place(h);
            if (!t.placed(i)) {
                continue;
            }
            if (plus.size() + minus.size() >= cells) {
                overflow = true;
                break;
            }
            (c == 1 ? plus : minus).add(element);
            t.update(element, h, -c);
            for (int p : t.positions) {
                if (p != i) {
                    queue.add(p);
                }
            }
        }
        return new Decoded(plus, minus, !overflow && t.isEmpty());
    }

    private boolean placed(int cell) {
        for (int p : positions) {
            if (p == cell) {
                return true;
            }
        }
        return false;
    }

    /** Whether each lane of the element fits its width (a corrupt cell may hold wider sums). */
    private boolean fits(long[] element) {
        for (int l = 0; l < lanes; l++) {
            if (laneBytes[l] < 8 && (element[l] >>> (laneBytes[l] * 8)) != 0) {
                return false;
            }
        }
        return true;
    }

    private boolean isEmpty() {
        for (int i = 0; i < cells; i++) {
            if ((byte) counts[i] != 0 || checks[i] != 0) {
                return false;
            }
        }
        for (long s : sums) {
            if (s != 0) {
                return false;
            }
        }
        return true;
    }

    private Iblt copy() {
        Iblt t = new Iblt(laneBytes, cells, seed);
        System.arraycopy(counts, 0, t.counts, 0, cells);
        System.arraycopy(checks, 0, t.checks, 0, cells);
        System.arraycopy(sums, 0, t.sums, 0, sums.length);
        return t;
    }

    /** Writes the table: cells (varint), seed (4 bytes), then each cell's count byte, lanes and check. */
    void write(Bytes.Out out) {
        out.varint(cells).i32(seed);
        for (int i = 0; i < cells; i++) {
            out.u8(counts[i]);
            int base = i * lanes;
            for (int l = 0; l < lanes; l++) {
                out.bytes(sums[base + l], laneBytes[l]);
            }
            out.i32(checks[i]);
        }
    }

    /**
     * Reads a table written by {@link #write}.
     *
     * @param maxCells the most cells accepted
     * @throws SketchFormatException when the bytes are not such a table
     */
    static Iblt read(Bytes.In in, int[] laneBytes, int maxCells) {
        int at = in.position();
        long n = in.varint(Math.min(maxCells, MAX_CELLS), "IBLT cell count");
        if (n < HASHES || n % HASHES != 0) {
            throw new SketchFormatException("an IBLT's cell count must be a positive multiple of " + HASHES + ", got "
                    + n + " (at byte " + at + ")");
        }
        int seed = in.i32("IBLT seed");
        int cellBytes = 5;
        for (int b : laneBytes) {
            cellBytes += b;
        }
        if (n * cellBytes > in.remaining()) {
            throw in.error("truncated: " + n + " IBLT cells need " + n * cellBytes + " bytes, " + in.remaining()
                    + " remain");
        }
        Iblt t = new Iblt(laneBytes, (int) n, seed);
        for (int i = 0; i < t.cells; i++) {
            t.counts[i] = (byte) in.u8("IBLT cell count");
            int base = i * t.lanes;
            for (int l = 0; l < t.lanes; l++) {
                t.sums[base + l] = in.bytes(laneBytes[l], "IBLT cell sum");
            }
            t.checks[i] = in.i32("IBLT cell check");
        }
        return t;
    }
}
