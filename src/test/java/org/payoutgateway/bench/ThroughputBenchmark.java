package org.payoutgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.payoutgateway.GatewayConfiguration;
import org.payoutgateway.GatewayMain;
import org.payoutgateway.config.Settings;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderConnector;
import org.payoutgateway.provider.ProviderRequest;
import org.payoutgateway.support.EmbeddedPostgres;
import org.payoutgateway.support.Gateway;

/**
 * The throughput benchmark (not a test: run it with {@code mvn -Pbenchmark verify}, see docs/performance.md).
 * First the packaged gateway's cold start-up, then, for each store (H2 file, PostgreSQL) and size N: a generated file of N payouts spread over the
 * four accounts is dropped into the inbox of the real application, a local stand-in provider
 * answers instantly, and the run measures the time until every payout is SUBMITTED and until every
 * one is final, the CPU time per payout, the peak heap and peak RSS. In the same run, the
 * baseline: the same N signed create requests sent straight to the stand-in by a plain HTTP client
 * loop with the same concurrency, just before the gateway starts and again just after it stopped.
 * Figures are printed and written to target/benchmark-results.md. Settings: -Dbench.sizes=10000,100000
 * -Dbench.stores=h2,postgres -Dbench.concurrency=16 -Dbench.warm-up=10000; any gateway setting with
 * -Dbench.set.&lt;setting&gt;=&lt;value&gt;.
 */
class ThroughputBenchmark {

    static final List<String> ACCOUNTS = List.of("paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id");

    /**
     * One run's figures. The baseline runs twice, just before the gateway starts and just after it
     * stopped, and the ratio is taken against their mean: this machine's speed drifts between runs,
     * and one baseline minutes away from the gateway's run made single ratios vary widely.
     */
    record Result(String store, int n, long submittedMs, long finalMs, long baselineBeforeMs, long baselineAfterMs,
                  long peakHeapMb, long peakRssMb, long sentTwice, long cpuMs, long baselineCpuMs, long dbCpuMs,
                  DurableFloor.Run floor, long floorDbCpuMs) {
        double gatewayRate() {
            return n * 1000.0 / submittedMs;
        }

        /** N over the durable floor loop's time: stored, claimed, sent, reply and final state recorded. */
        double floorRate() {
            return n * 1000.0 / floor.elapsedMs();
        }

        /** N over the mean time of the two baselines. */
        double baselineRate() {
            return n * 2000.0 / (baselineBeforeMs + baselineAfterMs);
        }

        /** CPU time per payout of one baseline run (the mean of the two runs). */
        double baselineCpuPerPayoutMs() {
            return baselineCpuMs / 2.0 / n;
        }
    }

    /** -Dbench.until=submitted: stop once every payout is SUBMITTED (for profiling runs; "all final" is then not measured). */
    private static final boolean SUBMITTED_ONLY = "submitted".equals(System.getProperty("bench.until"));

    @Test
    void run() throws Exception {
        List<Integer> sizes = List.of(System.getProperty("bench.sizes", "10000,100000").split(",")).stream()
                .map(String::strip).filter(x -> !x.isEmpty()).map(Integer::parseInt).toList();
        List<String> stores = List.of(System.getProperty("bench.stores", "h2,postgres").split(","));
        int concurrency = Integer.getInteger("bench.concurrency", 16);
        // start-ups first, on a machine not yet busy with the runs' leftovers (an embedded server stopping, GC)
        String startups = packagedStartups();
        // -Dbench.warm-up=N (10,000; 0: none): one unmeasured run of N payouts first, so that the first
        // measured run does not pay for compiling the gateway's code while the baselines, each
        // after its own warm-up, do not (a gateway in service has long been compiled)
        int warmUp = Integer.getInteger("bench.warm-up", 10_000);
        if (warmUp > 0 && !sizes.isEmpty()) {
            System.out.println("warm-up, not measured: " + runOnce(stores.get(0).strip(), warmUp, concurrency));
        }
        List<Result> results = new ArrayList<>();
        for (String store : stores) {
            for (int n : sizes) {
                Result r = runOnce(store.strip(), n, concurrency);
                results.add(r);
                System.out.println(r);
                assertThat(r.sentTwice()).as("payouts sent twice").isZero();
            }
        }
        report(results, concurrency, startups);
    }

    static final Path JAR = Path.of("target", "payout-gateway.jar").toAbsolutePath();
    static final Path CDS_ARCHIVE = Path.of("target", "payout-gateway.jsa").toAbsolutePath();

