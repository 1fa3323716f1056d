package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An app's chunk list moves chunks forward only, keeps its ids growing and its sealed totals exact. */
class AppLogTest {
    @TempDir
    Path dir;

    private final GrowableBuffer scratch = new GrowableBuffer(1024);

    /** Appends {@code n} records of the app, at {@code now}. */
    static AppLog.Appended append(AppLog a, GrowableBuffer scratch, int n, long now) throws IOException {
        AppLog.Appended last = null;
        for (LogRecord r : Stores.records(a.name, n, now * 1_000_000L, 100)) {
            scratch.reset();
            RecordFormat.encode(r, r.messageBytes(), scratch);
            last = a.append(scratch.array(), 0, scratch.size(), r.timestamp(), r.messageBytes().length, now);
        }
        return last;
    }

    /** Rotates the active chunk and seals it as the seal thread would; returns the sealed chunk. */
    static SealedChunk rotateAndSeal(AppLog a) throws IOException {
        ActiveChunk c = a.rotate();
        assertThat(c).isNotNull();
        SealedChunk s = SealedChunk.write(a.dir, c.id, c.readAll(), c.lastWriteMillis, 1);
        a.replaceWithSealed(c, s);
        c.closeQuietly();
        Files.deleteIfExists(c.path);
        return s;
    }

    /** Appends {@code n} records and seals them as one chunk. */
    private SealedChunk sealed(AppLog a, int n) throws IOException {
        append(a, scratch, n, Stores.T0);
        return rotateAndSeal(a);
    }

    private AppLog app() {
        return new AppLog("web", dir);
    }

    @Test
    void append_noActiveChunk_startsOneWithTheNextId() throws IOException {
        AppLog a = app();
        a.continueIdsAfter(6);
        AppLog.Appended first = append(a, scratch, 1, Stores.T0);
        assertThat(first.chunkId()).isEqualTo(7);
        assertThat(first.index()).isZero();
        assertThat(first.grewBy()).isEqualTo(first.chunkSize()).isPositive();
        AppLog.Appended second = append(a, scratch, 1, Stores.T0);
        assertThat(second.chunkId()).isEqualTo(7);
        assertThat(second.index()).isEqualTo(1);
        assertThat(second.chunkSize()).isEqualTo(first.chunkSize() + second.grewBy());
        assertThat(a.bytes()).isEqualTo(second.chunkSize());

        a.rotate();
        assertThat(append(a, scratch, 1, Stores.T0).chunkId()).isEqualTo(8);
    }

    @Test
    void rotate_noRecords_returnsNullAndKeepsNothingWaiting() throws IOException {
        AppLog a = app();
        assertThat(a.rotate()).isNull();
        assertThat(a.sealing).isEmpty();
    }

    @Test
    void rotate_movesTheActiveChunkToWaiting_stillCounted() throws IOException {
        AppLog a = app();
        append(a, scratch, 10, Stores.T0);
        long bytes = a.bytes();
        ActiveChunk c = a.rotate();
        assertThat(a.active).isNull();
        assertThat(a.sealing).containsExactly(c);
        assertThat(a.isWaiting(c)).isTrue();
        assertThat(a.bytes()).isEqualTo(bytes);
        assertThat(a.summary(Stores.T0).records()).isEqualTo(10);
    }

    @Test
    void replaceWithSealed_waitingChunk_leavesWaitingAndSealedTotalsAreTheSums() throws IOException {
        AppLog a = app();
        SealedChunk s1 = sealed(a, 10);
        SealedChunk s2 = sealed(a, 20);

        assertThat(a.sealing).isEmpty();
        assertThat(a.sealed).containsExactly(s1, s2);
        assertThat(a.sealedTotals())
                .isEqualTo(new AppLog.SealedTotals(30, s1.fileSize + s2.fileSize, s1.messageBytes + s2.messageBytes));
        assertThat(a.bytes()).isEqualTo(s1.fileSize + s2.fileSize);
    }

    @Test
    void addSealed_outOfOrder_keepsIdOrder() throws IOException {
        AppLog a = app();
        SealedChunk s0 = sealed(a, 3);
        SealedChunk s1 = sealed(a, 3);

        AppLog reopened = new AppLog("web", dir);
        reopened.addSealed(SealedChunk.open(s1.path, s1.id));
        reopened.addSealed(SealedChunk.open(s0.path, s0.id));
        assertThat(reopened.sealed).extracting(c -> c.id).containsExactly(s0.id, s1.id);
        assertThat(reopened.hasSealedId(s1.id)).isTrue();
        assertThat(reopened.hasSealedId(s1.id + 1)).isFalse();
    }

