package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.camel.Route;
import org.apache.camel.component.timer.TimerEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * Live changes (docs/operations.md "Live changes"): the real application runs
 * from its own copy of {@code routes/} and {@code config/} with {@code payout.live-changes.enabled};
 * the test edits those files as an operator would.
 */
class LiveChangesTest {

    private static final String API_KEY = "live-changes-test-key";
    private Path home;
    private Path routes;
    private Path config;
    private StandInProviders providers;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        home = Files.createDirectories(Path.of("target", "it", "live-" + UUID.randomUUID()).toAbsolutePath());
        routes = copy(Path.of("routes"), home.resolve("routes"));
        config = copy(Path.of("config"), home.resolve("config"));
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        // relative to the working folder, as the shipped config/ and routes/ are
        Path here = Path.of("").toAbsolutePath();
        s.put("payout.config-dir", here.relativize(config).toString());
        s.put("camel.main.routes-include-pattern", "file:" + here.relativize(routes) + "/*.yaml");
        s.put("payout.live-changes.enabled", "true");
        s.put("payout.live-changes.settle-ms", "200");
        s.put("payout.api.keys", API_KEY);
        gateway = Gateway.start("live", s);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        providers.close();
    }

    @Test
    void badRouteEditsAreRefusedAndTheRunningRoutesKeepSendingPayouts() throws Exception {
        Path dispatch = routes.resolve("dispatch.yaml");
        String good = Files.readString(dispatch);
        Route running = gateway.context().getRoute("dispatch");
        Route create = gateway.context().getRoute("provider-create-paypro-id");
        String version = readyVersion();

        Map<String, String> bad = Map.of(
                "YAML does not parse", good.replace("    id: dispatch\n", "    id: \"dispatch\n"),
                "unknown bean method", good.replace("method: fillCreates", "method: fillCreatez"),
                "unknown endpoint", good.replace("\"http://provider-create", "\"htttp://provider-create"),
                "unknown bean", good.replace("ref: dispatcher\n            method: record\n", "ref: dispatchr\n            method: record\n"),
                "undefined setting", good.replace("{{payout.dispatch.poll-interval-ms}}", "{{payout.dispatch.poll-intervall-ms}}"),
                "broken simple expression (found by the trial build)", good.replace("${exchangeProperty.heldBack} == true", "${exchangeProperty.heldBack == true"),
                "unknown DSL step (found by the trial build)", good.replace("- doTry:", "- doTryy:"));
        int n = 0;
        for (Map.Entry<String, String> edit : bad.entrySet()) {
            assertThat(edit.getValue()).as(edit.getKey()).isNotEqualTo(good);
            Files.writeString(dispatch, edit.getValue());
            LiveChanges.Change change = awaitChange(++n);
            assertThat(change.result()).as(edit.getKey() + ": " + change.detail()).isEqualTo(LiveChanges.Result.REFUSED);
            assertThat(change.file()).endsWith("dispatch.yaml");
            assertThat(gateway.context().getRoute("dispatch")).as(edit.getKey()).isSameAs(running);
            assertThat(gateway.context().getRoute("provider-create-paypro-id")).as(edit.getKey()).isSameAs(create);
            assertThat(gateway.context().getRouteController().getRouteStatus("dispatch").isStarted()).isTrue();
        }
        // the first bad edit names the file and line
        assertThat(live().changes().stream().map(LiveChanges.Change::detail))
                .anyMatch(d -> d.matches("(?s).*dispatch.yaml:\\d+: YAML does not parse.*"))
                .anyMatch(d -> d.contains("bean 'accountLanes' has no method 'fillCreatez'"))
                .anyMatch(d -> d.contains("does not build"));

        // a new file whose route takes the id of another file's route: refused, that route runs on
        Route results = gateway.context().getRoute("file-results");
        Files.writeString(routes.resolve("oops.yaml"), secondConsumer("file-results", "timer:oops"));
        LiveChanges.Change taken = awaitChange(++n);
        assertThat(taken.result()).as(taken.detail()).isEqualTo(LiveChanges.Result.REFUSED);
        assertThat(taken.detail()).contains("oops.yaml:3: route id 'file-results' is already used by");
        assertThat(gateway.context().getRoute("file-results")).isSameAs(results);
        Files.delete(routes.resolve("oops.yaml"));
        assertThat(readyVersion()).as("the settings version readiness reports, after refused edits only").isEqualTo(version);

        // payouts keep flowing through the routes that kept running
        List<String> refs = payouts("BAD", 20);
        gateway.drop("after-bad-edits.csv", csv(refs));
        for (String ref : refs) {
            gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(30));
            assertThat(providers.creates("paypro-id", ref)).hasSize(1);
        }
    }

    @Test
    void aGoodRouteEditAppliesWithinSecondsWhilePayoutsAreInFlightWithNoneLostOrSentTwice() throws Exception {
        List<String> refs = payouts("GOOD", 300);
        String startVersion = readyVersion();
        // slow enough that the edit lands while payouts are being sent
        Files.writeString(config.resolve("application.properties"), "\npayout.provider.paypro-id.rate-limit=25\n",
                java.nio.file.StandardOpenOption.APPEND);
        awaitChange(1);
        assertThat(guards().rateLimit("paypro-id")).isEqualTo(25);
        String settingsEdited = readyVersion();
        assertThat(settingsEdited).as("settings version after a settings edit").matches("[0-9a-f]{12}").isNotEqualTo(startVersion);

        gateway.drop("in-flight.csv", csv(refs));
        Gateway.await(() -> providers.server.getAllServeEvents().size() > 20, Duration.ofSeconds(20), "no payout was sent");
        Path dispatch = routes.resolve("dispatch.yaml");
        Files.writeString(dispatch, Files.readString(dispatch).replace(
                "description: Tops up each provider account's lane with the payouts due for dispatch",
                "description: Claims due payouts and sends them (edited live)").replace(
                "description: Sends the signed create request of a claimed payout to its account and reads the answer",
                "description: Sends the create request (edited live)"));
        long edited = System.nanoTime();
        LiveChanges.Change change = awaitChange(2);
        Map<PayoutState, Integer> atEdit = gateway.store().countByState();
        assertThat(change.result()).as(change.detail()).isEqualTo(LiveChanges.Result.APPLIED);
        assertThat(Duration.ofNanos(System.nanoTime() - edited)).isLessThan(Duration.ofSeconds(5));
        assertThat(gateway.context().getRoute("dispatch").getDescription()).isEqualTo("Claims due payouts and sends them (edited live)");
        assertThat(readyVersion()).as("settings version after a route edit").isNotIn(startVersion, settingsEdited);
        // the template is replaced, not kept beside the new one, and every account's route is made from the new one
        assertThat(((org.apache.camel.model.ModelCamelContext) gateway.context()).getRouteTemplateDefinitions())
                .filteredOn(t -> t.getId().equals("provider-create")).hasSize(1);
        for (String account : List.of("paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id")) {
            assertThat(gateway.context().getRoute("provider-create-" + account).getDescription())
                    .isEqualTo("Sends the create request (edited live)");
        }
        assertThat(atEdit.getOrDefault(PayoutState.RECEIVED, 0) + atEdit.getOrDefault(PayoutState.SENDING, 0))
                .as("the edit landed while payouts were still going out: " + atEdit).isPositive();

        for (String ref : refs) {
            gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(60));
        }
        for (String ref : refs) {
            assertThat(providers.creates("paypro-id", ref)).as(ref).hasSize(1);
        }
    }

    @Test
    void aRouteThatFailsToStartIsRolledBackToTheOldOne() throws Exception {
        // a cron expression Quartz refuses: found by the trial build, nothing running is touched
        Path queries = routes.resolve("status-query.yaml");
        Route statusQuery = gateway.context().getRoute("status-query");
        Files.writeString(queries, Files.readString(queries).replace("cron: \"{{payout.query.cron}}\"", "cron: \"61 * * * * ?\""));
        LiveChanges.Change cron = awaitChange(1);
        assertThat(cron.result()).isEqualTo(LiveChanges.Result.REFUSED);
        assertThat(cron.detail()).contains("CronExpression '61 * * * * ?' is invalid");
        assertThat(gateway.context().getRoute("status-query")).isSameAs(statusQuery);

        // a route that only fails once it starts beside the others (a second consumer of a direct
        // endpoint another file has): the file's old routes are put back
        Path notify = routes.resolve("notify.yaml");
        Route notifyBefore = gateway.context().getRoute("provider-notify");
        Files.writeString(notify, Files.readString(notify) + secondConsumer("provider-query-copy", "direct:provider-query"));
        assertRolledBack(awaitChange(2), "provider-query-copy",
                "provider-notify", "notify-query", "status-query", "provider-query", "provider-query-paypro-id");
        assertThat(gateway.context().getRoute("provider-notify").getEndpoint().getEndpointUri())
                .isEqualTo(notifyBefore.getEndpoint().getEndpointUri());

        // the same in a file with a per-account template: its old template and account routes are back
        Path dispatch = routes.resolve("dispatch.yaml");
        Files.writeString(dispatch, Files.readString(dispatch)
                .replace("description: Tops up each provider account's lane with the payouts due for dispatch",
                        "description: Claims due payouts (rolled back)") + secondConsumer("notify-query-copy", "direct:notify-query"));
        assertRolledBack(awaitChange(3), "notify-query-copy",
                "dispatch", "dispatch-payout", "provider-create-paypro-id", "provider-create-diamondpay-id", "notify-query");
        assertThat(gateway.context().getRoute("dispatch").getDescription()).doesNotContain("rolled back");

        // the routes still send and query: payouts go from RECEIVED to SUCCESS
        List<String> refs = payouts("RB", 3);
        gateway.drop("rolled-back.csv", csv(refs));
        for (String ref : refs) {
            gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(30));
        }
    }

    @Test
    void theHttpApiCanBeEditedLive() throws Exception {
        Path api = routes.resolve("http-intake.yaml");
        Files.writeString(api, Files.readString(api).replace("description: \"Payouts, newest first, filtered and paged\"",
                "description: \"Payouts, newest first (edited live)\""));
        LiveChanges.Change change = awaitChange(1);
        assertThat(change.result()).as(change.detail()).isEqualTo(LiveChanges.Result.APPLIED);
        assertThat(change.detail()).contains("api-submit");

        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String ref = payouts("API", 1).get(0);
        java.net.http.HttpResponse<String> submitted = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + gateway.httpPort + "/api/v1/payouts"))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"reference\":\"" + ref + "\",\"country\":\"ID\","
                        + "\"amount\":\"150000\",\"currency\":\"IDR\",\"beneficiary_name\":\"Budi\",\"account_number\":\"5464438554636\","
                        + "\"bank_code\":\"0002\",\"mobile\":\"081245907765\",\"email\":\"budi@example.com\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(30));
    }

    @Test
    void settingsEditsAreCheckedThenAppliedLive() throws Exception {
        Path file = config.resolve("application.properties");
        String original = Files.readString(file);

        // a routing entry naming no account: refused with file and line, routing unchanged
        Files.writeString(file, original.replace("payout.routing.ID=paypro-id", "payout.routing.ID=nobody"));
        LiveChanges.Change refused = awaitChange(1);
        assertThat(refused.result()).isEqualTo(LiveChanges.Result.REFUSED);
        assertThat(refused.detail()).containsPattern("application.properties:\\d+: payout.routing.ID names account 'nobody'");
        List<String> id = payouts("RT", 1);
        gateway.drop("routing.csv", csv(id));
        gateway.awaitState(id.get(0), PayoutState.SUCCESS, Duration.ofSeconds(30));
        assertThat(gateway.payout(id.get(0)).account()).isEqualTo("paypro-id");

        // the refused settings file, still on disk, does not hold up a sound route edit
        Path results = routes.resolve("file-results.yaml");
        Files.writeString(results, Files.readString(results).replace("description: ", "description: (edited) "));
        LiveChanges.Change route = awaitChange(2);
        assertThat(route.result()).as(route.detail()).isEqualTo(LiveChanges.Result.APPLIED);

        // a rate limit that is not a number: refused
        Files.writeString(file, original + "\npayout.provider.paypro-id.rate-limit=fast\n");
        assertThat(awaitChange(3).result()).isEqualTo(LiveChanges.Result.REFUSED);
        assertThat(guards().rateLimit("paypro-id")).isEqualTo(500);

        // a setting that applies at the next restart, not of its type: refused now, not found at the restart
        Files.writeString(file, original.replace("payout.api.batch-max=1000", "payout.api.batch-max=lots"));
        LiveChanges.Change restart = awaitChange(4);
        assertThat(restart.result()).isEqualTo(LiveChanges.Result.REFUSED);
        assertThat(restart.detail()).contains("payout.api.batch-max must be a whole number, not 'lots'");

        // sound: a new rate limit and concurrency limit, a route placeholder, and a second merchant
        com.github.tomakehurst.wiremock.WireMockServer second = new com.github.tomakehurst.wiremock.WireMockServer(
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig().dynamicPort());
        second.start();
        try {
            StandInProviders.Api api = StandInProviders.APIS.get("paypro-id");
            second.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/id2" + api.createPath()).willReturn(payproAccepted("LIVE-2")));
            second.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/id2" + api.queryPath())
                    .willReturn(payproStatus("LIVE-2", "0000", "SUCCESS")));
            String edited = original
                    .replaceFirst("payout.provider.accounts=([^\\n]*)", "payout.provider.accounts=$1,paypro-id-2")
                    .replace("payout.metrics.refresh-interval-ms=30000", "payout.metrics.refresh-interval-ms=4321")
                    + "\npayout.provider.paypro-id.rate-limit=25\npayout.provider.paypro-id.max-concurrent=3\n"
                    + "payout.provider.paypro-id-2.mapping=paypro-id\n"
                    + "payout.provider.paypro-id-2.base-url=http://localhost:" + second.port() + "/id2\n"
                    + "payout.provider.paypro-id-2.merchant-no=2000000002\n"
                    + "payout.provider.paypro-id-2.secret=live-second-secret\n"
                    + "payout.provider.paypro-id-2.query-schedule=1s\n"
                    + "payout.datasource.pool-size=7\n";
            Files.writeString(file, edited);
            LiveChanges.Change applied = awaitChange(5);
            assertThat(applied.result()).as(applied.detail()).isEqualTo(LiveChanges.Result.APPLIED);
            assertThat(applied.detail()).contains("observability.yaml").contains("apply at the next restart: [payout.datasource.pool-size]");
            assertThat(guards().rateLimit("paypro-id")).isEqualTo(25);
            // the new account's routes, made from the same templates as every account's
            assertThat(gateway.context().getRoute("provider-create-paypro-id-2")).isNotNull();
            assertThat(gateway.context().getRoute("provider-query-paypro-id-2")).isNotNull();
            assertThat(guards().maxConcurrent("paypro-id")).isEqualTo(3);
            TimerEndpoint metricsTimer = (TimerEndpoint) gateway.context().getRoute("payout-metrics").getEndpoint();
            assertThat(metricsTimer.getPeriod()).isEqualTo(4321);

            gateway.drop("second.csv", "reference,country,provider,amount,currency,beneficiary_name,account_number,bank_code,mobile,email\n"
                    + "LIVE-2,ID,paypro-id-2,150000,IDR,Siti,1234567890,0008,081298765432,siti@example.com\n");
            gateway.awaitState("LIVE-2", PayoutState.SUCCESS, Duration.ofSeconds(30));
            assertThat(second.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/id2" + api.createPath())))).hasSize(1);
            assertThat(org.apache.camel.health.HealthCheckRegistry.get(gateway.context()).getCheck("provider-account-paypro-id-2")).isPresent();
        } finally {
            second.stop();
        }
    }

    // ----------------------------------------------------------------------------------- helpers

    private LiveChanges live() {
        return gateway.context().getRegistry().lookupByNameAndType("liveChanges", LiveChanges.class);
    }

    private AccountGuards guards() {
        return gateway.context().getRegistry().lookupByNameAndType("accountGuards", AccountGuards.class);
    }

    /** Waits for the n-th change the gateway saw and returns it. */
    /** A route that consumes an endpoint another route already consumes: it builds, but does not start. */
    private static String secondConsumer(String routeId, String uri) {
        return """

                - route:
                    id: %s
                    from:
                      uri: "%s"
                      steps:
                        - log: "copied by mistake"
                """.formatted(routeId, uri);
    }

    /** The edit was refused after its new routes failed to start, and the routes named run again. */
    /** The settings version in the readiness answer ({@code /observe/health/ready?data=true}, check settings-version). */
    private String readyVersion() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + gateway.managementPort + "/observe/health/ready?data=true")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        for (com.fasterxml.jackson.databind.JsonNode check : new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("checks")) {
            if (check.path("name").asText().equals("settings-version")) {
                return check.path("data").path("version").asText();
            }
        }
        throw new AssertionError("no settings-version check in readiness: " + r.body());
    }

    private void assertRolledBack(LiveChanges.Change change, String failedRoute, String... running) {
        assertThat(change.result()).as(change.detail()).isEqualTo(LiveChanges.Result.REFUSED);
        assertThat(change.detail()).contains("did not start").contains("the old routes run again");
        assertThat(gateway.context().getRoute(failedRoute)).isNull();
        for (String id : running) {
            assertThat(gateway.context().getRouteController().getRouteStatus(id)).as(id).isNotNull();
            assertThat(gateway.context().getRouteController().getRouteStatus(id).isStarted()).as(id).isTrue();
        }
    }

    private LiveChanges.Change awaitChange(int n) {
        Gateway.await(() -> live().changes().size() >= n, Duration.ofSeconds(15),
                () -> "change " + n + " not seen; changes so far: " + live().changes());
        return live().changes().get(n - 1);
    }

    /** References of Paypro Indonesia payouts the stand-in takes and reports paid. */
    private List<String> payouts(String prefix, int count) {
        List<String> refs = IntStream.rangeClosed(1, count).mapToObj(i -> prefix + "-" + i).toList();
        for (String ref : refs) {
            providers.create("paypro-id", ref, payproAccepted(ref));
            providers.query("paypro-id", ref, payproStatus(ref, "0000", "SUCCESS"));
        }
        return refs;
    }

    private static String csv(List<String> refs) {
        return "reference,country,amount,currency,beneficiary_name,account_number,bank_code,mobile,email\n"
                + refs.stream().map(r -> r + ",ID,150000,IDR,Budi,5464438554636,0002,081245907765,budi@example.com")
                        .collect(Collectors.joining("\n")) + "\n";
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
