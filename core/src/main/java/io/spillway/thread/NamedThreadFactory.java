package io.spillway.thread;

import java.util.concurrent.ThreadFactory;

/**
 * Makes the platform threads of one component, named after it (STYLE.md §5: named thread factories, no
 * bare {@code Executors.new*}): the name is what a thread dump, a profiler and the logs' thread column
 * show, so it says which component and, where there are several, which instance a thread serves.
 *
 * <p>Invariants: every thread this factory makes is an unstarted platform thread whose daemon flag is
 * the one chosen here, never inherited from the creating thread; it is called exactly {@code name}, or,
 * for a numbered factory, {@code prefix} followed by a counter that starts at the given number and
 * goes up by one per thread. A daemon thread does not hold the JVM open, so only threads that must
 * finish their work before the process ends (an output draining its buffer) are non-daemon.
 *
 * <p>Thread-safe: executors call {@link #newThread} from whichever thread submits or retires a task.
 */
public final class NamedThreadFactory implements ThreadFactory {
    private final ThreadFactory threads;

    private NamedThreadFactory(Thread.Builder.OfPlatform builder) {
        // The JDK's builder factory is thread-safe and numbers its threads atomically.
        this.threads = builder.factory();
    }

    /** Daemon threads all called {@code name}. */
    public static NamedThreadFactory daemon(String name) {
        return new NamedThreadFactory(Thread.ofPlatform().name(name).daemon(true));
    }

    /** Daemon threads called {@code prefix + first}, {@code prefix + (first + 1)}, … */
    public static NamedThreadFactory daemon(String prefix, long first) {
        return new NamedThreadFactory(Thread.ofPlatform().name(prefix, first).daemon(true));
    }

    /** Non-daemon threads all called {@code name}: the JVM waits for them to finish before it exits. */
    public static NamedThreadFactory nonDaemon(String name) {
        return new NamedThreadFactory(Thread.ofPlatform().name(name).daemon(false));
    }

    /** An unstarted thread that runs {@code task}. */
    @Override
    public Thread newThread(Runnable task) {
        return threads.newThread(task);
    }

    /** A thread that runs {@code task}, already started. */
    public Thread start(Runnable task) {
        Thread t = newThread(task);
        t.start();
        return t;
    }
}
