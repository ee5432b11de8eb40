package org.payoutgateway.intake.file;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.payoutgateway.payout.Admission;
import org.payoutgateway.payout.PayoutStore;

/**
 * The store's record of payout files ({@code intake_file}, {@code intake_file_row}): which file,
 * how far it was read, where it is archived, and what became of each row. A file is READING while its rows are stored,
 * WAITING until every accepted payout is final, DONE once its result file is written, UNREADABLE
 * when it could not be read at all.
 *
 * <p>Of several gateways on one store and one shared inbox, a file is read, and its result written,
 * by the one holding its claim ({@code claimed_by}, {@code claim_expires_at}): taken by
 * compare-and-set, renewed by every batch of rows stored, and checked in each batch's own
 * transaction, so a gateway that lost its claim (paused past the lease while another took the file
 * up) stores nothing more of it. A claim whose holder died lapses after the lease.
 */
public class IntakeFiles {

    /** What {@link #open} found for a file in the inbox. */
    public enum Taken {
        /** Claimed here: read it after {@link Opened#storedRows()}. */
        HERE,
        /** Another gateway holds this file's claim (reads it now, or has just read it and archives it): leave it to that one. */
        ELSEWHERE,
        /** This very drop was read already (its rows are stored) and the gateway stopped before archiving it: archive it only. */
        BEFORE
    }

    /**
     * A file opened for reading: its record's id, the rows of it already stored by an earlier,
     * interrupted reading, and where it is (to be) archived.
     */
    public record Opened(long id, int storedRows, Taken taken, String archiveName) {
    }

    /**
     * Thrown (and the transaction rolled back) when another gateway has taken over this gateway's
     * claim of a file: this one paused past the claim's lease. What this one was doing with the file
     * is given up; the other one goes on with it.
     */
    public static class ClaimLostException extends RuntimeException {
        public ClaimLostException(long fileId) {
            super("payout file record " + fileId + " is claimed by another gateway");
        }
    }

    /** A file whose rows are all stored, waiting for its payouts to be final. */
    public record Waiting(long id, String name) {
    }

    private final PayoutStore store;
    private static final java.util.Set<String> FINAL = java.util.Set.of("SUCCESS", "FAILED", "REJECTED");
    /** Per WAITING file: the row number before which every accepted row's payout is known final. */
    private final java.util.Map<Long, Integer> settledBefore = new java.util.concurrent.ConcurrentHashMap<>();

    /** This gateway's name in claims (payout.instance-id). */
    private final String instanceId;
    /** How long a claim holds unrenewed (payout.intake.file.claim-lease). */
    private final Duration claimLease;

    /**
     * @param instanceId this gateway's name in the files' claims, unique per running gateway
     * @param claimLease how long a claim holds without being renewed: longer than storing one batch of rows
     *                   or writing one result file takes
     */
    public IntakeFiles(PayoutStore store, String instanceId, Duration claimLease) {
        this.store = store;
        this.instanceId = instanceId;
        this.claimLease = claimLease;
    }

    /** This gateway's name in claims. */
    public String instanceId() {
        return instanceId;
    }

    /**
     * A file whose reading has not finished (READING): being read now, or stopped with the gateway.
     *
     * @param storedRows the rows of it already stored
     * @param archiveName its name in the archive folder once read (null for files opened before it was recorded)
     * @param modifiedMillis the file's modification time, epoch milliseconds
     * @param claimedElsewhere whether another gateway holds its claim (reads it now)
     */
    public record Unfinished(long id, String name, long sizeBytes, long modifiedMillis, int storedRows, String archiveName,
                             boolean claimedElsewhere) {
    }

