package io.spillway.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.event.EventSeverity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncidentStoreTest {
    @TempDir
    Path dir;

    static IncidentRow row(String key) {
        IncidentRow r = new IncidentRow();
        r.dedupKey = key;
        r.kind = "k";
        r.severity = EventSeverity.CRITICAL;
        r.summary = "s";
        r.host = "h";
        r.app = null;
        r.labels = Map.of("a", "b");
        r.details = Map.of("top_writer", "x");
        r.created = Instant.parse("2026-05-01T00:00:00Z");
        r.updated = r.created;
        r.nextEscalation = r.created.plusSeconds(300);
        r.notified.add("pager");
        return r;
    }

    @Test
    void roundTrip_everyFieldSurvivesReopen() {
        Path db = dir.resolve("sub/incidents.db");
        long id;
        try (IncidentStore s = new IncidentStore(db, 100)) {
            IncidentRow r = row("k1");
            s.insert(r);
            id = r.id;
            s.append(r, r.created, TimelineEntry.Type.TRIGGERED, "opened", Map.of("source", "event"));
            r.level = 2;
            r.round = 1;
            r.ackedBy = "alice";
            r.state = IncidentState.ACKNOWLEDGED;
            s.update(r);
        }
        try (IncidentStore s = new IncidentStore(db, 100)) {
            IncidentRow r = s.get(id);
            assertThat(r).isNotNull();
            Incident i = r.snapshot(s.timeline(id));
            assertThat(i.state()).isEqualTo(IncidentState.ACKNOWLEDGED);
            assertThat(i.level()).isEqualTo(2);
            assertThat(i.round()).isEqualTo(1);
            assertThat(i.app()).isNull();
            assertThat(i.acknowledgedBy()).isEqualTo("alice");
            assertThat(i.labels()).containsEntry("a", "b");
            assertThat(i.notifiedTargets()).containsExactly("pager");
            assertThat(i.nextEscalation()).isEqualTo(Instant.parse("2026-05-01T00:05:00Z"));
            assertThat(i.timeline()).singleElement().satisfies(t -> {
                assertThat(t.type()).isEqualTo(TimelineEntry.Type.TRIGGERED);
                assertThat(t.data()).containsEntry("source", "event");
            });
            assertThat(s.loadOpen()).hasSize(1);
            assertThat(s.latest("k1").id).isEqualTo(id);
            assertThat(s.latest("nope")).isNull();
        }
    }

    @Test
    void open_fileFromNewerSchema_refusedWithClearMessage() throws Exception {
        Path db = dir.resolve("incidents.db");
        new IncidentStore(db, 100).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            st.execute("UPDATE schema_version SET version = 99");
        }
        assertThatThrownBy(() -> new IncidentStore(db, 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining(db.toString());
    }

    @Test
    void open_garbageFile_refusedWithClearMessage() throws Exception {
        Path db = dir.resolve("incidents.db");
        Files.writeString(db, "this is not a database, just some text that is long enough to look like a header");
        assertThatThrownBy(() -> new IncidentStore(db, 100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot open incident store");
    }

    /** A filesystem whose free space the test sets, total 64 MiB. */
    static final class SmallDisk implements io.spillway.space.DiskSpace {
        volatile long usable;

        SmallDisk(long usable) {
            this.usable = usable;
        }

        @Override
        public long usableBytes() {
            return usable;
        }

        @Override
        public long totalBytes() {
            return 64L << 20;
        }
    }

    @Test
    void write_belowItsFloor_refusedWithTheKeyInsteadOfSqliteFull_andRecordsAgainWhenSpaceReturns() {
        SmallDisk disk = new SmallDisk(32L << 20);
        io.spillway.space.SpaceWriter space = io.spillway.space.SpaceAccountant.standalone(
                "incidents", dir, io.spillway.space.SpaceFloor.ofBytes(2L << 20), "alert.min_free_space", disk);
        try (IncidentStore s = new IncidentStore(dir.resolve("incidents.db"), 100, space)) {
            IncidentRow first = row("k1");
            s.insert(first);

            disk.usable = (2L << 20) + 4096; // less than one transaction above the floor
            assertThatThrownBy(() -> s.insert(row("k2")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("alert.min_free_space")
                    .hasMessageContaining("not writing");
            assertThat(space.refusedWrites()).isEqualTo(1);

            disk.usable = 32L << 20;
            IncidentRow again = row("k2");
            s.insert(again);
            assertThat(s.get(again.id)).isNotNull();
        }
    }
}
