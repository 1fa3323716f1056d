package io.spillway.diskguard;

/** What the disk guard may do on its own at the emergency watermark. */
public enum Reclaim {
    /** Only raise events; never touch another program's files. */
    OFF,
    /** Truncate the top writer's runtime log file to zero and record how much was removed. */
    TRUNCATE
}
