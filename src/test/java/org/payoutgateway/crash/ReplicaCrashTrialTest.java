package org.payoutgateway.crash;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Reader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.payoutgateway.intake.file.FileResults;
import org.payoutgateway.support.EmbeddedPostgres;
import org.payoutgateway.support.Gateway;

/**
 * Several gateway replicas (issue 19, "Done when"): three replicas, each a child JVM
 * ({@link ChildGateway}) with its own {@code payout.instance-id}, HTTP and management port, on ONE
 * embedded PostgreSQL store and ONE shared set of folders (inbox, archive, outbox, error, the
 * cluster lock of {@code payout.cluster.lock-dir}). Payouts come in from payout files in the inbox,
 * rows of the ERP table {@code payout_request} and the HTTP API (those with a {@code callback_url}
 * at the {@link CallbackReceiver}); the stand-in provider ({@link CrashProvider}) refuses a
 * reference it already accepted and tells the replicas apart by the path of their account URLs
 * ({@code /via/<replica>/<account>}).
 *
 * <p>Settings: {@code -Dreplicas.file-payouts=3000 -Dreplicas.files=5 -Dreplicas.erp-payouts=2000
 * -Dreplicas.api-payouts=300 -Dreplicas.kills=10 -Dreplicas.seed=…}, and for the spread test
 * {@code -Dreplicas.spread-payouts=1500}. Logs of every replica run and a report are under
 * {@code target/crash/replicas-<kind>-<id>/}.
 */
class ReplicaCrashTrialTest {

    static final int REPLICAS = 3;
    static final int FILE_PAYOUTS = Integer.getInteger("replicas.file-payouts", 3000);
    static final int FILES = Integer.getInteger("replicas.files", 5);
    static final int ERP_PAYOUTS = Integer.getInteger("replicas.erp-payouts", 2000);
    /** Payouts submitted through the API with a callback_url, besides the file and ERP ones. */
    static final int API_PAYOUTS = Integer.getInteger("replicas.api-payouts", 300);
    static final int KILLS = Integer.getInteger("replicas.kills", 10);
    /** Payouts of the spread test (files, ERP rows and API payouts: half, two fifths, one tenth). */
    static final int SPREAD_PAYOUTS = Integer.getInteger("replicas.spread-payouts", 1500);
    /** Threads that deliver callbacks (payout.dispatch.concurrency, the dispatchPool of submitter-callbacks). */
    static final int CALLBACK_CONCURRENCY = 16;
    static final String SIGNING_KEY = "crash-webhook-key-0123456789";
    static final Duration READY_WITHIN = Duration.ofSeconds(120);
    static final Duration SETTLE_WITHIN = Duration.ofMinutes(3);
    /** Nothing moving for this long (queries every second, leases of 5 s): stuck, stop waiting. */
    static final Duration STALLED_AFTER = Duration.ofSeconds(45);
    static final Pattern CREATE_COUNT = Pattern.compile(
            "^provider_calls_seconds_count\\{([^}]*)}\\s+([0-9.eE+]+)", Pattern.MULTILINE);

    static final Pattern LOCK_EVENT = Pattern.compile("FileLockClusterView - Lock on file \\S+ (acquired|lost)");

    private final List<Replica> replicas = new ArrayList<>();
    private CrashProvider provider;
    private CallbackReceiver receiver;
    /** The folders every replica shares: inbox, archive, outbox, error, cluster (the file lock). */
    private Path shared;

