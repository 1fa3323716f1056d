package io.spillway.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.event.EventSeverity;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Incidents, their timelines and silences in one SQLite file (WAL mode).
 *
 * <p>Format: table {@code schema_version} holds one row with the schema version ({@link #VERSION});
 * a file with a newer version is refused rather than misread. Instants are epoch milliseconds; maps
 * and lists are JSON text. Timeline rows are keyed by {@code (incident_id, seq)}; the incident row
 * counts how many it has and how many were dropped, so the cap is enforced without a count query.
 *
 * <p>Not thread-safe: the engine calls it under its lock. Every write is its own transaction
 * (auto-commit); with WAL and {@code synchronous=NORMAL} a crash loses at most the last few writes,
 * never consistency.
 *
 * <p>Space (G1, G4): the WAL is checkpointed every {@value #WAL_AUTOCHECKPOINT_PAGES} pages and cut
 * back to {@value #WAL_SIZE_LIMIT} bytes after a checkpoint, so it cannot grow with the number of
 * writes. Every write transaction first reserves {@link #TRANSACTION_BYTES} with the space accountant
 * (its WAL frames and their copy into the database at the next checkpoint); a refused one fails with
 * the refusal's figures instead of running into {@code SQLITE_FULL}. The incident store's floor is
 * below every other writer's on its filesystem, so it keeps recording after they stopped.
 */
final class IncidentStore implements Closeable {
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {};
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {};
    private static final String COLUMNS = "id, dedup_key, kind, severity, summary, details, host, app, labels, source,"
            + " state, policy, level, round, created, updated, acked_by, acked_via, acked_at, resolved_by,"
            + " resolved_at, next_escalation, last_notified, parent_id, silence_id, top_writer, notified,"
            + " timeline_dropped, timeline_seq, timeline_count";

    /** Every column but the id, which SQLite assigns: what {@link #bind} writes, in order. */
    private static final List<String> FIELDS =
            List.of(COLUMNS.substring("id, ".length()).split(",\\s*"));

    private static final String INSERT = "INSERT INTO incidents(" + String.join(", ", FIELDS) + ") VALUES ("
            + String.join(",", java.util.Collections.nCopies(FIELDS.size(), "?")) + ")";

    private static final String UPDATE = "UPDATE incidents SET " + String.join("=?, ", FIELDS) + "=? WHERE id=?";

    /** WAL pages between automatic checkpoints (SQLite's default is 1000, about 4 MiB). */
    static final int WAL_AUTOCHECKPOINT_PAGES = 256;

    /** Bytes the WAL file is cut back to after a checkpoint. */
    static final int WAL_SIZE_LIMIT = 1 << 20;

    /**
     * Bytes one write transaction reserves: 16 pages of 4 KiB with their 24-byte WAL frame headers,
     * twice (the WAL frames, then the same pages copied into the database file at a checkpoint). A
     * transaction here changes a row, its two index entries and a timeline row: a few pages.
     */
    static final long TRANSACTION_BYTES = 2L * 16 * (4096 + 24);

    /** A prune deletes many rows at once: a larger bound. */
    static final long PRUNE_BYTES = 1L << 20;

    private final Connection db;
    private final int timelineCap;
    private final SpaceWriter space;
    private final Path file;
    private final Path wal;
    private final Path shm;

    IncidentStore(Path file, int timelineCap) {
        this(file, timelineCap, SpaceWriter.unaccounted("incidents", file));
    }

    IncidentStore(Path file, int timelineCap, SpaceWriter space) {
        this.timelineCap = timelineCap;
        this.space = space;
        this.file = file.toAbsolutePath();
        this.wal = this.file.resolveSibling(this.file.getFileName() + "-wal");
        this.shm = this.file.resolveSibling(this.file.getFileName() + "-shm");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA wal_autocheckpoint=" + WAL_AUTOCHECKPOINT_PAGES);
                s.execute("PRAGMA journal_size_limit=" + WAL_SIZE_LIMIT);
            }
            try (Claim room = claim("create its tables", TRANSACTION_BYTES)) {
                migrate();
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot open incident store " + file + ": " + e.getMessage(), e);
        }
    }

    private void migrate() throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)");
            int current = 0;
            try (ResultSet rs = s.executeQuery("SELECT max(version) FROM schema_version")) {
                if (rs.next()) {
                    current = rs.getInt(1);
                }
            }
            if (current > VERSION) {
                throw new SQLException("the file has schema version " + current + " but this Spillway knows only up to "
                        + VERSION + "; use a newer Spillway or move the file away");
            }
            if (current < 1) {
                db.setAutoCommit(false);
                s.execute("CREATE TABLE incidents(id INTEGER PRIMARY KEY AUTOINCREMENT, dedup_key TEXT NOT NULL,"
                        + " kind TEXT NOT NULL, severity TEXT NOT NULL, summary TEXT NOT NULL, details TEXT NOT NULL,"
                        + " host TEXT NOT NULL, app TEXT, labels TEXT NOT NULL, source TEXT NOT NULL,"
                        + " state TEXT NOT NULL, policy TEXT NOT NULL, level INTEGER NOT NULL, round INTEGER NOT NULL,"
                        + " created INTEGER NOT NULL, updated INTEGER NOT NULL, acked_by TEXT, acked_via TEXT,"
                        + " acked_at INTEGER, resolved_by TEXT, resolved_at INTEGER, next_escalation INTEGER,"
                        + " last_notified INTEGER, parent_id INTEGER NOT NULL, silence_id INTEGER NOT NULL,"
                        + " top_writer TEXT, notified TEXT NOT NULL, timeline_dropped INTEGER NOT NULL,"
                        + " timeline_seq INTEGER NOT NULL, timeline_count INTEGER NOT NULL)");
                s.execute("CREATE INDEX incidents_state ON incidents(state, resolved_at)");
                s.execute("CREATE INDEX incidents_key ON incidents(dedup_key, id)");
                s.execute("CREATE TABLE timeline(incident_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
                        + " time INTEGER NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL, data TEXT NOT NULL,"
                        + " PRIMARY KEY(incident_id, seq))");
                s.execute("CREATE TABLE silences(id INTEGER PRIMARY KEY AUTOINCREMENT, matcher TEXT NOT NULL,"
                        + " starts INTEGER NOT NULL, ends INTEGER NOT NULL, created_by TEXT NOT NULL,"
                        + " comment TEXT NOT NULL, expired_at INTEGER)");
                s.execute("DELETE FROM schema_version");
                s.execute("INSERT INTO schema_version(version) VALUES (" + VERSION + ")");
                db.commit();
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if (!db.getAutoCommit()) {
                db.rollback();
                db.setAutoCommit(true);
            }
            throw e;
        }
    }

    int schemaVersion() {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            throw failed("read schema version", e);
        }
    }

    String journalMode() {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            return rs.next() ? rs.getString(1) : "";
        } catch (SQLException e) {
            throw failed("read journal mode", e);
        }
    }

    /** Inserts a new incident and assigns its id. */
    void insert(IncidentRow r) {
        Claim room = claim("insert incident", TRANSACTION_BYTES);
        try (room;
                PreparedStatement ps = db.prepareStatement(INSERT, Statement.RETURN_GENERATED_KEYS)) {
            bind(ps, r, 1);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                r.id = keys.getLong(1);
            }
        } catch (SQLException e) {
            throw failed("insert incident", e);
        }
    }

    /** Writes every field of an existing incident. */
    void update(IncidentRow r) {
        Claim room = claim("update incident " + r.id, TRANSACTION_BYTES);
        try (room;
                PreparedStatement ps = db.prepareStatement(UPDATE)) {
            int next = bind(ps, r, 1);
            ps.setLong(next, r.id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("update incident " + r.id, e);
        }
    }

    private static int bind(PreparedStatement ps, IncidentRow r, int i) throws SQLException {
        ps.setString(i++, r.dedupKey);
        ps.setString(i++, r.kind);
        ps.setString(i++, r.severity.name());
        ps.setString(i++, r.summary);
        ps.setString(i++, json(r.details));
        ps.setString(i++, r.host);
        ps.setString(i++, r.app);
        ps.setString(i++, json(r.labels));
        ps.setString(i++, r.source.label());
        ps.setString(i++, r.state.label());
        ps.setString(i++, r.policy);
        ps.setInt(i++, r.level);
        ps.setInt(i++, r.round);
        ps.setLong(i++, r.created.toEpochMilli());
        ps.setLong(i++, r.updated.toEpochMilli());
        ps.setString(i++, r.ackedBy);
        ps.setString(i++, r.ackedVia);
        setInstant(ps, i++, r.ackedAt);
        ps.setString(i++, r.resolvedBy);
        setInstant(ps, i++, r.resolvedAt);
        setInstant(ps, i++, r.nextEscalation);
        setInstant(ps, i++, r.lastNotified);
        ps.setLong(i++, r.parentId);
        ps.setLong(i++, r.silenceId);
        ps.setString(i++, r.topWriter);
        ps.setString(i++, json(List.copyOf(r.notified)));
        ps.setLong(i++, r.timelineDropped);
        ps.setLong(i++, r.timelineSeq);
        ps.setLong(i++, r.timelineCount);
        return i;
    }

    private static void setInstant(PreparedStatement ps, int i, @Nullable Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }

    /**
     * Appends one entry, numbering it; if the incident then holds more than the cap, drops its oldest
     * entries and counts them in {@code timelineDropped}. The caller writes the row afterwards.
     */
    TimelineEntry append(
            IncidentRow r, Instant time, TimelineEntry.Type type, String message, Map<String, String> data) {
        Claim room = claim("append to the timeline of incident " + r.id, TRANSACTION_BYTES);
        TimelineEntry e = new TimelineEntry(++r.timelineSeq, time, type, message, data);
        try (room;
                PreparedStatement ps = db.prepareStatement(
                        "INSERT INTO timeline(incident_id, seq, time, type, message, data) VALUES (?,?,?,?,?,?)")) {
            ps.setLong(1, r.id);
            ps.setLong(2, e.seq());
            ps.setLong(3, time.toEpochMilli());
            ps.setString(4, type.label());
            ps.setString(5, message);
            ps.setString(6, json(e.data()));
            ps.executeUpdate();
            r.timelineCount++;
            if (r.timelineCount > timelineCap) {
                long excess = r.timelineCount - timelineCap;
                try (PreparedStatement del = db.prepareStatement("DELETE FROM timeline WHERE incident_id=? AND seq IN"
                        + " (SELECT seq FROM timeline WHERE incident_id=? ORDER BY seq LIMIT ?)")) {
                    del.setLong(1, r.id);
                    del.setLong(2, r.id);
                    del.setLong(3, excess);
                    int n = del.executeUpdate();
                    r.timelineCount -= n;
                    r.timelineDropped += n;
                }
            }
        } catch (SQLException ex) {
            throw failed("append to the timeline of incident " + r.id, ex);
        }
        return e;
    }

    List<TimelineEntry> timeline(long id) {
        List<TimelineEntry> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT seq, time, type, message, data FROM timeline WHERE incident_id=? ORDER BY seq")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TimelineEntry(
                            rs.getLong(1),
                            Instant.ofEpochMilli(rs.getLong(2)),
                            TimelineEntry.Type.parse(rs.getString(3)),
                            rs.getString(4),
                            map(rs.getString(5))));
                }
            }
        } catch (SQLException e) {
            throw failed("read the timeline of incident " + id, e);
        }
        return out;
    }

    List<IncidentRow> loadOpen() {
        return query("SELECT " + COLUMNS + " FROM incidents WHERE state != 'resolved' ORDER BY id", ps -> {});
    }

    @Nullable
    IncidentRow get(long id) {
        List<IncidentRow> rows = query("SELECT " + COLUMNS + " FROM incidents WHERE id=?", ps -> ps.setLong(1, id));
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The newest incident with this key, open or not. */
    @Nullable
    IncidentRow latest(String dedupKey) {
        List<IncidentRow> rows = query(
                "SELECT " + COLUMNS + " FROM incidents WHERE dedup_key=? ORDER BY id DESC LIMIT 1",
                ps -> ps.setString(1, dedupKey));
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Newest first, as the filter says. */
    List<IncidentRow> list(IncidentFilter f) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM incidents WHERE 1=1");
        List<String> args = new ArrayList<>();
        if (f.state() != null) {
            sql.append(" AND state=?");
            args.add(f.state().label());
        }
        if (f.host() != null) {
            sql.append(" AND host=?");
            args.add(f.host());
        }
        if (f.app() != null) {
            sql.append(" AND app=?");
            args.add(f.app());
        }
        if (f.minSeverity() != null) {
            sql.append(" AND severity IN (");
            String sep = "";
            for (EventSeverity s : EventSeverity.values()) {
                if (s.atLeast(f.minSeverity())) {
                    sql.append(sep).append('?');
                    args.add(s.name());
                    sep = ",";
                }
            }
            sql.append(')');
        }
        sql.append(" ORDER BY id DESC LIMIT ").append(f.limit());
        return query(sql.toString(), ps -> {
            for (int i = 0; i < args.size(); i++) {
                ps.setString(i + 1, args.get(i));
            }
        });
    }

    /** Deletes resolved incidents (and their timelines) resolved before {@code before}; returns how many. */
    int prune(Instant before) {
        Claim room = claim("prune resolved incidents", PRUNE_BYTES);
        try (room) {
            db.setAutoCommit(false);
            try (PreparedStatement t = db.prepareStatement("DELETE FROM timeline WHERE incident_id IN (SELECT id FROM"
                            + " incidents WHERE state='resolved' AND resolved_at < ?)");
                    PreparedStatement i =
                            db.prepareStatement("DELETE FROM incidents WHERE state='resolved' AND resolved_at < ?")) {
                t.setLong(1, before.toEpochMilli());
                t.executeUpdate();
                i.setLong(1, before.toEpochMilli());
                int n = i.executeUpdate();
                db.commit();
                return n;
            } catch (SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failed("prune resolved incidents", e);
        }
    }

    long insertSilence(Silence s) {
        Claim room = claim("insert silence", TRANSACTION_BYTES);
        try (room;
                PreparedStatement ps = db.prepareStatement(
                        "INSERT INTO silences(matcher, starts, ends, created_by, comment, expired_at) VALUES (?,?,?,?,?,?)",
                        Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, JSON.writeValueAsString(s.matcher()));
            ps.setLong(2, s.starts().toEpochMilli());
            ps.setLong(3, s.ends().toEpochMilli());
            ps.setString(4, s.createdBy());
            ps.setString(5, s.comment());
            setInstant(ps, 6, s.expiredAt());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException | JsonProcessingException e) {
            throw failed("insert silence", e);
        }
    }

    void expireSilence(long id, Instant at) {
        Claim room = claim("expire silence " + id, TRANSACTION_BYTES);
        try (room;
                PreparedStatement ps = db.prepareStatement("UPDATE silences SET expired_at=? WHERE id=?")) {
            ps.setLong(1, at.toEpochMilli());
            ps.setLong(2, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("expire silence " + id, e);
        }
    }

    /** Deletes silences that ended before {@code before}. */
    void pruneSilences(Instant before) {
        Claim room = claim("prune silences", TRANSACTION_BYTES);
        try (room;
                PreparedStatement ps =
                        db.prepareStatement("DELETE FROM silences WHERE min(ends, coalesce(expired_at, ends)) < ?")) {
            ps.setLong(1, before.toEpochMilli());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("prune silences", e);
        }
    }

    List<Silence> silences() {
        List<Silence> out = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT id, matcher, starts, ends, created_by, comment, expired_at FROM silences ORDER BY id")) {
            while (rs.next()) {
                long expired = rs.getLong(7);
                boolean none = rs.wasNull();
                out.add(new Silence(
                        rs.getLong(1),
                        JSON.readValue(rs.getString(2), Match.class),
                        Instant.ofEpochMilli(rs.getLong(3)),
                        Instant.ofEpochMilli(rs.getLong(4)),
                        rs.getString(5),
                        rs.getString(6),
                        none ? null : Instant.ofEpochMilli(expired)));
            }
        } catch (SQLException | IOException e) {
            throw failed("read silences", e);
        }
        return out;
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<IncidentRow> query(String sql, Binder binder) {
        List<IncidentRow> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        } catch (SQLException e) {
            throw failed("read incidents", e);
        }
        return out;
    }

    private static IncidentRow read(ResultSet rs) throws SQLException {
        IncidentRow r = new IncidentRow();
        int i = 1;
        r.id = rs.getLong(i++);
        r.dedupKey = rs.getString(i++);
        r.kind = rs.getString(i++);
        r.severity = EventSeverity.valueOf(rs.getString(i++));
        r.summary = rs.getString(i++);
        r.details = map(rs.getString(i++));
        r.host = rs.getString(i++);
        r.app = rs.getString(i++);
        r.labels = map(rs.getString(i++));
        r.source = IncidentSource.parse(rs.getString(i++));
        r.state = IncidentState.parse(rs.getString(i++));
        r.policy = rs.getString(i++);
        r.level = rs.getInt(i++);
        r.round = rs.getInt(i++);
        r.created = Instant.ofEpochMilli(rs.getLong(i++));
        r.updated = Instant.ofEpochMilli(rs.getLong(i++));
        r.ackedBy = rs.getString(i++);
        r.ackedVia = rs.getString(i++);
        r.ackedAt = instant(rs, i++);
        r.resolvedBy = rs.getString(i++);
        r.resolvedAt = instant(rs, i++);
        r.nextEscalation = instant(rs, i++);
        r.lastNotified = instant(rs, i++);
        r.parentId = rs.getLong(i++);
        r.silenceId = rs.getLong(i++);
        r.topWriter = rs.getString(i++);
        r.notified = new LinkedHashSet<>(list(rs.getString(i++)));
        r.timelineDropped = rs.getLong(i++);
        r.timelineSeq = rs.getLong(i++);
        r.timelineCount = rs.getLong(i);
        return r;
    }

    private static @Nullable Instant instant(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> map(String json) {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> list(String json) {
        try {
            return JSON.readValue(json, LIST);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reserves room for one write transaction; refused, the write fails with the figures and the
     * floor's key ({@code alert.min_free_space}) before SQLite runs into a full disk. Closing the
     * claim settles it with what the files (database, WAL, shared memory) actually grew by, so the
     * bound is only held while the transaction runs.
     */
    private Claim claim(String what, long bytes) {
        Reservation r = space.reserve(bytes);
        if (!r.granted()) {
            throw new IllegalStateException("incident store: cannot " + what + ": " + r.refusal());
        }
        return new Claim(r, footprint());
    }

    /** A granted reservation and the files' size when it was made. */
    private final class Claim implements AutoCloseable {
        private final Reservation reservation;
        private final long before;

        Claim(Reservation reservation, long before) {
            this.reservation = reservation;
            this.before = before;
        }

        @Override
        public void close() {
            reservation.written(Math.max(0, footprint() - before));
        }
    }

    /** Bytes of the database file and its WAL and shared-memory files. */
    private long footprint() {
        long sum = 0;
        for (Path p : new Path[] {file, wal, shm}) {
            try {
                sum += Files.size(p);
            } catch (IOException e) {
                // not there (yet): nothing of it
            }
        }
        return sum;
    }

    private static IllegalStateException failed(String what, Exception e) {
        return new IllegalStateException("incident store: cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw failed("close", e);
        }
    }
}
