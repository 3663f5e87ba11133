package io.dibex.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.checksum.CompactReconciliation.Exchange;
import io.dibex.checksum.CompactReconciliation.Settings;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The compact exchange against two oracles: the naive comparison ({@link CompactReconciliation#naive})
 * and the differences the generator made.
 */
class CompactReconciliationProperties {

    @Property
    void findsWhatTheNaiveComparisonFinds(@ForAll @IntRange(min = 0, max = 400) int n,
            @ForAll @IntRange(min = 0, max = 300) int d, @ForAll @IntRange(min = 1, max = 3) int kinds,
            @ForAll @IntRange(min = 4, max = 200) int firstCells, @ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        Sets s = Sets.of(n, d, List.of("Реализация", "Возврат", "Перемещение").subList(0, kinds), seed);
        Exchange x = s.run(new Settings(firstCells, 2.0, 30, (int) seed));
        assertThat(x.outcome()).isEqualTo(CompactReconciliation.naive(s.branch.iterator(), s.office.iterator()));
        assertThat(x.outcome()).isEqualTo(s.expected);
        assertThat(x.extraRoundTrips()).isBetween(0, 2);
    }
}
