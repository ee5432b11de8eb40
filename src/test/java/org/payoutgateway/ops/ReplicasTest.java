package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * Two replicas of the real application on one store and one shared data folder (inbox, archive,
 * outbox and {@code payout.cluster.lock-dir}), in one JVM: only the replica holding the lock reads
 * the inbox and writes result files, both are ready, each applies its share of the account
 * limits, and when the lock holder stops the other takes the inbox over.
 */
class ReplicasTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String OPS_KEY = "replicas-ops-key-0123456789";
    private static final List<String> FILE_ROUTES = List.of("file-intake", "file-intake-resume", "file-results");

    private StandInProviders providers;
    private Gateway first;
    private Gateway second;
    /** The first replica: its folders are the shared ones (drop, result), also after it stopped. */
    private Gateway shared;

    @AfterEach
    void stop() {
        Stream.of(second, first).filter(g -> g != null).forEach(Gateway::close);
        if (providers != null) {
            providers.close();
        }
    }

    @Test
    void onlyTheLockHolderReadsTheInboxAndAnotherTakesOverWhenItStops() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.datasource.url", "jdbc:h2:mem:" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        s.put("payout.cluster.replicas", "2");
        s.put("payout.provider.paypro-ke.rate-limit", "41");
        s.put("payout.provider.paypro-ke.max-concurrent", "5");
        s.put("payout.api.clients", "ops");
        s.put("payout.api.client.ops.keys", OPS_KEY);
        s.put("payout.api.client.ops.roles", "operator");
        first = Gateway.start("replica-1", s);
        shared = first;
        Gateway.await(() -> fileRoutesRunning(first), Duration.ofSeconds(10), "the only replica never took the lock");
        for (String dir : List.of("inbox", "archive", "error", "outbox", "cluster")) {
            s.put(dir.equals("cluster") ? "payout.cluster.lock-dir" : "payout.intake.file." + dir + "-dir",
                    first.home.resolve(dir).toString());
        }
        // the second replica applies live edits of its own copy of routes/ (as of a shared volume)
        Path secondRoutes = Files.createDirectories(first.home.resolve("second-routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, secondRoutes.resolve(f.getFileName()));
            }
        }
        Map<String, String> s2 = new HashMap<>(s);
        s2.put("camel.main.routes-include-pattern", "file:" + Path.of("").toAbsolutePath().relativize(secondRoutes) + "/*.yaml");
        s2.put("payout.live-changes.enabled", "true");
        s2.put("payout.live-changes.settle-ms", "200");
        second = Gateway.start("replica-2", s2);

        // the second replica waits for the lock and is ready all the same
        Thread.sleep(1500); // three lock intervals (500 ms in tests)
        assertThat(FILE_ROUTES).as("file routes of the replica without the lock")
                .allSatisfy(r -> assertThat(routeStarted(second, r)).as(r).isFalse());
        assertThat(fileRoutesRunning(first)).as("the lock holder's file routes").isTrue();
        assertThat(ready(first)).as("readiness of the lock holder").isEqualTo(200);
        assertThat(ready(second)).as("readiness of the replica waiting for the lock").isEqualTo(200);

        // each takes half of the account's limits (rounded down)
        for (Gateway g : List.of(first, second)) {
            AccountGuards guards = g.context().getRegistry().lookupByNameAndType("accountGuards", AccountGuards.class);
            assertThat(guards.rateLimit("paypro-ke")).as("rate limit share of 41/s").isEqualTo(20);
            assertThat(guards.maxConcurrent("paypro-ke")).as("max-concurrent share of 5").isEqualTo(2);
        }

        // a console session made on one replica is known to the other (behind a load balancer)
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + first.httpPort + "/console/login"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"api_key\":\"" + OPS_KEY + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        assertThat(session(second, cookie)).as("the session on the other replica").isEqualTo(200);
        assertThat(session(second, cookie.substring(0, cookie.length() - 2) + "xx")).as("another id").isEqualTo(401);

        pay(first, "one.csv", "RP1-");
        assertThat(FILE_ROUTES).allSatisfy(r -> assertThat(routeStarted(second, r)).as(r).isFalse());

        // a live edit of the file routes on the replica without the lock: applied, and still not run there
        Path intake = secondRoutes.resolve("file-intake.yaml");
        Files.writeString(intake, Files.readString(intake).replace("description: Reads payout files from the inbox",
                "description: Reads payout files (edited live) from the inbox"));
        LiveChanges live = second.context().getRegistry().lookupByNameAndType("liveChanges", LiveChanges.class);
        Gateway.await(() -> !live.changes().isEmpty(), Duration.ofSeconds(15), "the edit was not seen");
        assertThat(live.changes().get(0).result()).as(live.changes().get(0).detail()).isEqualTo(LiveChanges.Result.APPLIED);
        assertThat(second.context().getRoute("file-intake").getDescription()).startsWith("Reads payout files (edited live)");
        Thread.sleep(1000);
        assertThat(routeStarted(second, "file-intake")).as("the edited file-intake on the replica without the lock").isFalse();

        first.close();
        first = null;
        Gateway.await(() -> fileRoutesRunning(second), Duration.ofSeconds(10),
                "the second replica did not take the inbox over after the first stopped");
        pay(second, "two.csv", "RP2-");

        try (Stream<Path> results = Files.list(shared.outbox)) {
            assertThat(results.map(p -> p.getFileName().toString()))
                    .as("one result file per payout file, written once").containsExactlyInAnyOrder("one.csv.result.csv", "two.csv.result.csv");
        }
    }

    /**
     * The worst case of the file lock: both replicas hold it at once (here each has its own lock
     * folder; in life, one paused past its heartbeat). The files' claims in the store still have
     * each file read by one of them, each row stored once and each result written once.
     */
    @Test
    void twoReplicasBothHoldingTheFileLockReadEachFileOnce() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.datasource.url", "jdbc:h2:mem:" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        s.put("payout.cluster.replicas", "2");
        s.put("payout.intake.file.batch-size", "5");
        s.put("payout.intake.file.poll-interval-ms", "200");
        first = Gateway.start("both-1", s);
        shared = first;
        for (String dir : List.of("inbox", "archive", "error", "outbox")) {
            s.put("payout.intake.file." + dir + "-dir", first.home.resolve(dir).toString());
        }
        second = Gateway.start("both-2", s); // its own lock folder: both hold "the" lock
        Gateway.await(() -> fileRoutesRunning(first) && fileRoutesRunning(second), Duration.ofSeconds(10),
                "both replicas should run the file routes");

        int files = 8;
        int rows = 30;
        for (int f = 0; f < files; f++) {
            for (int r = 0; r < rows; r++) {
                String ref = "BH" + f + "-" + r;
                providers.create("paypro-ke", ref, payproAccepted(ref));
                providers.query("paypro-ke", ref, payproStatus(ref, "0000", "SUCCESS"));
            }
        }
        for (int f = 0; f < files; f++) {
            StringBuilder csv = new StringBuilder("reference,country,amount,currency,mobile\n");
            for (int r = 0; r < rows; r++) {
                csv.append("BH").append(f).append('-').append(r).append(",KE,100,KES,254712345678\n");
            }
            shared.drop("both-" + f + ".csv", csv.toString());
        }
        for (int f = 0; f < files; f++) {
            Path result = shared.resultOf("both-" + f + ".csv");
            Gateway.await(() -> Files.exists(result), Duration.ofSeconds(60), "no result file for " + result);
            List<String> lines = Files.readAllLines(result);
            assertThat(lines).as(result.toString()).hasSize(rows + 1);
            assertThat(lines.subList(1, lines.size())).as("every row of " + result + " paid once, none a duplicate")
                    .allSatisfy(l -> assertThat(l.split(",")[1]).isEqualTo("SUCCESS"));
        }
        Thread.sleep(1500); // time for a second reading or result, were there one
        try (Stream<Path> results = Files.list(shared.outbox)) {
            assertThat(results.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .as("one result per file, written once").hasSize(files);
        }
        try (Stream<Path> archived = Files.list(shared.archive)) {
            assertThat(archived).as("each file archived once").hasSize(files);
        }
        int readings = first.store().inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM intake_file"); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(readings).as("one reading per file").isEqualTo(files);
        for (int f = 0; f < files; f++) {
            for (int r = 0; r < rows; r++) {
                assertThat(providers.creates("paypro-ke", "BH" + f + "-" + r)).as("creates of BH" + f + "-" + r).hasSize(1);
            }
        }
    }

    @Test
    void replicasBelowOneAreRefusedAtStart() {
        assertThatThrownBy(() -> {
            try (Gateway g = Gateway.start("replicas-zero", Map.of("payout.cluster.replicas", "0"))) {
                g.context();
            }
        }).hasStackTraceContaining("payout.cluster.replicas must be at least 1, was 0");
    }

    /** Drops a file of two Kenyan payouts into the shared inbox and waits for its result, all SUCCESS. */
    private void pay(Gateway running, String file, String prefix) throws Exception {
        for (int i = 0; i < 2; i++) {
            providers.create("paypro-ke", prefix + i, payproAccepted(prefix + i));
            providers.query("paypro-ke", prefix + i, payproStatus(prefix + i, "0000", "SUCCESS"));
        }
        shared.drop(file, "reference,country,amount,currency,mobile\n" + prefix + "0,KE,100,KES,254712345678\n"
                + prefix + "1,KE,200,KES,254712345678\n");
        Path result = shared.resultOf(file);
        Gateway.await(() -> Files.exists(result), Duration.ofSeconds(30), "no result file for " + file);
        assertThat(Files.readAllLines(result)).hasSize(3);
        for (int i = 0; i < 2; i++) {
            assertThat(running.payout(prefix + i).state()).isEqualTo(PayoutState.SUCCESS);
            assertThat(providers.creates("paypro-ke", prefix + i)).as("creates of " + prefix + i).hasSize(1);
        }
    }

    private static boolean fileRoutesRunning(Gateway g) {
        return FILE_ROUTES.stream().allMatch(r -> routeStarted(g, r));
    }

    private static boolean routeStarted(Gateway g, String route) {
        var status = g.context().getRouteController().getRouteStatus(route);
        return status != null && status.isStarted();
    }

    private static int session(Gateway g, String cookie) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + g.httpPort + "/console/session"))
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static int ready(Gateway g) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + g.managementPort + "/observe/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
