package io.spillway.thread;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NamedThreadFactoryTest {

    @Test
    void daemon_everyThreadNamedAndDaemon_unstarted() {
        NamedThreadFactory f = NamedThreadFactory.daemon("store-seal");
        Thread a = f.newThread(() -> {});
        Thread b = f.newThread(() -> {});
        assertThat(a.getName()).isEqualTo("store-seal");
        assertThat(b.getName()).isEqualTo("store-seal");
        assertThat(a.isDaemon()).isTrue();
        assertThat(a.getState()).isEqualTo(Thread.State.NEW);
        assertThat(a.isVirtual()).isFalse();
    }

    @Test
    void nonDaemon_fromADaemonThread_staysNonDaemon() throws Exception {
        Thread[] made = new Thread[1];
        Thread creator = NamedThreadFactory.daemon("creator")
                .start(() ->
                        made[0] = NamedThreadFactory.nonDaemon("output-file").newThread(() -> {}));
        creator.join();
        assertThat(made[0].getName()).isEqualTo("output-file");
        assertThat(made[0].isDaemon()).isFalse();
    }

    @Test
    void numbered_countsFromFirst_acrossThreads() throws Exception {
        NamedThreadFactory f = NamedThreadFactory.daemon("alert-delivery-", 1);
        assertThat(f.newThread(() -> {}).getName()).isEqualTo("alert-delivery-1");
        assertThat(f.newThread(() -> {}).getName()).isEqualTo("alert-delivery-2");
        assertThat(NamedThreadFactory.daemon("scan-", 0).newThread(() -> {}).getName())
                .isEqualTo("scan-0");
    }

    @Test
    void start_runsTheTaskOnTheNamedThread() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        String[] name = new String[1];
        Thread t = NamedThreadFactory.daemon("drop-markers").start(() -> {
            name[0] = Thread.currentThread().getName();
            ran.countDown();
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        t.join();
        assertThat(name[0]).isEqualTo("drop-markers");
    }

    @Test
    void asExecutorFactory_namesThePoolsThreads() throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor(NamedThreadFactory.daemon("spillway-scheduler"));
        try {
            assertThat(ex.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
                    .isEqualTo("spillway-scheduler");
        } finally {
            ex.shutdownNow();
        }
    }
}