    @Test
    void dropOldest_takesTheOldestAndCountsItEvicted() throws IOException {
        AppLog a = app();
        SealedChunk s1 = sealed(a, 10);
        SealedChunk s2 = sealed(a, 10);

        assertThat(a.dropOldest()).isSameAs(s1);
        assertThat(a.sealed).containsExactly(s2);
        assertThat(a.sealedTotals()).isEqualTo(new AppLog.SealedTotals(10, s2.fileSize, s2.messageBytes));
        assertThat(a.summary(Stores.T0).evictedBytes()).isEqualTo(s1.fileSize);
        assertThat(a.dropOldest()).isSameAs(s2);
        assertThat(a.dropOldest()).isNull();
        assertThat(a.hasSealed()).isFalse();
        assertThat(a.summary(Stores.T0).evictedBytes()).isEqualTo(s1.fileSize + s2.fileSize);
    }

    @Test
    void removeSealed_byRepair_isNotCountedEvicted() throws IOException {
        AppLog a = app();
        SealedChunk s = sealed(a, 10);

        assertThat(a.removeSealed(s)).isTrue();
        assertThat(a.removeSealed(s)).isFalse();
        assertThat(a.holds(s)).isFalse();
        assertThat(a.sealedTotals()).isEqualTo(new AppLog.SealedTotals(0, 0, 0));
        assertThat(a.summary(Stores.T0).evictedBytes()).isZero();
    }

    @Test
    void replaceSealed_heldChunk_swapsTheRewrittenFileIn_elseDeletesIt() throws IOException {
        AppLog a = app();
        SealedChunk s = sealed(a, 10);
        Path tmp = s.path.resolveSibling(s.path.getFileName() + ".tmp");
        s.writeWithout(java.util.List.of(), tmp);

        SealedChunk r = a.replaceSealed(s, tmp);
        assertThat(r).isNotNull();
        assertThat(a.sealed).containsExactly(r);
        assertThat(a.sealedTotals()).isEqualTo(new AppLog.SealedTotals(r.count, r.fileSize, r.messageBytes));
        assertThat(tmp).doesNotExist();

        Files.write(tmp, new byte[] {1});
        assertThat(a.replaceSealed(s, tmp)).isNull(); // s is no longer held
        assertThat(tmp).doesNotExist();
        assertThat(a.sealed).containsExactly(r);
    }

    @Test
    void takeFailedSeals_handsEachFailedChunkOutOnce() throws IOException {
        AppLog a = app();
        append(a, scratch, 5, Stores.T0);
        ActiveChunk c1 = a.rotate();
        append(a, scratch, 5, Stores.T0);
        ActiveChunk c2 = a.rotate();

        a.sealFailed(c2);
        assertThat(a.takeFailedSeals()).containsExactly(c2);
        assertThat(a.takeFailedSeals()).isEmpty();
        assertThat(a.sealing).containsExactly(c1, c2);
    }

    @Test
    void deferSeal_atOpen_waitsFlaggedFailed() throws IOException {
        AppLog a = app();
        append(a, scratch, 5, Stores.T0);
        ActiveChunk c = a.activeToSeal();
        assertThat(c).isSameAs(a.active);

        a.deferSeal(c);
        assertThat(a.hasActive()).isFalse();
        assertThat(a.sealing).containsExactly(c);
        assertThat(a.takeFailedSeals()).containsExactly(c);
    }

    @Test
    void activeOpenFor_countsFromTheFirstRecord() throws IOException {
        AppLog a = app();
        assertThat(a.activeOpenFor(Stores.T0, 0)).isFalse();
        append(a, scratch, 1, Stores.T0);
        append(a, scratch, 1, Stores.T0 + 500);
        assertThat(a.activeOpenFor(Stores.T0 + 999, 1000)).isFalse();
        assertThat(a.activeOpenFor(Stores.T0 + 1000, 1000)).isTrue();
    }

    @Test
    void batch_joinedOncePerBatch_countsFromZero() {
        AppLog a = app();
        assertThat(a.joinBatch()).isTrue();
        a.countInBatch(10);
        a.countInBatch(5);
        assertThat(a.joinBatch()).isFalse();
        assertThat(a.batchRecords()).isEqualTo(2);
        assertThat(a.batchBytes()).isEqualTo(15);
        assertThat(a.markListed()).isTrue();
        assertThat(a.markListed()).isFalse();

        a.leaveBatch();
        assertThat(a.markListed()).isTrue();
        assertThat(a.joinBatch()).isTrue();
        assertThat(a.batchRecords()).isZero();
        assertThat(a.batchBytes()).isZero();
    }
}
