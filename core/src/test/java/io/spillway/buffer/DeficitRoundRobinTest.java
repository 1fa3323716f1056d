package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.spillway.Theories;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeficitRoundRobinTest {

    static final class TestLane extends DeficitRoundRobin.Lane {
        final int id;
        final ArrayDeque<Long> sizes = new ArrayDeque<>();
        long served;

        TestLane(int id, List<Long> sizes) {
            this.id = id;
            this.sizes.addAll(sizes);
        }

        @Override
        long headSize() {
            Long s = sizes.peekFirst();
            return s == null ? -1 : s;
        }
    }

    private static List<Integer> drain(DeficitRoundRobin<TestLane> drr, int max) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            TestLane l = drr.next();
            if (l == null) {
                break;
            }
            long s = l.sizes.pollFirst();
            l.served += s;
            drr.taken(l, s);
            order.add(l.id);
        }
        return order;
    }

    @Test
    void next_equalRecords_alternatesByQuantum() {
        DeficitRoundRobin<TestLane> drr = new DeficitRoundRobin<>(200);
        TestLane a = new TestLane(1, List.of(100L, 100L, 100L, 100L));
        TestLane b = new TestLane(2, List.of(100L, 100L, 100L, 100L));
        drr.activate(a);
        drr.activate(b);
        assertThat(drain(drr, 100)).containsExactly(1, 1, 2, 2, 1, 1, 2, 2);
        assertThat(drr.next()).isNull();
        assertThat(drr.activeLanes()).isZero();
    }

    @Test
    void next_heavyBacklog_quietLaneServedWithinOneTurn() {
        DeficitRoundRobin<TestLane> drr = new DeficitRoundRobin<>(1000);
        List<Long> heavy = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            heavy.add(100L);
        }
        TestLane h = new TestLane(1, heavy);
        drr.activate(h);
        drain(drr, 5);
        TestLane q = new TestLane(2, List.of(100L));
        drr.activate(q);
        List<Integer> order = drain(drr, 20);
        // The heavy lane finishes its current turn (10 records of 100 per quantum of 1000), then the quiet one.
        assertThat(order.indexOf(2)).isLessThanOrEqualTo(10);
    }

    @Test
    void next_recordLargerThanQuantum_servedAfterEnoughRounds() {
        DeficitRoundRobin<TestLane> drr = new DeficitRoundRobin<>(100);
        TestLane big = new TestLane(1, List.of(1000L));
        drr.activate(big);
        assertThat(drain(drr, 10)).containsExactly(1);
    }

    @Test
    void next_backloggedLanes_servedBytesDifferByAtMostQuantumPlusRecord() {
        Theories.qt(300)
                .forAll(
                        lists().of(integers().between(1, 500)).ofSizeBetween(2, 6),
                        integers().between(50, 2000),
                        integers().between(1, 3000))
                .checkAssert(DeficitRoundRobinTest::backloggedLanesServedEvenly);
    }

    private static void backloggedLanesServedEvenly(List<Integer> recordSizes, int quantum, int steps) {
        DeficitRoundRobin<TestLane> drr = new DeficitRoundRobin<>(quantum);
        List<TestLane> lanes = new ArrayList<>();
        for (int i = 0; i < recordSizes.size(); i++) {
            List<Long> sizes = new ArrayList<>();
            for (int k = 0; k < 100_000 / recordSizes.get(i) + 10_000; k++) {
                sizes.add((long) recordSizes.get(i));
            }
            TestLane l = new TestLane(i, sizes);
            lanes.add(l);
            drr.activate(l);
        }
        drain(drr, steps);
        long max = lanes.stream().mapToLong(l -> l.served).max().orElseThrow();
        long min = lanes.stream().mapToLong(l -> l.served).min().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(quantum + 500L);
    }

    @Test
    void next_everyRecordServedOnce_inLaneOrder() {
        Theories.qt(300)
                .forAll(
                        lists().of(lists().of(integers().between(1, 3000)).ofSizeBetween(0, 30))
                                .ofSizeBetween(0, 8),
                        integers().between(1, 1000))
                .checkAssert(DeficitRoundRobinTest::everyRecordServedOnce);
    }

    private static void everyRecordServedOnce(List<List<Integer>> lanesSizes, int quantum) {
        DeficitRoundRobin<TestLane> drr = new DeficitRoundRobin<>(quantum);
        List<TestLane> lanes = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < lanesSizes.size(); i++) {
            List<Long> sizes =
                    lanesSizes.get(i).stream().map(Integer::longValue).toList();
            TestLane l = new TestLane(i, sizes);
            lanes.add(l);
            drr.activate(l);
            total += sizes.size();
        }
        List<Integer> order = drain(drr, total + 1);
        assertThat(order).hasSize(total);
        for (TestLane l : lanes) {
            assertThat(l.sizes).isEmpty();
        }
    }
}
