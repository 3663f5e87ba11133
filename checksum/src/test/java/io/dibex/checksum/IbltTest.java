package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IbltTest {

    private static long[] element(Random r) {
        return new long[] {r.nextLong(), r.nextLong(), r.nextLong(), r.nextInt(1 << 16)};
    }

    private static Set<String> strings(List<long[]> elements) {
        Set<String> s = new HashSet<>();
        elements.forEach(e -> s.add(Arrays.toString(e)));
        return s;
    }

    @ParameterizedTest(name = "{0} elements on each side only")
    @ValueSource(ints = {0, 1, 2, 5, 17, 64, 300, 2000})
    @DisplayName("subtracting and peeling recovers exactly each side's own elements")
    void recoversTheSymmetricDifference(int d) {
        Random r = new Random(d);
        int cells = 3 * 2 * d + 40;
        Iblt a = new Iblt(Elements.LANES, cells, 11);
        Iblt b = new Iblt(Elements.LANES, cells, 11);
        for (int i = 0; i < 5000; i++) {
            long[] e = element(r);
            a.add(e);
            b.add(e);
        }
        List<long[]> onlyA = new ArrayList<>();
        List<long[]> onlyB = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            long[] x = element(r);
            long[] y = element(r);
            a.add(x);
            b.add(y);
            onlyA.add(x);
            onlyB.add(y);
        }
        Iblt.Decoded decoded = a.subtract(b).decode();
        assertThat(decoded.complete()).isTrue();
        assertThat(strings(decoded.plus())).isEqualTo(strings(onlyA));
        assertThat(strings(decoded.minus())).isEqualTo(strings(onlyB));
    }

    @Test
    @DisplayName("a table holding more than it can peel reports an incomplete decoding")
    void overfullIsIncomplete() {
        Random r = new Random(3);
        Iblt a = new Iblt(Elements.LANES, 40, 1);
        for (int i = 0; i < 200; i++) {
            a.add(element(r));
        }
        Iblt.Decoded decoded = a.subtract(new Iblt(Elements.LANES, 40, 1)).decode();
        assertThat(decoded.complete()).isFalse();
    }

    @Test
    @DisplayName("written and read back, a table decodes the same; counts travel as their low byte")
    void roundTrip() {
        Random r = new Random(4);
        Iblt a = new Iblt(Elements.LANES, 120, 9);
        Iblt b = new Iblt(Elements.LANES, 120, 9);
        for (int i = 0; i < 100_000; i++) {
            long[] e = element(r);
            a.add(e);
            b.add(e);
        }
        for (int i = 0; i < 20; i++) {
            a.add(element(r));
            b.add(element(r));
        }
        Bytes.Out out = new Bytes.Out(0);
        a.write(out);
        assertThat(out.size()).isEqualTo(1 + 4 + 120 * a.cellBytes());
        Bytes.In in = new Bytes.In(out.toByteArray());
        Iblt read = Iblt.read(in, Elements.LANES, Iblt.MAX_CELLS);
        in.end();
        Iblt.Decoded direct = a.subtract(b).decode();
        Iblt.Decoded viaBytes = read.subtract(b).decode();
        assertThat(direct.complete()).isTrue();
        assertThat(strings(viaBytes.plus())).isEqualTo(strings(direct.plus())).hasSize(20);
        assertThat(strings(viaBytes.minus())).isEqualTo(strings(direct.minus())).hasSize(20);
    }

    @ParameterizedTest(name = "{0} differences")
    @ValueSource(ints = {0, 10, 100, 1000, 10_000})
    @DisplayName("the strata estimator lands within a factor of 2.5 of the true difference")
    void estimatorWithinFactor(int d) {
        for (int seed = 0; seed < 5; seed++) {
            Random r = new Random(seed * 100L + d);
            StrataEstimator a = new StrataEstimator(seed);
            StrataEstimator b = new StrataEstimator(seed);
            for (int i = 0; i < 20_000; i++) {
                long[] h = {r.nextLong(), r.nextLong()};
                a.add(h);
                b.add(h);
            }
            for (int i = 0; i < d; i++) {
                (i % 2 == 0 ? a : b).add(new long[] {r.nextLong(), r.nextLong()});
            }
            Bytes.Out out = new Bytes.Out(0);
            a.write(out);
            Bytes.In in = new Bytes.In(out.toByteArray());
            long estimate = StrataEstimator.read(in).estimate(b);
            in.end();
            assertThat((double) estimate).as("seed %d", seed).isBetween(d / 2.5, d * 2.5);
        }
    }
}