    /**
     * Cold starts of the packaged gateway, as {@code java -jar} runs it: a new JVM on a fresh
     * database, timed from launch until its HTTP API answers (the OpenAPI document, as the image's
     * health check asks; the intakes' first polls come later, on their own intervals). Three
     * with the class-data sharing archive {@code mvn package} writes, three without; the medians.
     */
    private static String packagedStartups() throws Exception {
        if (!Files.exists(JAR) || !Files.exists(CDS_ARCHIVE)) {
            return "Start-up of the packaged gateway not measured: " + JAR + " or " + CDS_ARCHIVE
                    + " is missing (run the benchmark with `mvn -Pbenchmark verify`, which packages first).";
        }
        long[] with = new long[3];
        long[] without = new long[3];
        for (int i = 0; i < 3; i++) {
            with[i] = packagedStartupMs(true);
            without[i] = packagedStartupMs(false);
        }
        java.util.Arrays.sort(with);
        java.util.Arrays.sort(without);
        return String.format("Start-up of the packaged gateway (new JVM, fresh H2 database, launch until the HTTP API "
                + "answers; median of 3): %.1f s with the class-data sharing archive (%s), %.1f s without (%s).",
                with[1] / 1000.0, ms(with), without[1] / 1000.0, ms(without));
    }

    private static String ms(long[] runs) {
        return java.util.Arrays.stream(runs).mapToObj(r -> String.format("%.2f", r / 1000.0)).collect(java.util.stream.Collectors.joining(", ")) + " s";
    }

    private static long packagedStartupMs(boolean withArchive) throws Exception {
        Path home = Files.createDirectories(Path.of("target", "bench", "startup-" + UUID.randomUUID()).toAbsolutePath());
        for (String folder : List.of("config", "routes")) {
            Files.createDirectories(home.resolve(folder));
            try (var files = Files.list(Path.of(folder))) {
                for (Path f : files.toList()) {
                    Files.copy(f, home.resolve(folder).resolve(f.getFileName()));
                }
            }
        }
        int port = Gateway.freePort();
        int managementPort = Gateway.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (withArchive) {
            command.add("-XX:SharedArchiveFile=" + CDS_ARCHIVE);
        }
        command.addAll(List.of("-Dcamel.server.port=" + port, "-Dcamel.management.port=" + managementPort, "-jar", JAR.toString()));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/openapi.json"))
                .timeout(Duration.ofSeconds(2)).build();
        long start = System.nanoTime();
        Process gateway = new ProcessBuilder(command).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("gateway.log").toFile()).start();
        try {
            while (true) {
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (!gateway.isAlive() || ms > 60_000) {
                    throw new AssertionError("the packaged gateway did not start: see " + home.resolve("gateway.log"));
                }
                try {
                    if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return ms;
                    }
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(20);
            }
        } finally {
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
    }