    /**
     * Opens the record of a file found in the inbox, claiming it for this gateway. When the same
     * file (name, size, modification time) was being read when a gateway stopped, that record is
     * resumed after its last stored row, so no row is stored twice and none is reported as its own
     * duplicate. When another gateway holds the claim of this file, or this very drop was read
     * already and only its archiving was cut short (its record WAITING or DONE, its archived copy not
     * there), nothing is claimed ({@link Taken}).
     *
     * @param archiveName where the file will be archived once read, recorded so that an unfinished
     *        reading can be resumed from there ({@link #unfinished()})
     * @param archived whether a name in the archive folder is there
     */
    public Opened open(String name, long size, long modifiedMillis, String archiveName, Predicate<String> archived) {
        return store.inTransaction(c -> {
            // openings of files wait for each other (across gateways): the look-up below sees what the last one recorded
            try (PreparedStatement lock = c.prepareStatement("SELECT id FROM intake_file_open WHERE id = 1 FOR UPDATE");
                 ResultSet locked = lock.executeQuery()) {
                locked.next();
            }
            Instant now = store.now();
            Drop last = lastRecord(c, name, size, modifiedMillis, now);
            if (last != null) {
                if (last.claimedElsewhere()) {
                    return new Opened(last.id(), last.storedRows(), Taken.ELSEWHERE, last.archiveName());
                }
                if (last.state().equals("READING")) {
                    return claim(c, last.id(), "READING", archiveName, now)
                            ? new Opened(last.id(), last.storedRows(), Taken.HERE, archiveName)
                            : new Opened(last.id(), last.storedRows(), Taken.ELSEWHERE, last.archiveName());
                }
                if ((last.state().equals("WAITING") || last.state().equals("DONE")) && last.archiveName() != null
                        && !archived.test(last.archiveName())) {
                    return new Opened(last.id(), last.storedRows(), Taken.BEFORE, last.archiveName());
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO intake_file (name, size_bytes, modified_at, state, "
                    + "received_at, archive_name, claimed_by, claim_expires_at) VALUES (?, ?, ?, 'READING', ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.setLong(2, size);
                ps.setLong(3, modifiedMillis);
                ps.setObject(4, PayoutStore.ts(now));
                ps.setString(5, archiveName);
                ps.setString(6, instanceId);
                ps.setObject(7, PayoutStore.ts(now.plus(claimLease)));
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return new Opened(keys.getLong(1), 0, Taken.HERE, archiveName);
                }
            }
        });
    }

    /**
     * Whether another gateway holds the claim of this drop of a file (name, size, modification
     * time): the inbox's file filter leaves such a file alone ({@link FileIntake#inboxFilter()}).
     */
    public boolean claimedElsewhere(String name, long size, long modifiedMillis) {
        return store.inTransaction(c -> {
            Drop last = lastRecord(c, name, size, modifiedMillis, store.now());
            return last != null && last.claimedElsewhere();
        });
    }

    /** The latest record of one drop of a file (name, size, modification time), as {@link #open} weighs it. */
    private record Drop(long id, int storedRows, String state, String archiveName, boolean claimedElsewhere) {
    }

    private Drop lastRecord(Connection c, String name, long size, long modifiedMillis, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, row_count, state, archive_name, claimed_by, "
                + "claim_expires_at FROM intake_file WHERE name = ? AND size_bytes = ? AND modified_at = ? ORDER BY id DESC")) {
            ps.setString(1, name);
            ps.setLong(2, size);
            ps.setLong(3, modifiedMillis);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Drop(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        claimedElsewhere(rs.getString(5), rs.getObject(6, OffsetDateTime.class), now)) : null;
            }
        }
    }

    private boolean claimedElsewhere(String claimedBy, OffsetDateTime expires, Instant now) {
        return claimedBy != null && !claimedBy.equals(instanceId) && expires != null && expires.toInstant().isAfter(now);
    }

    /**
     * Claims a READING file for this gateway (compare-and-set: unclaimed, claimed here, or its
     * claim lapsed), to resume its reading from its archived copy. False when another holds it.
     */
    public boolean claimReading(long fileId) {
        return store.inTransaction(c -> claim(c, fileId, "READING", null, store.now()));
    }

    /**
     * The claim's compare-and-set: the file in {@code state}, unclaimed, claimed here or its claim
     * lapsed, becomes claimed here for the lease ({@code archiveName}, when given, recorded with it).
     */
    private boolean claim(Connection c, long fileId, String state, String archiveName, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET claimed_by = ?, claim_expires_at = ?, "
                + "archive_name = COALESCE(?, archive_name) WHERE id = ? AND state = ? "
                + "AND (claimed_by IS NULL OR claimed_by = ? OR claim_expires_at < ?)")) {
            ps.setString(1, instanceId);
            ps.setObject(2, PayoutStore.ts(now.plus(claimLease)));
            ps.setString(3, archiveName);
            ps.setLong(4, fileId);
            ps.setString(5, state);
            ps.setString(6, instanceId);
            ps.setObject(7, PayoutStore.ts(now));
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Renews this gateway's claim of a READING file, first thing in the transaction that stores a
     * batch of its rows (the record stays locked by it until that commits).
     *
     * @throws ClaimLostException when another gateway holds the claim now: the batch is rolled back
     */
    public void holdClaim(Connection c, long fileId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET claim_expires_at = ? WHERE id = ? "
                + "AND claimed_by = ? AND state = 'READING'")) {
            ps.setObject(1, PayoutStore.ts(store.now().plus(claimLease)));
            ps.setLong(2, fileId);
            ps.setString(3, instanceId);
            if (ps.executeUpdate() != 1) {
                throw new ClaimLostException(fileId);
            }
        }
    }

    /** Every READING file, oldest first. */
    public List<Unfinished> unfinished() {
        return store.inTransaction(c -> {
            List<Unfinished> out = new ArrayList<>();
            Instant now = store.now();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, size_bytes, modified_at, row_count, archive_name, "
                    + "claimed_by, claim_expires_at FROM intake_file WHERE state = 'READING' ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Unfinished(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
                            rs.getString(6), claimedElsewhere(rs.getString(7), rs.getObject(8, OffsetDateTime.class), now)));
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

    /**
     * Ends this gateway's reading of a file: WAITING (every row stored) or UNREADABLE. The claim is
     * kept until its lease lapses, so another gateway that sees the file in the inbox before this one
     * has archived it leaves it alone.
     *
     * @throws ClaimLostException when another gateway holds the file's claim now
     */
    public void finishReading(long fileId, String state) {
        int set = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET state = ?, completed_at = "
                    + "CASE WHEN ? = 'UNREADABLE' THEN ? ELSE completed_at END WHERE id = ? AND claimed_by = ? "
                    + "AND state = 'READING'")) {
                ps.setString(1, state);
                ps.setString(2, state);
                ps.setObject(3, PayoutStore.ts(store.now()));
                ps.setLong(4, fileId);
                ps.setString(5, instanceId);
                return ps.executeUpdate();
            }
        });
        if (set != 1) {
            throw new ClaimLostException(fileId);
        }
    }

    /**
     * Claims a WAITING file's result for this gateway to write (compare-and-set: unclaimed, claimed
     * here, or its claim lapsed). False when another gateway holds the file's claim (its reader, for
     * the claim's lease after reading, or another writer).
     */
    public boolean claimResult(long fileId) {
        return store.inTransaction(c -> claim(c, fileId, "WAITING", null, store.now()));
    }

    /**
     * The file DONE with its result's name, in one commit (a process killed in between leaves it
     * WAITING), if this gateway still holds its claim ({@link #claimResult}); false when another
     * gateway took the claim over meanwhile (and writes the same result under the same name).
     */
    public boolean markDone(long fileId, String resultName) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET state = 'DONE', completed_at = ?, "
                    + "result_name = ? WHERE id = ? AND state = 'WAITING' AND claimed_by = ?")) {
                ps.setObject(1, PayoutStore.ts(store.now()));
                ps.setString(2, resultName);
                ps.setLong(3, fileId);
                ps.setString(4, instanceId);
                return ps.executeUpdate();
            }
        }) == 1;
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
