package org.payoutgateway.intake.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.payoutgateway.payout.PayoutStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write-back for payout files, as called by {@code routes/file-results.yaml}: once every row of a
 * file is settled (REJECTED, DUPLICATE, or its payout SUCCESS or FAILED), writes
 * {@code <outbox-dir>/<original name>.result.csv}, one row per input row in input order, columns
 * {@code reference,status,provider,provider_reference,provider_status,message,updated_at}. The file
 * is written under a temporary name and renamed, so a reader never sees half of it; an existing
 * result of the same name (the same file dropped again) is kept and the new one gets the file's
 * intake id in its name.
 */
public class FileResults {

    private static final Logger LOG = LoggerFactory.getLogger(FileResults.class);
    public static final String[] COLUMNS = {"reference", "status", "provider", "provider_reference", "provider_status",
        "message", "updated_at"};

    private final PayoutStore store;
    private final IntakeFiles files;
    private final Path outboxDir;
    private final Duration progressInterval;
    /** Where read files are archived: an ISO 20022 file's pain.002 is written from its archived copy (null: none). */
    private final Path archiveDir;
    private long nextProgress;

    /** @param progressInterval how often a stored file whose payouts are still going out logs how far they got */
    public FileResults(PayoutStore store, IntakeFiles files, Path outboxDir, Duration progressInterval) {
        this(store, files, outboxDir, progressInterval, null);
    }

    /** @param archiveDir where read files are archived: a pain.001 file's pain.002 result is written from its archived copy */
    public FileResults(PayoutStore store, IntakeFiles files, Path outboxDir, Duration progressInterval, Path archiveDir) {
        this.archiveDir = archiveDir == null ? null : archiveDir.toAbsolutePath().normalize();
        this.store = store;
        this.files = files;
        this.outboxDir = outboxDir.toAbsolutePath();
        this.progressInterval = progressInterval;
        this.nextProgress = System.nanoTime() + progressInterval.toNanos();
    }

    /**
     * Writes the result of every file that has become complete, with a summary log line; every
     * progress interval, logs how far each other stored file's payouts got. Returns how many
     * results were written.
     */
    public int writeCompleted() throws IOException {
        int written = 0;
        for (IntakeFiles.Waiting f : files.complete()) {
            if (!files.claimResult(f.id())) {
                continue; // another gateway holds the file's claim: its reader for the claim's lease, or another writer
            }
            // recorded before the result was written: an earlier writer chose it and stopped (was killed)
            // before recording the file DONE, perhaps after renaming the result into the outbox
            String recorded = files.resultName(f.id());
            Written result = write(f, recorded);
            Path pain002 = writePain002(f, recorded);
            if (!files.markDone(f.id(), result.path().getFileName().toString())) {
                LOG.warn("Payout file {}: another gateway took over writing its result (this one paused past the claim's "
                        + "lease); both wrote it under the one recorded name {}", f.name(), result.path().getFileName());
                continue;
            }
            LOG.info("Payout file {}: every row settled ({} rows: {} success, {} failed, {} rejected, {} duplicate), "
                    + "result written to {}", f.name(), result.rows(), result.count("SUCCESS"), result.count("FAILED"),
                    result.count("REJECTED"), result.count("DUPLICATE"), result.path()
                    + (pain002 == null ? "" : " and " + pain002));
            written++;
        }
        if (LOG.isInfoEnabled() && System.nanoTime() - nextProgress >= 0) {
            nextProgress = System.nanoTime() + progressInterval.toNanos();
            for (IntakeFiles.Waiting f : files.waiting()) {
                IntakeFiles.Progress p = files.progress(f.id());
                LOG.info("Payout file {}: {} rows stored ({} rejected, {} duplicate); {} sent ({} success, {} failed), "
                        + "{} waiting to be sent", f.name(), p.rows(), p.rejected(), p.duplicate(), p.sent(), p.success(),
                        p.failed(), p.waitingToBeSent());
            }
        }
        return written;
    }

    /** A result file written, and how many of its rows have each status. */
    private record Written(Path path, Map<String, Long> statuses) {
        long rows() {
            return statuses.values().stream().mapToLong(Long::longValue).sum();
        }

        long count(String status) {
            return statuses.getOrDefault(status, 0L);
        }
    }