    private Result runOnce(String store, int n, int concurrency) throws Exception {
        Path home = Files.createDirectories(Path.of("target", "bench", store + "-" + n + "-" + UUID.randomUUID()).toAbsolutePath());
        try (InstantProvider provider = new InstantProvider(32)) {
            Map<String, String> settings = providerSettings(provider.port());
            Properties p = Gateway.defaults(home, Gateway.freePort());
            settings.forEach(p::setProperty);
            if (store.equals("h2")) {
                // the shipped H2 settings (every commit written at once), in this run's folder
                String url = GatewayConfiguration.DEFAULT_H2_URL.replace("./data/db/payouts", home.resolve("db/payouts").toString());
                // -Dbench.h2=CACHE_SIZE=131072;PAGE_SIZE=8192: H2 settings for a trial, in place of the shipped ones
                for (String option : System.getProperty("bench.h2", "").split(";")) {
                    if (!option.isBlank()) {
                        String key = option.substring(0, option.indexOf('=') + 1);
                        url = url.contains(";" + key) ? url.replaceAll(";" + key + "[^;]*", ";" + option) : url + ";" + option;
                    }
                }
                p.setProperty("payout.datasource.url", url);
            } else {
                EmbeddedPostgres.Database db = EmbeddedPostgres.freshDatabase("bench");
                p.setProperty("payout.datasource.url", db.url());
                p.setProperty("payout.datasource.username", db.username());
                p.setProperty("payout.datasource.password", db.password());
            }
            p.setProperty("payout.intake.erp.enabled", "false");
            p.setProperty("payout.dispatch.poll-interval-ms", "50");
            p.setProperty("payout.intake.file.result-interval-ms", "1000");
            // status queries as shipped (the test defaults query every second)
            p.setProperty("payout.query.cron", "0/5 * * * * ?");
            for (String a : ACCOUNTS) {
                p.setProperty("payout.provider." + a + ".query-schedule", "5s,10s,30s,1m,5m,30m,2h,6h");
                // the stand-in agreed to no rate limit (the shipped 500 requests/s per account would
                // cap the four accounts at 2,000 requests/s, creates and queries together, and the
                // run would measure that setting, not the gateway)
                p.setProperty("payout.provider." + a + ".rate-limit", "1000000");
                p.setProperty("payout.provider." + a + ".max-concurrent", String.valueOf(concurrency));
            }
            // -Dbench.set.<setting>=<value>: a gateway setting for this run (for trials of settings)
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.set."))
                    .forEach(k -> p.setProperty(k.substring("bench.set.".length()), System.getProperty(k)));
            Path file = generate(home, n);

            // the client, the stand-in and the signing code compiled first, or the first baseline
            // would measure the JIT compilers (not measured)
            baseline(provider.port(), Math.min(n, 20_000), concurrency, "WARM-UP-");
            provider.forget("WARM-UP-");
            long baselineCpuStart = processCpuMs();
            long baselineBeforeMs = baseline(provider.port(), n, concurrency, "BASE-BEFORE-");
            long baselineCpuMs = processCpuMs() - baselineCpuStart;
            provider.forget("BASE-BEFORE-");

            // the durable floor on a fresh database of the same store, the same requests to the same stand-in
            DurableFloor.Run floor;
            long floorDbCpuMs;
            try (com.zaxxer.hikari.HikariDataSource floorDb = floorDataSource(store, home)) {
                long dbCpuStart = postgresCpuMs();
                floor = DurableFloor.run(floorDb, accounts(provider.port()), ACCOUNTS, n,
                        Integer.parseInt(p.getProperty("payout.intake.file.batch-size", "2000")), concurrency,
                        concurrency / ACCOUNTS.size() + Integer.parseInt(p.getProperty("payout.dispatch.prefetch", "8")),
                        "FLOOR-");
                floorDbCpuMs = postgresCpuMs() - dbCpuStart;
            }
            provider.forget("FLOOR-");

            HeapWatch heap = new HeapWatch();
            Main main = GatewayMain.create(p);
            main.start();
            try {
                PayoutStore payouts = main.getCamelContext().getRegistry().lookupByNameAndType("payoutStore", PayoutStore.class);
                javax.sql.DataSource db = main.getCamelContext().getRegistry()
                        .lookupByNameAndType("payoutDataSource", javax.sql.DataSource.class);
                // the file route (and its inbox) may start after start() returns, once the file lock is taken
                Files.createDirectories(home.resolve("inbox"));
                long start = System.nanoTime();
                long cpuStart = processCpuMs();
                long dbCpuStart = postgresCpuMs();
                long dbCpuMs = -1;
                Files.move(file, home.resolve("inbox").resolve("bench.csv"));
                long submittedMs = -1;
                long cpuMs = -1;
                long total = 0;
                long finalMs;
                while (true) {
                    // every 250 ms, questions the state index answers at once; the table is counted
                    // only while nothing is pending and until it holds all N (a count walks the table,
                    // which the gateway should not pay for while it is measured)
                    boolean pending = any(db, "RECEIVED", "SENDING");
                    boolean open = pending || any(db, "SUBMITTED", "UNKNOWN");
                    if (total < n && !pending) {
                        total = count(db, "SELECT COUNT(*) FROM payout");
                    }
                    long now = (System.nanoTime() - start) / 1_000_000;
                    if (submittedMs < 0 && total == n && !pending) {
                        submittedMs = now;
                        cpuMs = processCpuMs() - cpuStart;
                        dbCpuMs = postgresCpuMs() - dbCpuStart;
                    }
                    if (total == n && (!open || (submittedMs >= 0 && SUBMITTED_ONLY))) {
                        finalMs = now;
                        break;
                    }
                    if (now > 600_000) {
                        throw new AssertionError("not final after 10 minutes: " + payouts.countByState());
                    }
                    Thread.sleep(250);
                }
                long peakHeap = heap.stop();
                long sentTwice = provider.sentTwice();
                long peakRss = peakRssMb();
                main.stop(); // the second baseline has the machine to itself, as the first had
                baselineCpuStart = processCpuMs();
                long baselineAfterMs = baseline(provider.port(), n, concurrency, "BASE-AFTER-");
                baselineCpuMs += processCpuMs() - baselineCpuStart;
                return new Result(store, n, submittedMs, finalMs, baselineBeforeMs, baselineAfterMs, peakHeap, peakRss,
                        sentTwice, cpuMs, baselineCpuMs, dbCpuMs, floor, floorDbCpuMs);
            } finally {
                main.stop();
            }
        }
    }

