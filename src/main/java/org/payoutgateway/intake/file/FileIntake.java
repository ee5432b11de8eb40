package org.payoutgateway.intake.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.payoutgateway.ops.PayoutMetrics;
import org.payoutgateway.payout.Admission;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.payout.PayoutValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File intake, as called by {@code routes/file-intake.yaml}: reads a payout file row by row,
 * validates each row, and stores the rows in batches (payouts and the file's row records in one
 * transaction per batch). Nothing is dispatched from here: the dispatcher takes what is stored.
 */
public class FileIntake {

    private static final Logger LOG = LoggerFactory.getLogger(FileIntake.class);
    public static final String INTAKE = "FILE";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmssSSS");

    private final PayoutStore store;
    private final IntakeFiles files;
    private final PayoutValidator validator;
    private final Path archiveDir;
    private final Path errorDir;
    private final int batchSize;
    private final PayoutMetrics metrics;
    private final Duration progressInterval;

    /** @param progressInterval how often a long file logs its progress */
    public FileIntake(PayoutStore store, IntakeFiles files, PayoutValidator validator, PayoutMetrics metrics,
                      Path archiveDir, Path errorDir, int batchSize, Duration progressInterval) {
        this.store = store;
        this.files = files;
        this.validator = validator;
        this.metrics = metrics;
        this.archiveDir = archiveDir.toAbsolutePath();
        this.errorDir = errorDir.toAbsolutePath();
        this.batchSize = batchSize;
        this.progressInterval = progressInterval;
    }

    /** Counts of one file's intake, for the summary line. */
    public record Summary(int rows, int accepted, int rejected, int duplicates) {
    }

    /**
     * Takes the file in the exchange's body. A row that cannot be used is recorded REJECTED with its
     * reason and the other rows go on; a file unreadable from some row on keeps the rows before and
     * records the reason as a rejected row.
     *
     * @throws PayoutFileException when nothing of the file can be read: the route moves it to the error folder
     */
    public Summary take(Exchange exchange) throws PayoutFileException, IOException {
        Path path = exchange.getIn().getBody(java.io.File.class).toPath();
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, path.getFileName().toString(), String.class);
        long size = Files.size(path);
        long modified = Files.getLastModifiedTime(path).toMillis();
        IntakeFiles.Opened opened = files.open(name, size, modified);
        if (opened.storedRows() > 0) {
            LOG.info("Payout file {}: resuming after row {} stored before a restart", name, opened.storedRows());
        }
        int[] counts = new int[3];
        int lastRow = opened.storedRows();
        long nextProgress = System.nanoTime() + progressInterval.toNanos();
        try (PayoutFileReader reader = PayoutFileReader.open(path)) {
            if (!reader.ignoredColumns().isEmpty()) {
                LOG.info("Payout file {}: ignoring unknown column(s) {}", name, reader.ignoredColumns());
            }
            List<PayoutFileReader.Row> batch = new ArrayList<>(batchSize);
            try {
                PayoutFileReader.Row row;
                while ((row = reader.next()) != null) {
                    if (row.number() <= opened.storedRows()) {
                        continue;
                    }
                    batch.add(row);
                    if (batch.size() == batchSize) {
                        lastRow = store(opened.id(), name, batch, counts, lastRow);
                        batch.clear();
                        if (System.nanoTime() >= nextProgress) {
                            LOG.info("Payout file {}: {} rows read so far: {} accepted, {} rejected, {} duplicate",
                                    name, lastRow, counts[0], counts[1], counts[2]);
                            nextProgress = System.nanoTime() + progressInterval.toNanos();
                        }
                    }
                }
                lastRow = store(opened.id(), name, batch, counts, lastRow);
            } catch (PayoutFileException e) {
                lastRow = store(opened.id(), name, batch, counts, lastRow);
                if (lastRow == 0) {
                    throw e;
                }
                // the rows before stay stored and are paid; the reason is reported as a row of its own
                PayoutFileReader.Row broken = new PayoutFileReader.Row(lastRow + 1, null,
                        e.getMessage() + "; the rest of the file was not read");
                lastRow = store(opened.id(), name, List.of(broken), counts, lastRow);
                LOG.warn("Payout file {}: {}; {} rows before it were taken", name, e.getMessage(), lastRow - 1);
            }
        } catch (PayoutFileException e) {
            files.markState(opened.id(), "UNREADABLE");
            throw e;
        }
        files.markState(opened.id(), "WAITING");
        Summary summary = new Summary(lastRow, counts[0], counts[1], counts[2]);
        LOG.info("Payout file {}: {} rows, {} accepted, {} rejected, {} duplicate", name, summary.rows(),
                summary.accepted(), summary.rejected(), summary.duplicates());
        return summary;
    }

    /** Validates and stores a batch of rows in one transaction; returns the last row number stored. */
    private int store(long fileId, String name, List<PayoutFileReader.Row> rows, int[] counts, int previousLast) {
        if (rows.isEmpty()) {
            return previousLast;
        }
        List<PayoutStore.Candidate> candidates = new ArrayList<>(rows.size());
        List<Integer> numbers = new ArrayList<>(rows.size());
        List<String> references = new ArrayList<>(rows.size());
        for (PayoutFileReader.Row row : rows) {
            numbers.add(row.number());
            if (row.instruction() != null) {
                candidates.add(validator.validate(row.instruction()));
                references.add(row.instruction().reference());
            } else {
                candidates.add(new PayoutStore.Candidate(PayoutInstruction.of(f -> null), null,
                        List.of(new FieldError("row", row.error()))));
                references.add(null);
            }
        }
        int last = rows.get(rows.size() - 1).number();
        List<Admission> admissions = store.inTransaction(c -> {
            List<Admission> a = store.admit(c, candidates, INTAKE, name);
            files.recordRows(c, fileId, numbers, references, a, last);
            return a;
        });
        int[] batchCounts = new int[3];
        for (Admission a : admissions) {
            batchCounts[a.outcome().ordinal()]++;
        }
        for (Admission.Outcome o : Admission.Outcome.values()) {
            counts[o.ordinal()] += batchCounts[o.ordinal()];
            metrics.fileRows(o.name(), batchCounts[o.ordinal()]);
        }
        return last;
    }

    /** Where the route archives a processed file: the archive folder, name stamped so none is overwritten. */
    public String archiveTarget(Exchange exchange) {
        return stamped(archiveDir, exchange);
    }

    /** Where the route moves a file that could not be read at all. */
    public String errorTarget(Exchange exchange) {
        return stamped(errorDir, exchange);
    }

    private static String stamped(Path dir, Exchange exchange) {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        int dot = name.lastIndexOf('.');
        String stamp = LocalDateTime.now().format(STAMP);
        String target = dot > 0 ? name.substring(0, dot) + "-" + stamp + name.substring(dot) : name + "-" + stamp;
        return dir.resolve(target).toString();
    }

    /** Writes {@code <error-dir>/<name>.error.txt} saying why the file could not be read. */
    public void writeErrorNote(Exchange exchange) throws IOException {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Files.createDirectories(errorDir);
        String why = cause == null ? "unknown error" : cause.getMessage();
        Files.writeString(errorDir.resolve(name + ".error.txt"), "Payout file " + name
                + " was not processed: " + why + System.lineSeparator()
                + "No payout of it was stored. The file was moved to this folder unchanged." + System.lineSeparator());
        LOG.error("Payout file {} could not be read and was moved to {}: {}", name, errorDir, why);
    }
}
