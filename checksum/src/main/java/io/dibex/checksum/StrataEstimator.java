package io.dibex.checksum;

/**
 * Estimates the size of the symmetric difference of two sets (Eppstein, Goodrich, Uyeda and
 * Varghese, "What's the Difference?", 2011). Each element goes, by the number of trailing zero
 * bits of its hash, to one of {@value #STRATA} strata: stratum i samples 2^-(i+1) of the set. Each
 * stratum is a small IBLT over a 64-bit fingerprint of the element. The receiver subtracts its
 * own estimator and decodes from the sparsest stratum down; at the first stratum that does not
 * decode it scales what it has counted so far by that stratum's sampling rate.
 */
final class StrataEstimator {

    static final int STRATA = 32;
    static final int CELLS = 80;
    private static final int[] LANES = {8};

    private final Iblt[] strata = new Iblt[STRATA];
    private final int seed;
    private final long[] one = new long[1];

    StrataEstimator(int seed) {
        this.seed = seed;
        for (int i = 0; i < STRATA; i++) {
            strata[i] = new Iblt(LANES, CELLS, seed + i + 1);
        }
    }

    private StrataEstimator(int seed, Iblt[] strata) {
        this.seed = seed;
        System.arraycopy(strata, 0, this.strata, 0, STRATA);
    }

    /**
     * Adds an element given by a 128-bit hash of it: the first half is its fingerprint, the second,
     * spread by a finalizer so that its low bits are as random as its high ones, picks the stratum.
     */
    void add(long[] hash) {
        int stratum = Math.min(STRATA - 1, Long.numberOfTrailingZeros(Iblt.mix(hash[1])));
        one[0] = hash[0];
        strata[stratum].add(one);
    }

    int seed() {
        return seed;
    }

    /**
     * The estimated size of the symmetric difference between this estimator's set and another's.
     *
     * @throws SketchFormatException when the estimators differ in shape or seeds
     */
    long estimate(StrataEstimator other) {
        long count = 0;
        for (int i = STRATA - 1; i >= 0; i--) {
            Iblt.Decoded d = strata[i].subtract(other.strata[i]).decode();
            if (!d.complete()) {
                return Math.max(1, count) << (i + 1);
            }
            count += d.plus().size() + d.minus().size();
        }
        return count;
    }

    void write(Bytes.Out out) {
        out.i32(seed);
        for (Iblt s : strata) {
            s.write(out);
        }
    }

    static StrataEstimator read(Bytes.In in) {
        int seed = in.i32("estimator seed");
        Iblt[] strata = new Iblt[STRATA];
        for (int i = 0; i < STRATA; i++) {
            strata[i] = Iblt.read(in, LANES, CELLS);
            if (strata[i].cells() != CELLS || strata[i].seed() != seed + i + 1) {
                throw in.error("stratum " + i + " has " + strata[i].cells() + " cells and seed " + strata[i].seed()
                        + ", expected " + CELLS + " and " + (seed + i + 1));
            }
        }
        return new StrataEstimator(seed, strata);
    }
}
