package org.payoutgateway.intake.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFileFilter;
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
    /** The API client the payouts of files belong to (payout.intake.file.owner). */
    private final String owner;
    private final IntakeFiles files;
    private final PayoutValidator validator;
    /** Exchange property: where the file route archives the file it is taking. */
    static final String ARCHIVE_TARGET = "payoutArchiveTarget";

    private final Path inboxDir;
    private final Path archiveDir;
    private final Path errorDir;
    private final int batchSize;
    private final PayoutMetrics metrics;
    private final Duration progressInterval;
    /** Scheme codes read as the national id of an ISO 20022 file (payout.intake.file.iso20022.national-id-schemes). */
    private final Set<String> nationalIdSchemes;
    /** How often a file whose claim another gateway holds is opened again (see {@link #take}). */
    private static final Duration CLAIM_CHECK_INTERVAL = Duration.ofSeconds(1);
    /** The file being read now (one at a time), for {@link #stuck()}. */
    private volatile String readingNow;

    /**
     * @param progressInterval  how often a long file logs its progress
     * @param nationalIdSchemes the scheme codes of {@code Cdtr/Id/PrvtId/Othr/SchmeNm/Cd} an ISO 20022 file's
     *                          {@code id_number} is read from ({@link Pain001Reader#nationalIdSchemes})
     */
    public FileIntake(PayoutStore store, IntakeFiles files, PayoutValidator validator, PayoutMetrics metrics,
                      Path inboxDir, Path archiveDir, Path errorDir, int batchSize, Duration progressInterval,
                      String owner, Set<String> nationalIdSchemes) {
        this.nationalIdSchemes = Set.copyOf(nationalIdSchemes);
        this.store = store;
        this.owner = owner;
        this.files = files;
        this.validator = validator;
        this.metrics = metrics;
        this.inboxDir = inboxDir.toAbsolutePath();
        this.archiveDir = archiveDir.toAbsolutePath().normalize();
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
     * records the reason as a rejected row. Where the route will archive the file is decided here
     * and recorded with the file, so that a reading the gateway's stop interrupted can be resumed
     * from the archived copy ({@link #resumeUnfinished()}).
     *
     * <p>Of several gateways watching one shared inbox, only the one holding the file's claim in the
     * store reads it ({@link IntakeFiles#open}); another that picked the file up at the same moment
     * waits until the holder has archived it (or the holder's claim lapsed: then it takes the file up
     * after the last stored row), and stores nothing of it. This does not depend on the file lock of
     * {@code payout.cluster.lock-dir}, which a gateway starved of CPU can lose without knowing.
     *
     * @throws PayoutFileException when nothing of the file can be read: the route moves it to the error folder
     */
    public Summary take(Exchange exchange) throws PayoutFileException, IOException {
        Path path = exchange.getIn().getBody(java.io.File.class).toPath();
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, path.getFileName().toString(), String.class);
        Path archived = stamped(archiveDir, name);
        exchange.setProperty(ARCHIVE_TARGET, archived.toString());
        long size = Files.size(path);
        long modified = Files.getLastModifiedTime(path).toMillis();
        synchronized (this) {
            while (true) {
                IntakeFiles.Opened opened = files.open(name, size, modified, archived.getFileName().toString(), this::isArchived);
                if (opened.taken() == IntakeFiles.Taken.BEFORE) {
                    exchange.setProperty(ARCHIVE_TARGET, archiveDir.resolve(opened.archiveName()).toString());
                    LOG.info("Payout file {}: read already ({} rows stored) and not archived before a stop; archived now",
                            name, opened.storedRows());
                    return new Summary(0, 0, 0, 0);
                }
                if (opened.taken() == IntakeFiles.Taken.HERE) {
                    if (opened.storedRows() > 0) {
                        LOG.info("Payout file {}: resuming after row {} stored before a restart", name, opened.storedRows());
                    }
                    try {
                        return read(opened.id(), name, path, opened.storedRows());
                    } catch (IntakeFiles.ClaimLostException e) {
                        LOG.warn("Payout file {}: another gateway took its reading over (this one paused past the claim's "
                                + "lease); nothing more of it is stored here", name);
                    }
                }
                // another gateway holds the claim: it archives the file when it is done, or its claim lapses
                // (it died) and the file is opened here again. Until then this exchange waits: its end
                // archives the file under this one's own name, which must not happen while the other reads it.
                if (!awaitGone(path, CLAIM_CHECK_INTERVAL)) {
                    continue;
                }
                LOG.info("Payout file {}: read and archived by another gateway, which held its claim", name);
                return new Summary(0, 0, 0, 0);
            }
        }
    }

    /** Waits up to {@code interval} for a file to leave the inbox; true when it has (or this gateway stops). */
    private static boolean awaitGone(Path path, Duration interval) {
        long end = System.nanoTime() + interval.toNanos();
        while (System.nanoTime() < end) {
            if (!Files.exists(path)) {
                return true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return !Files.exists(path);
    }

    /** Whether a name in the archive folder is a file there. */
    private boolean isArchived(String archiveName) {
        Path p = archiveDir.resolve(archiveName).normalize();
        return p.startsWith(archiveDir) && Files.exists(p);
    }

    /**
     * The inbox's file filter ({@code filter=#fileInboxFilter} in {@code routes/file-intake.yaml}):
     * leaves alone a file whose claim another gateway holds (it reads the file now, or has just read
     * it and is archiving it), so that of replicas watching one shared inbox only the holder takes it.
     */
    public GenericFileFilter<java.io.File> inboxFilter() {
        return file -> file.isDirectory()
                || !files.claimedElsewhere(file.getFileNameOnly(), file.getFileLength(), file.getLastModified());
    }

    /**
     * Resumes every payout file whose reading stopped with the gateway (READING in the store) and
     * that is no longer in the inbox (where the file route would resume it itself): its rows after
     * the last one stored are read from its archived copy. When that copy is gone too, the file is
     * closed with what was stored: a REJECTED row after the last stored one says why, a note goes to
     * the error folder, and its result file is written as for any file. Returns how many files it
     * took up. Called by {@code routes/file-intake.yaml} on a timer; safe beside the file route
     * (one file is read at a time).
     */
    public synchronized int resumeUnfinished() throws IOException {
        int resumed = 0;
        for (IntakeFiles.Unfinished f : files.unfinished()) {
            if (f.claimedElsewhere() || Files.exists(inboxDir.resolve(f.name())) || !files.claimReading(f.id())) {
                continue; // another gateway reads it, or the file route takes it and resumes after its last stored row
            }
            Path copy = archivedCopy(f);
            resumed++;
            if (copy != null) {
                LOG.warn("Payout file {}: its reading stopped with the gateway after row {}; resuming from its archived copy {}",
                        f.name(), f.storedRows(), copy);
                try {
                    read(f.id(), f.name(), copy, f.storedRows());
                    continue;
                } catch (PayoutFileException e) {
                    // nothing of it was stored (a file read in part keeps its rows): UNREADABLE, as in the inbox
                    writeNote(f.name(), "Payout file " + f.name() + " was not processed: its reading stopped with the "
                            + "gateway and its archived copy " + copy.getFileName() + " cannot be read: " + e.getMessage()
                            + System.lineSeparator() + "No payout of it was stored." + System.lineSeparator());
                    LOG.error("Payout file {}: its archived copy {} cannot be read: {}", f.name(), copy, e.getMessage());
                    continue;
                } catch (IntakeFiles.ClaimLostException e) {
                    LOG.warn("Payout file {}: another gateway took over its resuming; left to that one", f.name());
                    continue;
                }
            }
            String why = "the gateway stopped while reading the file, and neither the file (in the inbox) nor its "
                    + "archived copy" + (f.archiveName() == null ? "" : " (" + f.archiveName() + ")")
                    + " could be read to resume it; the rows after row " + f.storedRows() + " were not stored";
            int[] counts = new int[3];
            try {
                store(f.id(), f.name(), List.of(new PayoutFileReader.Row(f.storedRows() + 1, null, why)), counts,
                        f.storedRows());
                files.finishReading(f.id(), "WAITING");
            } catch (IntakeFiles.ClaimLostException e) {
                continue;
            }
            writeNote(f.name(), "Payout file " + f.name() + ": " + why + "." + System.lineSeparator()
                    + "Its result file covers the " + f.storedRows() + " rows stored. To pay the rest, drop the file again: "
                    + "the rows already stored are reported as duplicates and not paid twice." + System.lineSeparator());
            LOG.error("Payout file {}: {}; closed with the rows stored, note in {}", f.name(), why, errorDir);
        }
        return resumed;
    }

    /**
     * Payout files stopped short in their reading: READING in the store, not being read now and no
     * longer in the inbox. {@link #resumeUnfinished()} takes them up at its next run; one listed
     * for longer could not be resumed (see the log).
     */
    public List<IntakeFiles.Unfinished> stuck() {
        List<IntakeFiles.Unfinished> out = new ArrayList<>();
        for (IntakeFiles.Unfinished f : files.unfinished()) {
            if (!f.name().equals(readingNow) && !f.claimedElsewhere() && !Files.exists(inboxDir.resolve(f.name()))) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * The file's archived copy: its recorded archive name, or for a file opened before that was
     * recorded, an archived file of its name (stamped) with its size and modification time.
     */
    private Path archivedCopy(IntakeFiles.Unfinished f) throws IOException {
        if (f.archiveName() != null) {
            Path p = archiveDir.resolve(f.archiveName()).normalize();
            return p.startsWith(archiveDir) && Files.isRegularFile(p) && Files.size(p) == f.sizeBytes() ? p : null;
        }
        if (!Files.isDirectory(archiveDir)) {
            return null;
        }
        int dot = f.name().lastIndexOf('.');
        String base = dot > 0 ? f.name().substring(0, dot) : f.name();
        String ext = dot > 0 ? f.name().substring(dot) : "";
        try (var archived = Files.list(archiveDir)) {
            return archived.filter(p -> {
                String n = p.getFileName().toString();
                try {
                    return n.startsWith(base + "-") && n.endsWith(ext) && Files.size(p) == f.sizeBytes()
                            && Files.getLastModifiedTime(p).toMillis() == f.modifiedMillis();
                } catch (IOException gone) {
                    return false;
                }
            }).findFirst().orElse(null);
        }
    }

    /** Reads a file's rows after {@code storedRows} into the store and marks it WAITING (or UNREADABLE and throws). */
    private Summary read(long fileId, String name, Path path, int storedRows) throws PayoutFileException, IOException {
        readingNow = name;
        try {
            Summary summary = readRows(fileId, name, path, storedRows);
            files.finishReading(fileId, "WAITING");
            LOG.info("Payout file {}: {} rows, {} accepted, {} rejected, {} duplicate", name, summary.rows(),
                    summary.accepted(), summary.rejected(), summary.duplicates());
            return summary;
        } catch (PayoutFileException e) {
            files.finishReading(fileId, "UNREADABLE");
            throw e;
        } finally {
            readingNow = null;
        }
    }

    private Summary readRows(long fileId, String name, Path path, int storedRows) throws PayoutFileException, IOException {
        int[] counts = new int[3];
        int lastRow = storedRows;
        long nextProgress = System.nanoTime() + progressInterval.toNanos();
        try (PayoutFileReader reader = PayoutFileReader.open(path, nationalIdSchemes)) {
            if (!reader.ignoredColumns().isEmpty()) {
                LOG.info("Payout file {}: ignoring unknown column(s) {}", name, reader.ignoredColumns());
            }
            List<PayoutFileReader.Row> batch = new ArrayList<>(batchSize);
            try {
                PayoutFileReader.Row row;
                while ((row = reader.next()) != null) {
                    if (row.number() <= storedRows) {
                        continue;
                    }
                    batch.add(row);
                    if (batch.size() == batchSize) {
                        lastRow = store(fileId, name, batch, counts, lastRow);
                        batch.clear();
                        if (System.nanoTime() >= nextProgress) {
                            LOG.info("Payout file {}: {} rows read so far: {} accepted, {} rejected, {} duplicate",
                                    name, lastRow, counts[0], counts[1], counts[2]);
                            nextProgress = System.nanoTime() + progressInterval.toNanos();
                        }
                    }
                }
                lastRow = store(fileId, name, batch, counts, lastRow);
            } catch (PayoutFileException e) {
                lastRow = store(fileId, name, batch, counts, lastRow);
                if (lastRow == 0) {
                    throw e;
                }
                // the rows before stay stored and are paid; the reason is reported as a row of its own
                PayoutFileReader.Row broken = new PayoutFileReader.Row(lastRow + 1, null,
                        e.getMessage() + "; the rest of the file was not read");
                lastRow = store(fileId, name, List.of(broken), counts, lastRow);
                LOG.warn("Payout file {}: {}; {} rows before it were taken", name, e.getMessage(), lastRow - 1);
            }
        }
        return new Summary(lastRow, counts[0], counts[1], counts[2]);
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
                PayoutStore.Candidate c = validator.validate(row.instruction());
                if (!c.errors().isEmpty() && row.source() != null) {
                    // name where the field comes from in the file, e.g. account_number (CdtTrfTxInf[3]/CdtrAcct/Id)
                    c = new PayoutStore.Candidate(c.instruction(), c.account(), c.errors().stream()
                            .map(e -> row.sourceOf(e.field()) == null ? e
                                    : new FieldError(e.field() + " (" + row.sourceOf(e.field()) + ")", e.reason()))
                            .toList());
                }
                candidates.add(c);
                references.add(row.instruction().reference());
            } else {
                candidates.add(new PayoutStore.Candidate(PayoutInstruction.of(f -> null), null,
                        List.of(new FieldError("row", row.error()))));
                references.add(null);
            }
        }
        int last = rows.get(rows.size() - 1).number();
        List<Admission> admissions = store.inTransaction(c -> {
            files.holdClaim(c, fileId); // before anything is stored: a gateway that lost the file's claim stores nothing
            List<Admission> a = store.admit(c, candidates, INTAKE, name, owner);
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
        String decided = exchange.getProperty(ARCHIVE_TARGET, String.class);
        return decided != null ? decided : stamped(archiveDir, exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class)).toString();
    }

    /** Where the route moves a file that could not be read at all. */
    public String errorTarget(Exchange exchange) {
        return stamped(errorDir, exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class)).toString();
    }

    private static Path stamped(Path dir, String name) {
        int dot = name.lastIndexOf('.');
        String stamp = LocalDateTime.now().format(STAMP);
        String target = dot > 0 ? name.substring(0, dot) + "-" + stamp + name.substring(dot) : name + "-" + stamp;
        return dir.resolve(target);
    }

    /** Writes {@code <error-dir>/<name>.error.txt} saying why the file could not be read. */
    public void writeErrorNote(Exchange exchange) throws IOException {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String why = cause == null ? "unknown error" : cause.getMessage();
        writeNote(name, "Payout file " + name + " was not processed: " + why + System.lineSeparator()
                + "No payout of it was stored. The file was moved to this folder unchanged." + System.lineSeparator());
        LOG.error("Payout file {} could not be read and was moved to {}: {}", name, errorDir, why);
    }

    private void writeNote(String name, String text) throws IOException {
        Files.createDirectories(errorDir);
        Files.writeString(errorDir.resolve(name + ".error.txt"), text);
    }
}
