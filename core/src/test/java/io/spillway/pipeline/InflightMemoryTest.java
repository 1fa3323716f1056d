package io.spillway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InflightMemoryTest {
    private final Metrics metrics = new Metrics();
    private final InflightMemory budget = new InflightMemory(DataSize.ofKiB(1), metrics);

    @Test
    void tryReserve_withinLimit_reservesAndCloseReturnsAll() {
        try (InflightMemory.Lease a = budget.lease("forward")) {
            assertThat(a.tryReserve(600)).isTrue();
            assertThat(a.tryReserve(424)).isTrue();
            assertThat(a.held()).isEqualTo(1024);
            assertThat(budget.used()).isEqualTo(1024);
        }
        assertThat(budget.used()).isZero();
        assertThat(budget.peak()).isEqualTo(1024);
    }

    @Test
    void tryReserve_overLimit_refusedCountedAndNothingReserved() {
        InflightMemory.Lease a = budget.lease("forward");
        InflightMemory.Lease b = budget.lease("gelf");
        assertThat(a.tryReserve(1000)).isTrue();
        assertThat(b.tryReserve(25)).isFalse();
        assertThat(b.held()).isZero();
        assertThat(budget.used()).isEqualTo(1000);
        assertThat(refused("gelf")).isEqualTo(1);
        assertThat(refused("forward")).isZero();
        a.close();
        assertThat(b.tryReserve(25)).isTrue();
        b.close();
        b.close(); // twice is harmless
        assertThat(budget.used()).isZero();
    }

    @Test
    void release_partial_returnsAtMostWhatIsHeld() {
        try (InflightMemory.Lease a = budget.lease("http")) {
            a.tryReserve(100);
            a.release(40);
            assertThat(a.held()).isEqualTo(60);
            a.release(1000);
            assertThat(a.held()).isZero();
            assertThat(budget.used()).isZero();
        }
    }

    @Test
    void leases_anyReserveReleaseSequence_neverPassTheLimitAndReturnToZero() {
        qt().forAll(lists().of(integers().between(-300, 300)).ofSizeBetween(0, 60))
                .checkAssert(ops -> {
                    InflightMemory b = InflightMemory.standalone(DataSize.ofKiB(1));
                    List<InflightMemory.Lease> leases = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        leases.add(b.lease("forward"));
                    }
                    long model = 0;
                    for (int i = 0; i < ops.size(); i++) {
                        InflightMemory.Lease l = leases.get(i % leases.size());
                        int op = ops.get(i);
                        if (op >= 0) {
                            boolean fits = model + op <= 1024;
                            assertThat(l.tryReserve(op)).isEqualTo(fits || op == 0);
                            model += fits ? op : 0;
                        } else {
                            long before = l.held();
                            l.release(-op);
                            model -= Math.min(before, -op);
                        }
                        assertThat(b.used()).isEqualTo(model).isLessThanOrEqualTo(1024);
                    }
                    leases.forEach(InflightMemory.Lease::close);
                    assertThat(b.used()).isZero();
                });
    }

    private double refused(String user) {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("spillway_inflight_memory_refused"))
                .flatMap(s -> s.getDataPoints().stream())
                .filter(dp -> user.equals(dp.getLabels().get("user")))
                .mapToDouble(dp -> ((CounterSnapshot.CounterDataPointSnapshot) dp).getValue())
                .findFirst()
                .orElse(0);
    }

    @Test
    void tryReserve_afterClose_refusedSoNothingLeaks() {
        InflightMemory.Lease a = budget.lease("gelf");
        assertThat(a.tryReserve(100)).isTrue();
        a.close();
        assertThat(a.tryReserve(100)).as("a late caller after stop").isFalse();
        assertThat(a.held()).isZero();
        try (InflightMemory.Lease b = budget.lease("gelf")) {
            assertThat(b.tryReserve(1024)).as("the whole budget is free again").isTrue();
        }
    }
}
