/**
 * {@code spillway flood}: a load generator that replays the outage workload (many quiet apps plus
 * one app logging ~7 KB Rails parameter dumps far above its limit) against a running Spillway,
 * reads back what arrived, and reports per app what was sent, delivered and dropped, with latency.
 */
@NullMarked
package io.spillway.flood;

import org.jspecify.annotations.NullMarked;