    /** Whether any payout is in one of these states (one look-up in the state index). */
    private static boolean any(javax.sql.DataSource db, String... states) throws java.sql.SQLException {
        for (String state : states) {
            try (java.sql.Connection c = db.getConnection();
                 java.sql.PreparedStatement ps = c.prepareStatement("SELECT reference FROM payout WHERE state = ? LIMIT 1")) {
                ps.setString(1, state);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static long count(javax.sql.DataSource db, String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = db.getConnection(); java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The four accounts as the gateway configures them, pointed at the stand-in. */
    static ProviderAccounts accounts(int port) {
        Map<String, String> s = providerSettings(port);
        s.put("payout.provider.accounts", String.join(",", ACCOUNTS));
        s.put("payout.callback.base-url", "http://localhost:1");
        return new ProviderAccounts(new Settings(k -> Optional.ofNullable(s.get(k))));
    }

    /** A fresh database for the durable floor: an H2 file with the shipped settings, or a new PostgreSQL database. */
    private static com.zaxxer.hikari.HikariDataSource floorDataSource(String store, Path home) throws Exception {
        com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
        if (store.equals("h2")) {
            c.setJdbcUrl(org.payoutgateway.payout.H2Url.enforce(GatewayConfiguration.DEFAULT_H2_URL
                    .replace("./data/db/payouts", home.resolve("db/floor").toString()), org.payoutgateway.payout.H2Url.PAYOUT_STORE).url());
            c.setUsername("sa");
        } else {
            EmbeddedPostgres.Database db = EmbeddedPostgres.freshDatabase("floor");
            c.setJdbcUrl(db.url());
            c.setUsername(db.username());
            c.setPassword(db.password());
        }
        c.setMaximumPoolSize(20);
        return new com.zaxxer.hikari.HikariDataSource(c);
    }

    /**
     * CPU time, in milliseconds, that every PostgreSQL server process on this machine has used so
     * far (user and system, from /proc/&lt;pid&gt;/stat): the database's own share of a run on
     * PostgreSQL. 0 where there is none (H2 runs inside this JVM and is in its CPU time).
     */
    static long postgresCpuMs() {
        long ticks = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8);
                    if (!cmd.contains("postgres")) {
                        continue;
                    }
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
                } catch (java.io.IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    /** The same N signed create requests, sent straight to the stand-in by a plain client loop; their references start with {@code prefix}. */
    private long baseline(int port, int n, int concurrency, String prefix) throws Exception {
        ProviderAccounts accounts = accounts(port);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            pool.submit(() -> {
                for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    String account = ACCOUNTS.get((int) (i % ACCOUNTS.size()));
                    ProviderConnector c = accounts.get(account);
                    ProviderRequest r = c.createRequest(payout(prefix + i, account), Instant.now());
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(r.url()))
                            .POST(HttpRequest.BodyPublishers.ofString(r.body()));
                    r.headers().forEach(b::header);
                    HttpResponse<String> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    c.readCreateReply(resp.statusCode(), resp.body());
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        return (System.nanoTime() - start) / 1_000_000;
    }

    static Payout payout(String reference, String account) {
        String[] row = row(reference, account);
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < HEADER.length; i++) {
            m.put(HEADER[i], row[i].isEmpty() ? null : row[i]);
        }
        PayoutInstruction in = PayoutInstruction.of(m);
        Instant now = Instant.now();
        return new Payout(reference, in, account, "BENCH", null, PayoutState.SENDING, null, null, null, 1, 0, false,
                false, null, now, now);
    }

    static final String[] HEADER = {"reference", "country", "provider", "amount", "currency", "beneficiary_name",
        "account_number", "bank_code", "account_type", "mobile", "email", "id_number", "remark"};

    static String[] row(String ref, String account) {
        return switch (account) {
            case "paypro-id" -> new String[] {ref, "ID", "paypro-id", "150000", "IDR", "Budi Santoso", "5464438554636",
                "0002", "", "081245907765", "budi@example.com", "", "bench"};
            case "paypro-ke" -> new String[] {ref, "KE", "paypro-ke", "1500", "KES", "", "", "", "", "254712345678", "", "", ""};
            case "paypro-pk" -> new String[] {ref, "PK", "paypro-pk", "5000", "PKR", "Jane Doe", "9876543210",
                "ALLIED_BANK_LIMITED", "BANK", "3115112345", "jane@example.com", "1730123456789", "bench"};
            default -> new String[] {ref, "ID", "diamondpay-id", "150000", "IDR", "test_name", "4088748280272397", "BCA",
                "", "", "", "", ""};
        };
    }

    static Path generate(Path home, int n) throws Exception {
        Path file = home.resolve("bench.csv.part");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write(String.join(",", HEADER));
            w.newLine();
            for (int i = 0; i < n; i++) {
                w.write(String.join(",", row("B" + i, ACCOUNTS.get(i % ACCOUNTS.size()))));
                w.newLine();
            }
        }
        return file;
    }

    static Map<String, String> providerSettings(int port) {
        Map<String, String> s = new HashMap<>();
        for (String a : ACCOUNTS) {
            s.put("payout.provider." + a + ".base-url", "http://127.0.0.1:" + port + "/" + a);
        }
        s.put("payout.provider.paypro-id.merchant-no", "1000000001");
        s.put("payout.provider.paypro-id.secret", "bench-secret");
        s.put("payout.provider.paypro-ke.merchant-no", "1000000002");
        s.put("payout.provider.paypro-ke.secret", "bench-secret");
        s.put("payout.provider.paypro-pk.merchant-no", "1000000003");
        s.put("payout.provider.paypro-pk.secret", "bench-secret");
        s.put("payout.provider.diamondpay-id.platform-id", "PF0002");
        s.put("payout.provider.diamondpay-id.key", "bench-key");
        s.put("payout.provider.diamondpay-id.authorization", "bench-token");
        return s;
    }

    /**
     * Samples the heap every 50 ms: the peak of what each garbage collection left alive (the live
     * heap, what a smaller -Xmx would have to hold), summed over the collected pools.
     */
    static final class HeapWatch {
        private volatile boolean running = true;
        private volatile long peak;
        private final Thread thread;

        HeapWatch() {
            System.gc();
            thread = new Thread(() -> {
                while (running) {
                    long live = ManagementFactory.getMemoryPoolMXBeans().stream()
                            .filter(pool -> pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null)
                            .mapToLong(pool -> pool.getCollectionUsage().getUsed()).sum();
                    peak = Math.max(peak, live);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-watch");
            thread.setDaemon(true);
            thread.start();
        }

        long stop() {
            running = false;
            return peak / (1024 * 1024);
        }
    }

    /** CPU time this JVM has used so far, all threads, in milliseconds. */
    static long processCpuMs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
    }

    /** Peak resident set size of this JVM (VmHWM), in MB. */
    static long peakRssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    private static void report(List<Result> results, int concurrency, String startups) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("| store | payouts | all SUBMITTED | all final | gateway rate | durable floor rate | ratio to floor "
                + "| CPU per payout, JVM + database (gateway / floor) | baseline rate (before / after) | ratio to bare HTTP "
                + "| CPU per payout (gateway / baseline) | peak live heap | peak RSS |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            md.append(String.format("| %s | %,d | %.1f s | %.1f s | %,.0f /s | %,.0f /s | %.2f | %.2f + %.2f / %.2f + %.2f ms "
                            + "| %,.0f /s (%,.0f / %,.0f) | %.2f | %.2f / %.2f ms | %d MB | %d MB |%n",
                    r.store(), r.n(), r.submittedMs() / 1000.0, r.finalMs() / 1000.0,
                    r.gatewayRate(), r.floorRate(), r.gatewayRate() / r.floorRate(),
                    (double) r.cpuMs() / r.n(), (double) r.dbCpuMs() / r.n(),
                    (double) r.floor().cpuMs() / r.n(), (double) r.floorDbCpuMs() / r.n(),
                    r.baselineRate(), r.n() * 1000.0 / r.baselineBeforeMs(), r.n() * 1000.0 / r.baselineAfterMs(),
                    r.gatewayRate() / r.baselineRate(),
                    (double) r.cpuMs() / r.n(), r.baselineCpuPerPayoutMs(), r.peakHeapMb(), r.peakRssMb()));
        }
        md.append(String.format("%nConcurrency %d, %d cores, max heap %d MB (whole JVM: gateway, stand-in provider and baseline client).%n",
                concurrency, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        md.append(String.format("%n%s%n", startups));
        System.out.println(md);
        Files.writeString(Path.of("target", "benchmark-results.md"), md.toString());
    }
}
