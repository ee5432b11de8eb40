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
 * how far it was read, and what became of each row. A file is READING while its rows are stored,
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

    public IntakeFiles(PayoutStore store) {
        this.store = store;
    }

    /**
     * Opens the record of a file. When the same file (name, size, modification time) was being read
     * when the gateway stopped, that record is resumed after its last stored row, so no row is
     * stored twice and none is reported as its own duplicate.
     */
    public Opened open(String name, long size, long modifiedMillis) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, row_count FROM intake_file WHERE name = ? "
                    + "AND size_bytes = ? AND modified_at = ? AND state = 'READING' ORDER BY id DESC")) {
                ps.setString(1, name);
                ps.setLong(2, size);
                ps.setLong(3, modifiedMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Opened(rs.getLong(1), rs.getInt(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO intake_file (name, size_bytes, modified_at, state, "
                    + "received_at) VALUES (?, ?, ?, 'READING', ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.setLong(2, size);
                ps.setLong(3, modifiedMillis);
                ps.setObject(4, PayoutStore.ts(store.now()));
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return new Opened(keys.getLong(1), 0);
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

    public void markDone(long fileId, String resultName) {
        markState(fileId, "DONE");
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET result_name = ? WHERE id = ?")) {
                ps.setString(1, resultName);
                ps.setLong(2, fileId);
                return ps.executeUpdate();
            }
        });
    }

    /** WAITING files none of whose accepted payouts is still short of a final state. */
    public List<Waiting> complete() {
        return store.inTransaction(c -> {
            List<Waiting> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT f.id, f.name FROM intake_file f WHERE f.state = 'WAITING' "
                    + "AND NOT EXISTS (SELECT 1 FROM intake_file_row r JOIN payout p ON p.reference = r.reference "
                    + "WHERE r.file_id = f.id AND r.outcome = 'ACCEPTED' AND p.state NOT IN ('SUCCESS', 'FAILED', 'REJECTED')) "
                    + "ORDER BY f.id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Waiting(rs.getLong(1), rs.getString(2)));
                }
            }
            return out;
        });
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
