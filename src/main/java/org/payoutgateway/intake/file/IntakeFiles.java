package org.payoutgateway.intake.file;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.payoutgateway.payout.Admission;
import org.payoutgateway.payout.PayoutStore;

/**
 * The store's record of payout files ({@code intake_file}, {@code intake_file_row}): which file,
 * how far it was read, where it is archived, and what became of each row. A file is READING while its rows are stored,
 * WAITING until every accepted payout is final, DONE once its result file is written, UNREADABLE
 * when it could not be read at all.
 */
public class IntakeFiles {

    /** A file being read: its id and the last row already stored by an earlier, interrupted run. */
    public record Opened(long id, int storedRows) {
    }

    /** A file whose rows are all stored, waiting for its payouts to be final. */
    public record Waiting(long id, String name) {
    }

    private final PayoutStore store;
    private static final java.util.Set<String> FINAL = java.util.Set.of("SUCCESS", "FAILED", "REJECTED");
    /** Per WAITING file: the row number before which every accepted row's payout is known final. */
    private final java.util.Map<Long, Integer> settledBefore = new java.util.concurrent.ConcurrentHashMap<>();

    public IntakeFiles(PayoutStore store) {
        this.store = store;
    }

    /**
     * A file whose reading has not finished (READING): being read now, or stopped with the gateway.
     *
     * @param storedRows the rows of it already stored
     * @param archiveName its name in the archive folder once read (null for files opened before it was recorded)
     * @param modifiedMillis the file's modification time, epoch milliseconds
     */
    public record Unfinished(long id, String name, long sizeBytes, long modifiedMillis, int storedRows, String archiveName) {
    }