    /**
     * Writes the file's result under the name recorded for it, or (none recorded yet) under a new
     * name, recorded before anything is written. A result already in the outbox under the recorded
     * name was renamed there whole by a writer that stopped before recording the file DONE: it is
     * kept, not written a second time (nor under a second name).
     */
    private Written write(IntakeFiles.Waiting f, String recorded) throws IOException {
        Files.createDirectories(outboxDir);
        Path target = recorded == null ? null : outboxDir.resolve(recorded).normalize();
        if (target == null || !outboxDir.normalize().equals(target.getParent())) {
            target = outboxDir.resolve(f.name() + ".result.csv");
            if (Files.exists(target)) {
                target = outboxDir.resolve(f.name() + "." + f.id() + ".result.csv");
            }
            String chosen = files.recordResultName(f.id(), target.getFileName().toString());
            if (chosen.equals(target.getFileName().toString())) {
                recorded = null;
            } else { // another writer recorded its name first: the same result, under that name
                recorded = chosen;
                target = outboxDir.resolve(chosen).normalize();
            }
        }
        Path tmp = temporary(target);
        Map<String, Long> statuses = new HashMap<>();
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(w, CSVFormat.RFC4180.builder().setHeader(COLUMNS).build())) {
            store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT r.reference, r.outcome, r.message, p.state, p.account, "
                        + "p.provider_reference, p.provider_status, p.message, p.updated_at FROM intake_file_row r "
                        + "LEFT JOIN payout p ON p.reference = r.reference WHERE r.file_id = ? ORDER BY r.row_no")) {
                    ps.setFetchSize(1000);
                    ps.setLong(1, f.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            statuses.merge(printRow(csv, rs), 1L, Long::sum);
                        }
                    }
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (recorded != null && Files.exists(target)) {
            Files.delete(tmp);
            LOG.info("Payout file {}: its result {} was already in the outbox (written before a stop); not written again",
                    f.name(), target.getFileName());
            return new Written(target, statuses);
        }
        return new Written(Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING),
                statuses);
    }

    /**
     * For an ISO 20022 pain.001 file: writes {@code <outbox-dir>/<original name>.pain.002.xml}, the
     * status report of the matching version, from the file's archived copy (message and payment
     * information ids, read again one transaction at a time) and the stored rows (in the same
     * order: row numbers are transaction ordinals). Returns null for other files, or when the
     * archived copy is gone or cannot be read (logged; the CSV result is written all the same).
     */
    private Path writePain002(IntakeFiles.Waiting f, String recordedResult) throws IOException {
        if (archiveDir == null || !f.name().toLowerCase(java.util.Locale.ROOT).endsWith(".xml")) {
            return null;
        }
        String archiveName = files.archiveName(f.id());
        Path original = archiveName == null ? null : archiveDir.resolve(archiveName).normalize();
        if (original == null || !original.startsWith(archiveDir) || !Files.isRegularFile(original)) {
            LOG.warn("Payout file {}: its archived copy {} is gone; no pain.002 result is written", f.name(), archiveName);
            return null;
        }
        Path target = outboxDir.resolve(f.name() + ".pain.002.xml");
        Path ownTarget = outboxDir.resolve(f.name() + "." + f.id() + ".pain.002.xml");
        if (recordedResult != null) {
            // a writer stopped before recording the file DONE: a pain.002 it renamed into the outbox is kept
            Path earlier = recordedResult.equals(f.name() + ".result.csv") ? target : ownTarget;
            if (Files.exists(earlier)) {
                return earlier;
            }
            target = earlier;
        } else if (Files.exists(target)) {
            target = ownTarget;
        }
        Path tmp = temporary(target);
        try (Pain001Reader reader = Pain001Reader.open(original);
             java.io.OutputStream out = Files.newOutputStream(tmp);
             Pain002Writer pain002 = new Pain002Writer(out, reader.header(), "PG" + f.id() + "-"
                     + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")))) {
            store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT r.row_no, r.reference, r.outcome, r.message, p.state, "
                        + "p.provider_reference, p.provider_status, p.message FROM intake_file_row r "
                        + "LEFT JOIN payout p ON p.reference = r.reference WHERE r.file_id = ? ORDER BY r.row_no")) {
                    ps.setFetchSize(1000);
                    ps.setLong(1, f.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            PayoutFileReader.Row tx = reader.next();
                            while (tx != null && tx.number() < rs.getInt(1)) {
                                tx = reader.next();
                            }
                            if (tx == null) {
                                break;
                            }
                            String outcome = rs.getString(3);
                            boolean accepted = "ACCEPTED".equals(outcome);
                            pain002.transaction(reader.paymentInfoId(), rs.getString(2),
                                    accepted ? rs.getString(5) : outcome, accepted ? rs.getString(8) : rs.getString(4),
                                    accepted ? rs.getString(6) : null, accepted ? rs.getString(7) : null);
                        }
                    }
                } catch (PayoutFileException | javax.xml.stream.XMLStreamException e) {
                    throw new UncheckedIOException(new IOException(e.getMessage(), e));
                }
                return null;
            });
        } catch (PayoutFileException | javax.xml.stream.XMLStreamException | IOException | RuntimeException e) {
            // the CSV result stands; the file is not taken up again for want of its pain.002
            Files.deleteIfExists(tmp);
            LOG.error("Payout file {}: no pain.002 result written: {}", f.name(), e.getMessage());
            return null;
        }
        return Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Where a result is written before it is renamed to {@code target}: a hidden name of this gateway's
     * own, so that two gateways writing one result at once (one paused past its claim) never write into
     * one file; each renames a whole result.
     */
    private Path temporary(Path target) {
        return outboxDir.resolve("." + target.getFileName() + "." + files.instanceId().replaceAll("[^A-Za-z0-9_-]", "_")
                + ".tmp");
    }

    /** Prints one result row; returns its status. */
    private static String printRow(CSVPrinter csv, ResultSet rs) throws java.sql.SQLException {
        String outcome = rs.getString(2);
        boolean accepted = "ACCEPTED".equals(outcome);
        boolean known = rs.getString(4) != null;
        OffsetDateTime updated = rs.getObject(9, OffsetDateTime.class);
        String status = accepted ? rs.getString(4) : outcome;
        try {
            csv.printRecord(
                    rs.getString(1),
                    status,
                    known ? rs.getString(5) : null,
                    known ? rs.getString(6) : null,
                    known ? rs.getString(7) : null,
                    accepted ? rs.getString(8) : rs.getString(3),
                    known && accepted && updated != null ? updated.toString() : null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return status;
    }
}