    @AfterEach
    void stopEverything() {
        replicas.forEach(r -> r.gateway.close());
        if (provider != null) {
            provider.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    /** One replica: its name (payout.instance-id, the /via/ path at the stand-in), its gateway and ports. */
    record Replica(String name, ChildGateway gateway, int port, int managementPort) {
    }

    /** Where payouts come from and what the trial expects of each. */
    static final class Inflow {
        /** reference -> account, every payout of every intake. */
        final Map<String, String> expected = new LinkedHashMap<>();
        /** file name -> its references in row order. */
        final Map<String, List<String>> files = new LinkedHashMap<>();
        /** ERP row id -> reference. */
        final Map<Long, String> erpRows = new LinkedHashMap<>();
        /** references submitted through the API with a callback_url. */
        final Set<String> api = new HashSet<>();
    }

    /**
     * The crash trial with three replicas: payouts from five payout files and the ERP table (5,000 in
     * all) and 300 API payouts with a callback_url arrive in waves while replicas are killed with
     * SIGKILL and started again, ten times, a wave of ERP rows and API payouts before each kill: after
     * each of the five file drops the replica holding the file lock (the inbox reader and result
     * writer) as it reads the file (stored in commits of 100 rows, so another replica resumes it
     * after its last stored row), between them a replica at random.
     * The provider ends about a tenth of the payouts FAILED, the others SUCCESS. Afterwards: every
     * payout is final as the provider ended it, at its account with the provider's id, stored once;
     * each reference was accepted exactly once by the stand-in;
     * each file has exactly one result file, written once, covering each of its references once with
     * the provider's outcome, and nothing else is in the outbox; every ERP row carries its final
     * status and the provider's reference; every API payout's submitter got its callback, signed,
     * with the final status (none for payouts without a callback_url), and callbacks delivered twice (a kill between the POST and its record)
     * are no more than kills × callback delivery threads.
     */
    @Test
    void everyPayoutFromFilesAndTheErpTableEndsOnceThoughReplicasAreKilledAgainAndAgain() throws Exception {
        long trialStart = System.nanoTime();
        long seed = Long.getLong("replicas.seed", System.nanoTime());
        Random random = new Random(seed);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path root = Files.createDirectories(Path.of("target", "crash", "replicas-kill-" + tag).toAbsolutePath());
        EmbeddedPostgres.Database db = startCluster(root, tag, seed);
        Path inbox = root.resolve("shared").resolve("inbox");

        Inflow in = new Inflow();
        int waves = Math.max(1, KILLS);
        for (Replica r : replicas) {
            r.gateway.start();
        }
        for (Replica r : replicas) {
            r.gateway.awaitReady(READY_WITHIN);
        }

        List<String> killLog = new ArrayList<>();
        boolean[] answering = new boolean[REPLICAS];
        java.util.Arrays.fill(answering, true);
        Map<String, Integer> killsPerReplica = new TreeMap<>();
        int leaderKills = 0;
        int midRead = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            List<String> dropped = new ArrayList<>(in.files.keySet());
            wave(in, db, inbox, tag, kill, waves, random);
            dropped = new ArrayList<>(in.files.keySet()).subList(dropped.size(), in.files.size());
            // after a file is dropped, the lock holder as it reads it; the other kills a replica at random
            boolean leaderKill = !dropped.isEmpty();
            int waitMs;
            if (leaderKill) {
                boolean reading = awaitReading(db, dropped, Duration.ofSeconds(10));
                waitMs = random.nextInt(200);
                Thread.sleep(waitMs);
                midRead += reading && stillReading(db, dropped) ? 1 : 0;
            } else {
                waitMs = 300 + random.nextInt(2201);
                Thread.sleep(waitMs);
            }
            int victim = random.nextInt(REPLICAS);
            String why = "at random";
            if (leaderKill) {
                int leader = fileLeader(Duration.ofSeconds(5));
                if (leader >= 0) {
                    victim = leader;
                    why = "holding the file lock, reading " + dropped;
                    leaderKills++;
                } else {
                    why = "at random, no replica held the file lock";
                }
            }
            Replica r = replicas.get(victim);
            if (!answering[victim]) {
                r.gateway.awaitReady(READY_WITHIN); // kills land while the routes run, not in a JVM's start
            }
            long pid = r.gateway.pid();
            r.gateway.kill();
            killsPerReplica.merge(r.name, 1, Integer::sum);
            killLog.add(String.format("kill %2d at %5d ms: %s (%s, run %d, pid %d) %4d ms after the previous step; store %s",
                    kill, (System.nanoTime() - trialStart) / 1_000_000, r.name, why, r.gateway.runs(), pid, waitMs,
                    CrashTrials.nonZero(states(db))));
            r.gateway.start();
            answering[victim] = false;
        }
        dropRemainingFiles(in, inbox, tag);
        for (Replica r : replicas) {
            r.gateway.awaitReady(READY_WITHIN);
        }

        long settleMs = awaitSettled(db, in);
        Map<String, Long> states = states(db);
        String report = report("kill trial", seed, root, in, states, settleMs, trialStart, db)
                + String.format("kills %d (%d of the file-lock holder, %d of them while it was reading a file), per replica %s%n",
                        KILLS, leaderKills, midRead, killsPerReplica)
                + String.join("\n", killLog) + "\n";
        System.out.println(report);
        Files.writeString(root.resolve("replica-crash-trial-report.txt"), report);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(KILLS).as("kills of a replica (SIGKILL) in the trial").isGreaterThanOrEqualTo(10);
        soft.assertThat(killLog).as("kills done").hasSize(KILLS);
        verifyOutcome(soft, db, in, states, report);
        int duplicates = receiver.receivedMoreThanOnce().values().stream().mapToInt(n -> n - 1).sum();
        soft.assertThat(duplicates).as("callbacks delivered more than once (at-least-once across kills: at most kills x "
                        + "delivery threads = %d x %d); %s", KILLS, CALLBACK_CONCURRENCY, receiver.receivedMoreThanOnce())
                .isLessThanOrEqualTo(KILLS * CALLBACK_CONCURRENCY);
        soft.assertAll();
    }

    /**
     * The work spreads over the replicas: three replicas, nobody killed, payouts from a file, the
     * ERP table and the API. Each replica sent at least a tenth of the creates the stand-in
     * accepted (it tells the replicas apart by their account URLs), every create came from one of
     * the three, and each replica's own metrics ({@code provider_calls_seconds_count{call="create"}}
     * on its management port) count the same creates as the stand-in saw from it. And with no kill,
     * everything happens exactly once: each reference accepted once, one result file, each callback
     * delivered once.
     */
    @Test
    void withThreeReplicasEachSendsAShareOfThePayouts() throws Exception {
        long trialStart = System.nanoTime();
        long seed = Long.getLong("replicas.seed", System.nanoTime());
        Random random = new Random(seed);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path root = Files.createDirectories(Path.of("target", "crash", "replicas-spread-" + tag).toAbsolutePath());
        EmbeddedPostgres.Database db = startCluster(root, tag, seed);
        Path inbox = root.resolve("shared").resolve("inbox");
        for (Replica r : replicas) {
            r.gateway.start();
        }
        for (Replica r : replicas) {
            r.gateway.awaitReady(READY_WITHIN);
        }
        Inflow in = new Inflow();
        int filePayouts = SPREAD_PAYOUTS / 2;
        int erpPayouts = SPREAD_PAYOUTS * 2 / 5;
        int apiPayouts = SPREAD_PAYOUTS - filePayouts - erpPayouts;
        addFile(in, inbox, "spread.csv", "SP" + tag + "-F", filePayouts);
        addErpRows(in, db, "SP" + tag + "-E", 0, erpPayouts);
        submitApi(in, "SP" + tag + "-A", 0, apiPayouts, random);

        long settleMs = awaitSettled(db, in);
        Map<String, Long> states = states(db);
        Map<String, Long> metricCreates = new TreeMap<>();
        Map<String, Long> unsureCreates = new TreeMap<>();
        for (Replica r : replicas) {
            metricCreates.put(r.name, createsInMetrics(r, null));
            unsureCreates.put(r.name, createsInMetrics(r, "outcome=\"(UNKNOWN|NOT_TAKEN)\""));
        }
        String report = report("spread", seed, root, in, states, settleMs, trialStart, db)
                + "create calls in each replica's metrics: " + metricCreates + "\n";
        System.out.println(report);
        Files.writeString(root.resolve("replica-spread-report.txt"), report);

        SoftAssertions soft = new SoftAssertions();
        verifyOutcome(soft, db, in, states, report);
        long accepted = provider.orders.size();
        Set<String> names = new HashSet<>();
        for (Replica r : replicas) {
            names.add(r.name);
            long share = count(provider.acceptedByReplica, r.name);
            soft.assertThat(share).as("creates of %s the stand-in accepted: at least a tenth of %d; shares %s", r.name,
                    accepted, counts(provider.acceptedByReplica)).isGreaterThanOrEqualTo((long) Math.ceil(accepted * 0.1));
            // a call that timed out or failed to connect on this loaded machine may not have reached the stand-in
            long got = count(provider.createsByReplica, r.name);
            soft.assertThat(metricCreates.get(r.name)).as("create calls in %s's own metrics: those the stand-in got from it, "
                    + "and at most its calls of unknown outcome or not taken (%s) more", r.name, unsureCreates)
                    .isBetween(got, got + unsureCreates.get(r.name));
        }
        soft.assertThat(provider.createsByReplica.keySet()).as("replicas the create calls came from")
                .containsExactlyInAnyOrderElementsOf(names);
        soft.assertThat(provider.creates.sum()).as("create calls without any kill: one per payout").isEqualTo(in.expected.size());
        soft.assertThat(receiver.receivedMoreThanOnce()).as("callbacks delivered more than once without any kill").isEmpty();
        soft.assertAll();
    }

    /**
     * A result file is written once even when the replica writing it is killed right after renaming
     * it into the outbox and before recording the file DONE (FileResults.writeCompleted: write, then
     * markDone). The kill in that window is made exact: once the file's result is written and
     * recorded, the lock holder is killed and the file's intake_file row is put back as the killed
     * replica would have left it (WAITING, not DONE; the result's name as chosen before the write);
     * the replica taking the lock over
     * must then leave the outbox as it is: one {@code <file>.result.csv}, no second result.
     */
    @Test
    void aResultFileRenamedIntoTheOutboxJustBeforeTheWriterIsKilledIsNotWrittenAgain() throws Exception {
        long seed = Long.getLong("replicas.seed", System.nanoTime());
        Random random = new Random(seed);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path root = Files.createDirectories(Path.of("target", "crash", "replicas-result-" + tag).toAbsolutePath());
        EmbeddedPostgres.Database db = startCluster(root, tag, seed);
        for (Replica r : replicas.subList(0, 2)) {
            r.gateway.start();
        }
        for (Replica r : replicas.subList(0, 2)) {
            r.gateway.awaitReady(READY_WITHIN);
        }
        Inflow in = new Inflow();
        addFile(in, shared.resolve("inbox"), "once.csv", "RW" + tag + "-", 40);
        submitApi(in, "RW" + tag + "-A", 0, 0, random);
        long settleMs = awaitSettled(db, in);
        int leader = fileLeader(Duration.ofSeconds(5));
        String before = CrashTrials.list(shared.resolve("outbox"));

        // the state a kill between the rename and the DONE record leaves
        replicas.get(leader).gateway.kill();
        try (Connection c = db.connect()) {
            // the result's name stays: it is recorded before the result is written (what the writer chose)
            c.createStatement().executeUpdate("UPDATE intake_file SET state = 'WAITING', completed_at = NULL "
                    + "WHERE name = 'once.csv'");
        }
        int next = fileLeader(Duration.ofSeconds(30));
        Gateway.await(() -> {
            try (Connection c = db.connect()) {
                return single(c, "SELECT COUNT(*) FROM intake_file WHERE name = 'once.csv' AND state = 'DONE'") == 1;
            } catch (SQLException e) {
                return false;
            }
        }, Duration.ofSeconds(30), () -> "the replica taking over never finished once.csv; outbox "
                + CrashTrials.list(shared.resolve("outbox")));
        String after = CrashTrials.list(shared.resolve("outbox"));
        System.out.printf("%n=== result written once across a kill after its rename: settled in %d ms; outbox before the "
                + "kill %s; %s killed, %s took over; outbox after %s%n", settleMs, before, replicas.get(leader).name,
                next < 0 ? "none" : replicas.get(next).name, after);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(before).as("outbox before the kill").isEqualTo("[once.csv.result.csv]");
        soft.assertThat(next).as("a replica took the file lock over").isNotNegative().isNotEqualTo(leader);
        soft.assertThat(after).as("outbox after another replica took over: the result written once, no second one")
                .isEqualTo("[once.csv.result.csv]");
        soft.assertAll();
    }

    // ------------------------------------------------------------------ the cluster

    /**
     * The stand-in, the callback receiver, one database and three replicas' settings: the same store
     * and folders, each its own instance id, ports, home (logs, app snapshot) and /via/ path.
     */
    private EmbeddedPostgres.Database startCluster(Path root, String tag, long seed) throws Exception {
        provider = new CrashProvider(seed, 64);
        // the provider ends about a tenth of the payouts FAILED: each must end as the provider said
        provider.fails = reference -> Math.floorMod(reference.hashCode(), 10) == 0;
        receiver = new CallbackReceiver(SIGNING_KEY);
        EmbeddedPostgres.Database db = EmbeddedPostgres.freshDatabase("replicas");
        shared = Files.createDirectories(root.resolve("shared"));
        for (int i = 1; i <= REPLICAS; i++) {
            String name = "replica-" + i;
            int port = Gateway.freePort();
            Map<String, String> s = CrashTrials.gatewaySettings(db.storeSettings(), shared, port,
                    "http://127.0.0.1:" + provider.port() + "/via/" + name, name + "-" + tag);
            s.put("payout.instance-id", name);
            s.put("payout.cluster.replicas", String.valueOf(REPLICAS));
            s.put("payout.cluster.lock-interval-ms", "500");
            s.put("payout.intake.erp.enabled", "true");
            s.put("payout.intake.erp.poll-interval-ms", "200");
            s.put("payout.intake.erp.claim-lease", "5s");
            s.put("payout.webhook.signing-key", SIGNING_KEY);
            s.putAll(Gateway.LAB_CALLBACKS); // the receiver is a stand-in on loopback, plain http
            s.put("payout.webhook.poll-interval-ms", "200");
            s.put("payout.webhook.retry-backoff", "1s,1s,2s,5s,10s,20s");
            s.put("payout.dispatch.concurrency", String.valueOf(CALLBACK_CONCURRENCY));
            // files stored in several commits: a replica killed while reading leaves a part stored, to resume after
            s.put("payout.intake.file.batch-size", "100");
            Path home = Files.createDirectories(root.resolve(name));
            replicas.add(new Replica(name, new ChildGateway(home, port, s), port,
                    Integer.parseInt(s.get("camel.management.port"))));
        }
        return db;
    }

    /**
     * Wave {@code w} of {@code waves} (one before each kill): on odd waves the next payout file, on
     * every wave a share of the ERP rows and of the API payouts.
     */
    private void wave(Inflow in, EmbeddedPostgres.Database db, Path inbox, String tag, int w, int waves, Random random)
            throws Exception {
        int f = (w - 1) / 2;
        if (w % 2 == 1 && f < FILES) {
            addPayoutFile(in, inbox, tag, f);
        }
        int erpFrom = (w - 1) * ERP_PAYOUTS / waves;
        addErpRows(in, db, "RC" + tag + "-E", erpFrom, w * ERP_PAYOUTS / waves - erpFrom);
        int apiFrom = (w - 1) * API_PAYOUTS / waves;
        submitApi(in, "RC" + tag + "-A", apiFrom, w * API_PAYOUTS / waves - apiFrom, random);
    }

    /** The files no wave dropped (more files than odd waves). */
    private void dropRemainingFiles(Inflow in, Path inbox, String tag) throws IOException {
        for (int f = in.files.size(); f < FILES; f++) {
            addPayoutFile(in, inbox, tag, f);
        }
    }

    /** File {@code f} (0-based) of the trial's {@link #FILES}, its share of {@link #FILE_PAYOUTS}. */
    private void addPayoutFile(Inflow in, Path inbox, String tag, int f) throws IOException {
        int from = f * FILE_PAYOUTS / FILES;
        int to = (f + 1) * FILE_PAYOUTS / FILES;
        addFile(in, inbox, "replicas-" + (f + 1) + ".csv", "RC" + tag + "-F" + (f + 1) + "-", to - from);
    }

    private void addFile(Inflow in, Path inbox, String name, String prefix, int rows) throws IOException {
        if (rows <= 0) {
            return;
        }
        Map<String, String> refs = CrashTrials.dropFile(inbox, name, prefix, rows);
        in.expected.putAll(refs);
        in.files.put(name, new ArrayList<>(refs.keySet()));
    }

    /** Inserts ERP rows (status NEW) as an ERP does, in one transaction, each with its account's fields. */
    private void addErpRows(Inflow in, EmbeddedPostgres.Database db, String prefix, int from, int count) throws SQLException {
        if (count <= 0) {
            return;
        }
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO payout_request (reference, "
                + "country, provider, amount, currency, beneficiary_name, account_number, bank_code, account_type, mobile, "
                + "email, id_number, remark) VALUES (?, ?, ?, CAST(? AS DECIMAL(19, 2)), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new String[] {"id"})) {
            c.setAutoCommit(false);
            List<String> refs = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                String account = CrashTrials.ACCOUNTS.get(i % CrashTrials.ACCOUNTS.size());
                String ref = prefix + i;
                String[] row = CrashTrials.row(ref, account);
                for (int col = 0; col < row.length; col++) {
                    ps.setString(col + 1, row[col].isEmpty() ? null : row[col]);
                }
                ps.addBatch();
                refs.add(ref);
                in.expected.put(ref, account);
            }
            ps.executeBatch();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                int i = 0;
                while (keys.next()) {
                    in.erpRows.put(keys.getLong(1), refs.get(i++));
                }
            }
            c.commit();
        }
    }

    /**
     * Submits API payouts with the receiver as callback_url, in batches of 100, each to a replica
     * picked at random; a replica that does not answer (killed, starting) is passed over for the next.
     */
    private void submitApi(Inflow in, String prefix, int from, int count, Random random) throws Exception {
        for (int start = from; start < from + count; start += 100) {
            StringBuilder body = new StringBuilder("[");
            List<String> refs = new ArrayList<>();
            for (int i = start; i < Math.min(from + count, start + 100); i++) {
                String account = CrashTrials.ACCOUNTS.get(i % CrashTrials.ACCOUNTS.size());
                String ref = prefix + i;
                String[] row = CrashTrials.row(ref, account);
                var item = ChildGateway.JSON.createObjectNode();
                for (int col = 0; col < row.length; col++) {
                    if (!row[col].isEmpty()) {
                        item.put(CrashTrials.HEADER[col], row[col]);
                    }
                }
                item.put("callback_url", receiver.url());
                body.append(refs.isEmpty() ? "" : ",").append(item);
                refs.add(ref);
                in.expected.put(ref, account);
                in.api.add(ref);
            }
            body.append(']');
            submitBatch(body.toString(), refs, random);
        }
    }

    private void submitBatch(String body, List<String> refs, Random random) throws Exception {
        int first = random.nextInt(REPLICAS);
        List<String> tried = new ArrayList<>();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            Replica r = replicas.get((first + attempt) % REPLICAS);
            try {
                HttpResponse<String> reply = r.gateway.post("/api/v1/payouts/batch", body, Duration.ofSeconds(20));
                if (reply.statusCode() == 200) {
                    JsonNode results = ChildGateway.JSON.readTree(reply.body()).path("results");
                    for (JsonNode result : results) {
                        int status = result.path("status").asInt();
                        if (status != 202 && status != 200) {
                            throw new AssertionError("API payout " + refs.get(result.path("index").asInt()) + " refused by "
                                    + r.name + ": " + result);
                        }
                    }
                    if (results.size() != refs.size()) {
                        throw new AssertionError("batch of " + refs.size() + " answered with " + results.size() + " results");
                    }
                    return;
                }
                tried.add(r.name + ": HTTP " + reply.statusCode() + " " + reply.body());
            } catch (IOException notAnswering) {
                tried.add(r.name + ": " + notAnswering);
                Thread.sleep(200);
            }
        }
        throw new AssertionError("no replica took the API batch: " + tried);
    }

    /** Waits until one of the files is being read (its intake_file row READING); false if none is within the time. */
    private static boolean awaitReading(EmbeddedPostgres.Database db, List<String> names, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (stillReading(db, names)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    private static boolean stillReading(EmbeddedPostgres.Database db, List<String> names) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM intake_file WHERE state = 'READING' AND name = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("varchar", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /**
     * The replica holding the file lock (as its current run's log tells: Camel's FileLockClusterView
     * logs "Lock on file … acquired" and "… lost"), waiting up to {@code within} while the lock
     * changes hands; -1 if none holds it by then.
     */
    private int fileLeader(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            for (int i = 0; i < REPLICAS; i++) {
                ChildGateway g = replicas.get(i).gateway;
                if (!g.alive()) {
                    continue;
                }
                Matcher m = LOCK_EVENT.matcher(ChildGateway.tail(g.log(), 1_000_000));
                String last = null;
                while (m.find()) {
                    last = m.group(1);
                }
                if ("acquired".equals(last)) {
                    return i;
                }
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return -1;
    }

    // ------------------------------------------------------------------ settling and reading the store

    /**
     * Waits until every payout is final, every file has its result (intake_file DONE), every ERP row
     * carries a final status and every API payout's callback is recorded delivered; or until nothing
     * has moved for {@link #STALLED_AFTER}, or {@link #SETTLE_WITHIN} has passed. Returns the time taken.
     */
    private long awaitSettled(EmbeddedPostgres.Database db, Inflow in) throws Exception {
        long start = System.nanoTime();
        long lastChange = start;
        List<Long> progress = progress(db);
        while (!settled(progress, in) && System.nanoTime() - start < SETTLE_WITHIN.toNanos()
                && System.nanoTime() - lastChange < STALLED_AFTER.toNanos()) {
            Thread.sleep(500);
            List<Long> now = progress(db);
            if (!now.equals(progress)) {
                lastChange = System.nanoTime();
            }
            progress = now;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        // a little longer: a late second write (result file, callback) would show now
        Thread.sleep(2000);
        return ms;
    }

    /** [payouts stored, payouts final, files done, ERP rows final, API callbacks delivered]. */
    private static List<Long> progress(EmbeddedPostgres.Database db) throws SQLException {
        try (Connection c = db.connect()) {
            return List.of(
                    single(c, "SELECT COUNT(*) FROM payout"),
                    single(c, "SELECT COUNT(*) FROM payout WHERE state IN ('SUCCESS', 'FAILED', 'REJECTED')"),
                    single(c, "SELECT COUNT(*) FROM intake_file WHERE state = 'DONE'"),
                    single(c, "SELECT COUNT(*) FROM payout_request WHERE status IN ('SUCCESS', 'FAILED')"),
                    single(c, "SELECT COUNT(*) FROM payout WHERE intake = 'API' AND callback_state = 'DELIVERED'"));
        }
    }

    private static boolean settled(List<Long> p, Inflow in) {
        return p.get(0) == in.expected.size() && p.get(1) == in.expected.size() && p.get(2) == in.files.size()
                && p.get(3) == in.erpRows.size() && p.get(4) == in.api.size();
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Payouts per state and in all ("ALL"), read from the store. */
    private static Map<String, Long> states(EmbeddedPostgres.Database db) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("ALL", 0L);
        for (String s : ChildGateway.STATES) {
            out.put(s, 0L);
        }
        try (Connection c = db.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT state, COUNT(*) FROM payout GROUP BY state")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
                out.merge("ALL", rs.getLong(2), Long::sum);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ what must hold afterwards

    /** Everything both tests require of the outcome (the spread test additionally: nothing twice). */
    private void verifyOutcome(SoftAssertions soft, EmbeddedPostgres.Database db, Inflow in, Map<String, Long> states,
                               String report) throws Exception {
        int total = in.expected.size();
        soft.assertThat(states.get("ALL")).as("payouts stored: none lost, none doubled; %s", report).isEqualTo(total);
        long failed = in.expected.keySet().stream().filter(provider.fails).count();
        soft.assertThat(states.get("SUCCESS")).as("payouts SUCCESS (as the provider ended them); %s", states)
                .isEqualTo(total - failed);
        soft.assertThat(states.get("FAILED")).as("payouts FAILED (as the provider ended them); %s", states).isEqualTo(failed);

        // the store: each reference once, SUCCESS at its account with the id the provider gave it
        Map<String, String[]> stored = new HashMap<>();
        List<String> storedTwice = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT reference, state, account, provider_reference, intake FROM payout")) {
            while (rs.next()) {
                String[] p = {rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)};
                if (stored.put(rs.getString(1), p) != null) {
                    storedTwice.add(rs.getString(1));
                }
            }
        }
        soft.assertThat(storedTwice).as("references stored twice").isEmpty();
        soft.assertThat(stored.keySet()).as("references stored").containsExactlyInAnyOrderElementsOf(in.expected.keySet());
        List<String> mismatches = new ArrayList<>();
        in.expected.forEach((ref, account) -> {
            String[] p = stored.get(ref);
            CrashProvider.Order o = provider.orders.get(ref);
            if (p == null || !outcome(ref).equals(p[0]) || !account.equals(p[1]) || o == null || !account.equals(o.account)
                    || !o.providerId.equals(p[2])) {
                mismatches.add(ref + ": store " + (p == null ? "none" : String.join(" ", String.valueOf(p[0]),
                        String.valueOf(p[1]), String.valueOf(p[2]))) + ", provider " + (o == null ? "no order"
                        : o.account + " " + o.providerId));
            }
        });
        soft.assertThat(mismatches).as("payouts not final as the provider ended them, at their account with the "
                + "provider's id (%d)",
                mismatches.size()).isEmpty();

        // the provider: exactly one accepted create per reference, for every reference, and no other
        soft.assertThat(provider.orders.keySet()).as("references the provider accepted")
                .containsExactlyInAnyOrderElementsOf(in.expected.keySet());
        soft.assertThat(provider.acceptedTwice()).as("references accepted more than once").isEmpty();
        soft.assertThat(provider.unrecognised.sum()).as("calls the stand-in did not recognise").isZero();

        verifyFiles(soft, db, in);
        verifyErpRows(soft, db, in);
        verifyCallbacks(soft, db, in);
    }

    /**
     * Each payout file: one intake_file row, DONE, its result named {@code <file>.result.csv}; the
     * outbox holds exactly those results (no temporary file, no second result of a file); each
     * result has the header and one row per row of its file, each reference once in file order,
     * SUCCESS with the provider's id; at most one "result written" log line per file over every
     * replica run.
     */
    private void verifyFiles(SoftAssertions soft, EmbeddedPostgres.Database db, Inflow in) throws Exception {
        Path outbox = shared.resolve("outbox");
        Set<String> expectedResults = new HashSet<>();
        in.files.keySet().forEach(f -> expectedResults.add(f + ".result.csv"));
        List<String> inOutbox = new ArrayList<>();
        try (var files = Files.list(outbox)) {
            files.forEach(f -> inOutbox.add(f.getFileName().toString()));
        } catch (IOException none) {
            // no outbox: every result missing
        }
        soft.assertThat(inOutbox).as("files in the outbox: one result per payout file, nothing else")
                .containsExactlyInAnyOrderElementsOf(expectedResults);

        Map<String, List<String>> intakeRows = new TreeMap<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT name, state, result_name, row_count FROM intake_file ORDER BY id")) {
            while (rs.next()) {
                intakeRows.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(rs.getString(2) + " " + rs.getString(3) + " " + rs.getInt(4));
            }
        }
        Map<String, Integer> writtenLines = resultLogLines(in.files.keySet());
        for (Map.Entry<String, List<String>> f : in.files.entrySet()) {
            String name = f.getKey();
            soft.assertThat(intakeRows.get(name)).as("intake_file rows of %s (taken once, done, its result)", name)
                    .containsExactly("DONE " + name + ".result.csv " + f.getValue().size());
            soft.assertThat(writtenLines.get(name)).as("'result written' log lines for %s over every replica run", name)
                    .isLessThanOrEqualTo(1);
            Path result = outbox.resolve(name + ".result.csv");
            if (!Files.exists(result)) {
                continue; // reported by the outbox assertion
            }
            List<String> refs = new ArrayList<>();
            List<String> wrong = new ArrayList<>();
            try (Reader r = Files.newBufferedReader(result, StandardCharsets.UTF_8);
                 CSVParser csv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                soft.assertThat(csv.getHeaderNames()).as("header of %s", result.getFileName())
                        .containsExactly(FileResults.COLUMNS);
                for (CSVRecord row : csv) {
                    String ref = row.get("reference");
                    refs.add(ref);
                    CrashProvider.Order o = provider.orders.get(ref);
                    if (!outcome(ref).equals(row.get("status")) || o == null || !o.providerId.equals(row.get("provider_reference"))
                            || !o.account.equals(row.get("provider"))) {
                        wrong.add(row.toString());
                    }
                }
            }
            soft.assertThat(refs).as("references in %s: each row of the file once, in file order", result.getFileName())
                    .containsExactlyElementsOf(f.getValue());
            soft.assertThat(wrong).as("rows of %s not the provider's outcome and id (%d)", result.getFileName(),
                    wrong.size()).isEmpty();
        }
    }

    /** Each ERP row: written back SUCCESS with its account and the provider's reference, claimed by one of the replicas. */
    private void verifyErpRows(SoftAssertions soft, EmbeddedPostgres.Database db, Inflow in) throws SQLException {
        List<String> wrong = new ArrayList<>();
        Set<String> names = new HashSet<>();
        replicas.forEach(r -> names.add(r.name));
        int rows = 0;
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT id, reference, status, provider, provider_reference, claimed_by FROM payout_request")) {
            while (rs.next()) {
                rows++;
                String ref = rs.getString(2);
                CrashProvider.Order o = provider.orders.get(ref);
                if (!ref.equals(in.erpRows.get(rs.getLong(1))) || !outcome(ref).equals(rs.getString(3)) || o == null
                        || !o.account.equals(rs.getString(4)) || !o.providerId.equals(rs.getString(5))
                        || !names.contains(rs.getString(6))) {
                    wrong.add(rs.getLong(1) + " " + ref + ": " + rs.getString(3) + " " + rs.getString(4) + " "
                            + rs.getString(5) + " claimed by " + rs.getString(6) + "; provider "
                            + (o == null ? "no order" : o.account + " " + o.providerId));
                }
            }
        }
        soft.assertThat(rows).as("ERP rows").isEqualTo(in.erpRows.size());
        soft.assertThat(wrong).as("ERP rows not written back with the provider's outcome and reference (%d)",
                wrong.size()).isEmpty();
    }

    /**
     * Every API payout's submitter got at least one callback, each signed and telling SUCCESS with
     * the provider's id; no callback for any payout without a callback_url; each recorded
     * DELIVERED in the store.
     */
    private void verifyCallbacks(SoftAssertions soft, EmbeddedPostgres.Database db, Inflow in) throws SQLException {
        List<String> missing = in.api.stream().filter(ref -> !receiver.received.containsKey(ref)).sorted().toList();
        soft.assertThat(missing).as("API payouts whose submitter got no callback (%d)", missing.size()).isEmpty();
        soft.assertThat(receiver.received.keySet()).as("callbacks only for payouts with a callback_url")
                .isSubsetOf(in.api);
        List<String> wrong = new ArrayList<>();
        receiver.received.forEach((ref, list) -> list.forEach(cb -> {
            CrashProvider.Order o = provider.orders.get(ref);
            if (!cb.signatureValid() || !outcome(ref).equals(cb.status()) || o == null || !o.providerId.equals(cb.providerReference())) {
                wrong.add(ref + ": " + cb);
            }
        }));
        soft.assertThat(wrong).as("callbacks unsigned or not telling the provider's outcome and id").isEmpty();
        soft.assertThat(receiver.unreadable.sum()).as("callbacks that were not a payout").isZero();
        try (Connection c = db.connect()) {
            soft.assertThat(single(c, "SELECT COUNT(*) FROM payout WHERE intake = 'API' AND callback_state = 'DELIVERED'"))
                    .as("API payouts whose callback the store records delivered").isEqualTo(in.api.size());
        }
    }

    /** The state the provider ended the payout in: FAILED for those it fails, SUCCESS for the others. */
    private String outcome(String reference) {
        return provider.fails.test(reference) ? "FAILED" : "SUCCESS";
    }

    /** "result written" log lines per payout file, over every run of every replica. */
    private Map<String, Integer> resultLogLines(Set<String> fileNames) throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        fileNames.forEach(f -> out.put(f, 0));
        for (Replica r : replicas) {
            Path home = r.gateway.log().getParent();
            try (var logs = Files.list(home)) {
                for (Path log : (Iterable<Path>) logs.filter(p -> p.getFileName().toString().endsWith(".log"))::iterator) {
                    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                        if (line.contains("every row settled")) {
                            for (String f : fileNames) {
                                if (line.contains("Payout file " + f + ":")) {
                                    out.merge(f, 1, Integer::sum);
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The create calls a replica's own metrics count (provider_calls_seconds_count, call="create", every outcome). */
    /** The create calls in a replica's metrics, those whose tags match {@code outcome} (a regex; null: all). */
    private static long createsInMetrics(Replica r, String outcome) throws Exception {
        String metrics = r.gateway.getText(r.managementPort, "/observe/metrics");
        long sum = 0;
        Matcher m = CREATE_COUNT.matcher(metrics);
        Pattern wanted = outcome == null ? null : Pattern.compile(outcome);
        while (m.find()) {
            if (m.group(1).contains("call=\"create\"") && (wanted == null || wanted.matcher(m.group(1)).find())) {
                sum += (long) Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /** Lines containing {@code needle} over every run of every replica. */
    private long logLines(String needle) throws IOException {
        long n = 0;
        for (Replica r : replicas) {
            try (var logs = Files.list(r.gateway.log().getParent())) {
                for (Path log : (Iterable<Path>) logs.filter(p -> p.getFileName().toString().endsWith(".log"))::iterator) {
                    n += Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(needle)).count();
                }
            }
        }
        return n;
    }

    private static long count(Map<String, LongAdder> counts, String key) {
        LongAdder a = counts.get(key);
        return a == null ? 0 : a.sum();
    }

    private static Map<String, Long> counts(Map<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private String report(String kind, long seed, Path root, Inflow in, Map<String, Long> states, long settleMs,
                          long trialStart, EmbeddedPostgres.Database db) throws Exception {
        Map<String, Long> claimedBy = new TreeMap<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT COALESCE(claimed_by, '-'), COUNT(*) FROM payout_request GROUP BY claimed_by")) {
            while (rs.next()) {
                claimedBy.put(rs.getString(1), rs.getLong(2));
            }
        }
        Map<String, Integer> duplicates = receiver.receivedMoreThanOnce();
        long accepted = provider.orders.size();
        StringBuilder shares = new StringBuilder();
        counts(provider.acceptedByReplica).forEach((k, v) -> shares.append(String.format("%s %d (%.1f %%) ", k, v,
                accepted == 0 ? 0.0 : 100.0 * v / accepted)));
        StringBuilder r = new StringBuilder();
        r.append(String.format("%n=== replicas, %s (seed %d, %d replicas): %d payouts (%d from %d files, %d ERP rows, "
                        + "%d API with callback) ===%n", kind, seed, REPLICAS, in.expected.size(),
                in.files.values().stream().mapToInt(List::size).sum(), in.files.size(), in.erpRows.size(), in.api.size()));
        r.append(String.format("settled in %d ms after the last start; store %s%n", settleMs, CrashTrials.nonZero(states)));
        r.append(String.format("provider: %d references accepted, %d create calls (%d refused as duplicates), %d queries "
                        + "(%d not found)%n", accepted, provider.creates.sum(), provider.refusedDuplicates.sum(),
                provider.queries.sum(), provider.queriesNotFound.sum()));
        r.append("creates accepted per replica: ").append(shares).append("; create calls per replica ")
                .append(counts(provider.createsByReplica)).append('\n');
        r.append("ERP rows claimed by: ").append(claimedBy).append('\n');
        r.append(String.format("replica logs: %d files resumed after a stored row (\"resuming after row\"), %d lock takeovers "
                        + "(\"Lock on file ... acquired\")%n", logLines("resuming after row"),
                logLines("FileLockClusterView - Lock on file")));
        r.append(String.format("callbacks: %d payouts called back of %d, %d delivered more than once (%d extra deliveries) %s%n",
                receiver.received.size(), in.api.size(), duplicates.size(),
                duplicates.values().stream().mapToInt(n -> n - 1).sum(),
                duplicates.size() > 5 ? "" : duplicates));
        r.append(String.format("outbox %s; error %s%n", CrashTrials.list(shared.resolve("outbox")),
                CrashTrials.list(shared.resolve("error"))));
        for (Replica rep : replicas) {
            r.append(String.format("%s: %d runs, last log %s%n", rep.name, rep.gateway.runs(), rep.gateway.log()));
        }
        r.append(String.format("trial time %d s%n", (System.nanoTime() - trialStart) / 1_000_000_000L));
        return r.toString();
    }
}