    /**
     * Opens the record of a file. When the same file (name, size, modification time) was being read
     * when the gateway stopped, that record is resumed after its last stored row, so no row is
     * stored twice and none is reported as its own duplicate.
     *
     * @param archiveName where the file will be archived once read, recorded so that an unfinished
     *        reading can be resumed from there ({@link #unfinished()})
     */
    public Opened open(String name, long size, long modifiedMillis, String archiveName) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, row_count FROM intake_file WHERE name = ? "
                    + "AND size_bytes = ? AND modified_at = ? AND state = 'READING' ORDER BY id DESC")) {
                ps.setString(1, name);
                ps.setLong(2, size);
                ps.setLong(3, modifiedMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long id = rs.getLong(1);
                        int stored = rs.getInt(2);
                        try (PreparedStatement up = c.prepareStatement("UPDATE intake_file SET archive_name = ? WHERE id = ?")) {
                            up.setString(1, archiveName);
                            up.setLong(2, id);
                            up.executeUpdate();
                        }
                        return new Opened(id, stored);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO intake_file (name, size_bytes, modified_at, state, "
                    + "received_at, archive_name) VALUES (?, ?, ?, 'READING', ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.setLong(2, size);
                ps.setLong(3, modifiedMillis);
                ps.setObject(4, PayoutStore.ts(store.now()));
                ps.setString(5, archiveName);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return new Opened(keys.getLong(1), 0);
                }
            }
        });
    }

    /** Every READING file, oldest first. */
    public List<Unfinished> unfinished() {
        return store.inTransaction(c -> {
            List<Unfinished> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, size_bytes, modified_at, row_count, archive_name "
                    + "FROM intake_file WHERE state = 'READING' ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Unfinished(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
                            rs.getString(6)));
                }
            }
            return out;
        });
    }

    /** The state of one file's record. */
    public String state(long fileId) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT state FROM intake_file WHERE id = ?")) {
                ps.setLong(1, fileId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Records what became of a run of rows, in the caller's transaction with the payouts themselves. */
    public void recordRows(Connection c, long fileId, List<Integer> rowNumbers, List<String> references,
                           List<Admission> admissions, int storedRows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO intake_file_row (file_id, row_no, reference, outcome, "
                + "message) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < rowNumbers.size(); i++) {
                Admission a = admissions.get(i);
                ps.setLong(1, fileId);
                ps.setInt(2, rowNumbers.get(i));
                ps.setString(3, truncate(references.get(i), 64));
                ps.setString(4, a.outcome().name());
                ps.setString(5, truncate(a.message(), 1024));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET row_count = ? WHERE id = ?")) {
            ps.setInt(1, storedRows);
            ps.setLong(2, fileId);
            ps.executeUpdate();
        }
    }

    /** Where a file was archived once read (a name in the archive folder), or null. */
    public String archiveName(long fileId) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT archive_name FROM intake_file WHERE id = ?")) {
                ps.setLong(1, fileId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    public void markState(long fileId, String state) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET state = ?, completed_at = "
                    + "CASE WHEN ? IN ('DONE', 'UNREADABLE') THEN ? ELSE completed_at END WHERE id = ?")) {
                ps.setString(1, state);
                ps.setString(2, state);
                ps.setObject(3, PayoutStore.ts(store.now()));
                ps.setLong(4, fileId);
                return ps.executeUpdate();
            }
        });
    }

    /** The file DONE with its result's name, in one commit (a process killed in between leaves it WAITING). */
    public void markDone(long fileId, String resultName) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET state = 'DONE', completed_at = ?, "
                    + "result_name = ? WHERE id = ?")) {
                ps.setObject(1, PayoutStore.ts(store.now()));
                ps.setString(2, resultName);
                ps.setLong(3, fileId);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * The name of the file's result as recorded before it was written ({@link #recordResultName}),
     * or null: a writer that finds one takes over from a writer that stopped (was killed) after
     * choosing it, perhaps after renaming the result into the outbox.
     */
    public String resultName(long fileId) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT result_name FROM intake_file WHERE id = ?")) {
                ps.setLong(1, fileId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Records the name the file's result is about to be written under (committed before it is written); returns the name recorded. */
    public String recordResultName(long fileId, String resultName) {
        // compare-and-set: of two writers at once (a lock holder that lost the lock without knowing), the
        // first name recorded is the one both write
        int set = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE intake_file SET result_name = ? WHERE id = ? AND result_name IS NULL")) {
                ps.setString(1, resultName);
                ps.setLong(2, fileId);
                return ps.executeUpdate();
            }
        });
        return set == 1 ? resultName : resultName(fileId);
    }

    /** How far a stored file's payouts have got: rows by intake outcome, accepted payouts by state. */
    public record Progress(long rows, long rejected, long duplicate, long waitingToBeSent, long sent, long success, long failed) {
    }

    /** WAITING files (every row stored, results not yet written), oldest first. */
    public List<Waiting> waiting() {
        return store.inTransaction(c -> {
            List<Waiting> waiting = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name FROM intake_file WHERE state = 'WAITING' ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    waiting.add(new Waiting(rs.getLong(1), rs.getString(2)));
                }
            }
            return waiting;
        });
    }

    /**
     * Where a file's rows stand: one pass over its rows and their payouts. Sent counts the accepted
     * payouts past SENDING (SUBMITTED, UNKNOWN or final); waiting to be sent, those RECEIVED or SENDING.
     */
    public Progress progress(long fileId) {
        return store.inTransaction(c -> {
            long rows = 0, rejected = 0, duplicate = 0, waiting = 0, sent = 0, success = 0, failed = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT r.outcome, p.state, COUNT(*) FROM intake_file_row r "
                    + "LEFT JOIN payout p ON p.reference = r.reference AND r.outcome = 'ACCEPTED' WHERE r.file_id = ? "
                    + "GROUP BY r.outcome, p.state")) {
                ps.setLong(1, fileId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String outcome = rs.getString(1);
                        String state = rs.getString(2);
                        long n = rs.getLong(3);
                        rows += n;
                        if (outcome.equals("REJECTED")) {
                            rejected += n;
                        } else if (outcome.equals("DUPLICATE")) {
                            duplicate += n;
                        } else if (state == null || state.equals("RECEIVED") || state.equals("SENDING")) {
                            waiting += n;
                        } else {
                            sent += n;
                            success += state.equals("SUCCESS") ? n : 0;
                            failed += state.equals("FAILED") ? n : 0;
                        }
                    }
                }
            }
            return new Progress(rows, rejected, duplicate, waiting, sent, success, failed);
        });
    }

    /**
     * WAITING files none of whose accepted payouts is still short of a final state. Each file's
     * rows are looked at from the first one found not final last time (a final state never
     * changes), so checking a large file again and again costs about one pass over it in all.
     */
    public List<Waiting> complete() {
        List<Waiting> waiting = waiting();
        return store.inTransaction(c -> {
            List<Waiting> out = new ArrayList<>();
            for (Waiting w : waiting) {
                if (settled(c, w.id())) {
                    settledBefore.remove(w.id());
                    out.add(w);
                }
            }
            return out;
        });
    }

    /**
     * Whether every accepted row of a file has a final payout: its rows are read in order from the
     * remembered position, one payout look-up each, up to the first whose payout is not final
     * (remembered for the next check).
     */
    private boolean settled(java.sql.Connection c, long fileId) throws java.sql.SQLException {
        int from = settledBefore.getOrDefault(fileId, 0);
        try (PreparedStatement rows = c.prepareStatement("SELECT row_no, reference FROM intake_file_row "
                + "WHERE file_id = ? AND row_no >= ? AND outcome = 'ACCEPTED' ORDER BY file_id, row_no LIMIT 500");
             PreparedStatement state = c.prepareStatement("SELECT state FROM payout WHERE reference = ?")) {
            while (true) {
                rows.setLong(1, fileId);
                rows.setInt(2, from);
                boolean any = false;
                try (ResultSet rs = rows.executeQuery()) {
                    while (rs.next()) {
                        any = true;
                        from = rs.getInt(1);
                        state.setString(1, rs.getString(2));
                        try (ResultSet s = state.executeQuery()) {
                            if (s.next() && !FINAL.contains(s.getString(1))) {
                                settledBefore.put(fileId, from);
                                return false;
                            }
                        }
                        from++;
                    }
                }
                if (!any) {
                    return true;
                }
                settledBefore.put(fileId, from);
            }
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
