package org.payoutgateway.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * The operations console over real HTTP on the booted application: each read endpoint's content and
 * its scoping (a submitter sees only its own payouts and files only when it owns them), the CSV
 * export, masking in a payout's story, no path traversal in a result download, login and logout with
 * the session cookie's attributes, CSRF required for actions of a cookie session, and the security
 * headers of every /console answer.
 */
class ConsoleApiTest {

    static final String TEAM = "team-key";
    static final String FILER = "filer-key";
    static final String OPS = "ops-key";
    static final String CHECK = "checker-key";
    static final ObjectMapper JSON = new ObjectMapper();

    static StandInProviders providers;
    static Gateway gateway;
    static HttpClient http;
    static String teamPaid;
    static String unknown;
    static String fileRef;
    static String erpRef;
    static final String FILE = "console-test.json";

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.clients", "team,filer,ops,checker");
        s.put("payout.api.client.team.keys", TEAM);
        s.put("payout.api.client.team.roles", "submitter");
        s.put("payout.api.client.filer.keys", FILER);
        s.put("payout.api.client.filer.roles", "submitter");
        s.put("payout.api.client.ops.keys", OPS);
        s.put("payout.api.client.ops.roles", "operator");
        s.put("payout.api.client.checker.keys", CHECK);
        s.put("payout.api.client.checker.roles", "approver");
        s.put("payout.intake.file.owner", "filer");
        s.put("payout.provider.paypro-ke.query-schedule", "300ms,300ms");
        gateway = Gateway.start("console-api", s);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        teamPaid = ref("PAID");
        providers.create("paypro-ke", teamPaid, payproAccepted(teamPaid));
        providers.query("paypro-ke", teamPaid, payproStatus(teamPaid, "0000", "SUCCESS"));
        assertThat(post("/api/v1/payouts", kenya(teamPaid, "1500", "254712345678"), TEAM).statusCode()).isEqualTo(202);
        unknown = ref("UNK");
        providers.create("paypro-ke", unknown, aResponse().withStatus(500));
        providers.query("paypro-ke", unknown, aResponse().withStatus(500));
        assertThat(post("/api/v1/payouts", kenya(unknown, "2500", "254700001234"), TEAM).statusCode()).isEqualTo(202);

        fileRef = ref("FILE");
        providers.create("paypro-ke", fileRef, payproAccepted(fileRef));
        providers.query("paypro-ke", fileRef, payproStatus(fileRef, "0000", "SUCCESS"));
        gateway.drop(FILE, kenya(fileRef, "800", "254711119876") + "\n"
                + kenya(ref("BAD"), "10.5", "254711110000") + "\n");

        erpRef = ref("ERP");
        providers.create("paypro-ke", erpRef, payproAccepted(erpRef));
        providers.query("paypro-ke", erpRef, payproStatus(erpRef, "0000", "SUCCESS"));
        try (var c = gateway.store().dataSource().getConnection(); var st = c.createStatement()) {
            st.executeUpdate("INSERT INTO payout_request (reference, country, amount, currency, mobile) "
                    + "VALUES ('" + erpRef + "', 'KE', 700, 'KES', '254799990000')");
        }

        gateway.awaitState(erpRef, PayoutState.SUCCESS, Duration.ofSeconds(20));
        gateway.awaitState(teamPaid, PayoutState.SUCCESS, Duration.ofSeconds(20));
        gateway.awaitState(fileRef, PayoutState.SUCCESS, Duration.ofSeconds(20));
        gateway.awaitState(unknown, PayoutState.UNKNOWN, Duration.ofSeconds(20));
        Gateway.await(() -> gateway.payout(unknown).needsAttention(), Duration.ofSeconds(20), "the query schedule ran out");
        Gateway.await(() -> Files.exists(gateway.resultOf(FILE)), Duration.ofSeconds(20), "the file's result");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (providers != null) {
            providers.close();
        }
    }

    @Test
    void theOverviewCountsAndSumsByStateAndAccountWithCircuitsAndAges() throws Exception {
        JsonNode o = json(get("/api/v1/overview", OPS));
        assertThat(o.path("scope").asText()).isEqualTo("all");
        Map<String, JsonNode> states = new HashMap<>();
        o.path("states").forEach(s -> states.put(s.path("state").asText(), s));
        assertThat(states).containsKeys("RECEIVED", "REJECTED", "SENDING", "SUBMITTED", "UNKNOWN", "SUCCESS", "FAILED");
        assertThat(states.get("SUCCESS").path("count").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(states.get("SUCCESS").path("amounts").path("KES").asText()).isEqualTo("3000");
        assertThat(states.get("UNKNOWN").path("amounts").path("KES").asText()).isEqualTo("2500");
        assertThat(states.get("REJECTED").path("count").asLong()).isEqualTo(1);
        assertThat(o.path("total").asLong()).isEqualTo(5);
        assertThat(o.path("needs_attention").asLong()).isEqualTo(1);
        assertThat(o.path("oldest_unknown_seconds").isNumber()).isTrue();
        JsonNode ke = null;
        for (JsonNode a : o.path("accounts")) {
            if (a.path("account").asText().equals("paypro-ke")) {
                ke = a;
            }
        }
        assertThat(ke).isNotNull();
        assertThat(ke.path("circuit").asText()).isEqualTo("CLOSED");
        assertThat(ke.path("rate_limit").asInt()).isEqualTo(500);
        assertThat(ke.path("states").path("UNKNOWN").asLong()).isEqualTo(1);
        assertThat(ke.path("amounts").path("KES").asText()).isEqualTo("5500");
        Map<String, String> intakes = new HashMap<>();
        o.path("intakes").forEach(i -> intakes.put(i.path("route").asText(), i.path("status").asText()));
        assertThat(intakes).containsEntry("file-intake", "Started").containsEntry("api-submit", "Started")
                .containsKey("erp-intake");

        JsonNode own = json(get("/api/v1/overview", TEAM));
        assertThat(own.path("scope").asText()).isEqualTo("own");
        assertThat(own.path("total").asLong()).as("only the team's two payouts").isEqualTo(2);
    }

    @Test
    void searchFindsByEachCriterionAndASubmitterOnlyItsOwn() throws Exception {
        assertThat(references(get("/api/v1/payouts/search?reference=" + unknown.substring(4), OPS))).containsExactly(unknown);
        assertThat(references(get("/api/v1/payouts/search?file=" + FILE + "&state=SUCCESS", OPS))).containsExactly(fileRef);
        assertThat(references(get("/api/v1/payouts/search?file=" + FILE, OPS))).hasSize(2);
        assertThat(references(get("/api/v1/payouts/search?min_amount=2000&max_amount=3000", OPS))).containsExactly(unknown);
        assertThat(references(get("/api/v1/payouts/search?provider_reference=PF-" + teamPaid, OPS)))
                .as(get("/api/v1/payouts/" + teamPaid, OPS).body()).containsExactly(teamPaid);
        assertThat(references(get("/api/v1/payouts/search?account=paypro-ke&state=UNKNOWN", OPS))).containsExactly(unknown);
        assertThat(references(get("/api/v1/payouts/search?since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z", OPS))).isEmpty();

        assertThat(references(get("/api/v1/payouts/search", TEAM))).containsExactlyInAnyOrder(teamPaid, unknown);
        assertThat(references(get("/api/v1/payouts/search?reference=" + fileRef, TEAM))).as("the filer's payout").isEmpty();
        assertThat(references(get("/api/v1/payouts/search?file=" + FILE, FILER))).hasSize(2);

        JsonNode item = json(get("/api/v1/payouts/search?reference=" + unknown, OPS)).path("items").get(0);
        assertThat(item.path("mobile").asText()).isEqualTo("****1234");

        for (String bad : List.of("reference=%27%20OR%201=1", "state=LOST", "min_amount=abc", "since=yesterday", "size=0",
                "size=501", "page=-1", "format=xml", "file=a&erp_row=1")) {
            HttpResponse<String> r = get("/api/v1/payouts/search?" + bad, OPS);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
    }

    @Test
    void searchExportsCsv() throws Exception {
        HttpResponse<String> r = get("/api/v1/payouts/search?file=" + FILE + "&format=csv", OPS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(r.headers().firstValue("Content-Disposition").orElse("")).contains("attachment").contains("payouts.csv");
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build()
                .parse(new StringReader(r.body())).getRecords();
        assertThat(rows).hasSize(2);
        CSVRecord paid = rows.stream().filter(x -> x.get("reference").equals(fileRef)).findFirst().orElseThrow();
        assertThat(paid.get("status")).isEqualTo("SUCCESS");
        assertThat(paid.get("amount")).isEqualTo("800");
        assertThat(paid.get("intake_ref")).isEqualTo(FILE);
        assertThat(paid.get("mobile")).isEqualTo("****9876");
        assertThat(r.body()).doesNotContain("254711119876");
        assertThat(get("/api/v1/payouts/search?format=csv", TEAM).body()).contains(teamPaid).doesNotContain(fileRef);
        assertThat(ConsoleApi.cell("=HYPERLINK(\"x\")")).isEqualTo("'=HYPERLINK(\"x\")");
    }

    @Test
    void theStoryMasksTheInstructionAndTellsEverythingThatHappened() throws Exception {
        HttpResponse<String> r = get("/api/v1/payouts/" + unknown + "/story", OPS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("254700001234");
        JsonNode s = json(r);
        assertThat(s.path("payout").path("mobile").asText()).isEqualTo("****1234");
        assertThat(s.path("payout").path("status").asText()).isEqualTo("UNKNOWN");
        List<String> to = new ArrayList<>();
        s.path("history").forEach(h -> to.add(h.path("to").asText()));
        assertThat(to).contains("RECEIVED", "SENDING", "UNKNOWN");
        assertThat(s.path("provider_calls").isArray()).isTrue();
        assertThat(s.path("notifies").isArray()).isTrue();
        assertThat(s.path("callbacks").isArray()).isTrue();
        assertThat(s.path("operator_actions").isArray()).isTrue();
        assertThat(s.path("actions_allowed").toString()).contains("query-now", "resend", "propose-settlement");

        assertThat(json(get("/api/v1/payouts/" + unknown + "/story", CHECK)).path("actions_allowed")).as("not an operator").isEmpty();
        assertThat(get("/api/v1/payouts/" + unknown + "/story", TEAM).statusCode()).as("its own").isEqualTo(200);
        assertThat(get("/api/v1/payouts/" + fileRef + "/story", TEAM).statusCode()).as("the filer's").isEqualTo(404);
        assertThat(get("/api/v1/payouts/NO-SUCH-REF/story", OPS).statusCode()).isEqualTo(404);
    }

    @Test
    void attentionListsFlaggedUnknownPayoutsWithTheProvidersLastWord() throws Exception {
        JsonNode a = json(get("/api/v1/attention", OPS));
        assertThat(a.path("total").asLong()).isEqualTo(1);
        JsonNode item = a.path("items").get(0);
        assertThat(item.path("reference").asText()).isEqualTo(unknown);
        assertThat(item.path("why").asText()).isEqualTo("flagged by the gateway");
        assertThat(item.path("query_count").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(item.has("last_provider_message")).isTrue();
        assertThat(json(get("/api/v1/attention", FILER)).path("total").asLong()).as("not the filer's").isZero();
    }

    @Test
    void filesShowWhatBecameOfTheirRowsAndTheirResultDownloads() throws Exception {
        JsonNode f = json(get("/api/v1/files", OPS));
        assertThat(f.path("total").asLong()).isEqualTo(1);
        JsonNode file = f.path("items").get(0);
        assertThat(file.path("name").asText()).isEqualTo(FILE);
        assertThat(file.path("row_count").asInt()).isEqualTo(2);
        assertThat(file.path("stored").asInt() + file.path("rejected").asInt()).isEqualTo(2);
        assertThat(file.path("final").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(file.path("sent").asInt()).isGreaterThanOrEqualTo(1);
        Gateway.await(() -> {
            try {
                return json(get("/api/v1/files", OPS)).path("items").get(0).hasNonNull("result");
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(20), "the result recorded");
        String link = json(get("/api/v1/files", OPS)).path("items").get(0).path("result").asText();
        HttpResponse<String> result = get(link, OPS);
        assertThat(result.statusCode()).isEqualTo(200);
        assertThat(result.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(result.body()).isEqualTo(Files.readString(gateway.resultOf(FILE)));
        assertThat(get(link, FILER).statusCode()).as("the files' owner").isEqualTo(200);
        assertThat(get(link, TEAM).statusCode()).as("not the files' owner").isEqualTo(404);
        assertThat(json(get("/api/v1/files", TEAM)).path("items")).isEmpty();

        // nothing of the request becomes a path, not even when the store's row names a file outside the outbox
        Files.writeString(gateway.home.resolve("secret.txt"), "not for download");
        try (var c = gateway.store().dataSource().getConnection(); var st = c.createStatement()) {
            st.executeUpdate("INSERT INTO intake_file (name, size_bytes, modified_at, state, row_count, result_name, received_at) "
                    + "VALUES ('evil.json', 1, 0, 'DONE', 0, '../secret.txt', CURRENT_TIMESTAMP)");
        }
        long evil = json(get("/api/v1/files", OPS)).path("items").get(0).path("id").asLong();
        assertThat(get("/api/v1/files/" + evil + "/result", OPS).statusCode()).isEqualTo(404);
        for (String bad : List.of("/api/v1/files/..%2Fsecret.txt/result", "/api/v1/files/%2e%2e/result",
                "/api/v1/files/1%2F..%2F..%2Fsecret.txt/result", "/api/v1/files/-1/result", "/api/v1/files/999999/result")) {
            HttpResponse<String> r = get(bad, OPS);
            assertThat(r.statusCode()).as(bad).isIn(400, 404);
            assertThat(r.body()).doesNotContain("not for download");
        }
    }

    @Test
    void erpRowsArePaged() throws Exception {
        JsonNode e = json(get("/api/v1/erp-rows?size=10", OPS));
        assertThat(e.path("total").asLong()).isEqualTo(1);
        assertThat(e.path("items").get(0).path("reference").asText()).isEqualTo(erpRef);
        assertThat(e.path("items").get(0).path("intake").asText()).isEqualTo("ERP");
        assertThat(e.path("items").get(0).path("erp_row").asText()).isNotBlank();
        assertThat(e.path("items").get(0).path("mobile").asText()).isEqualTo("****0000");
        assertThat(json(get("/api/v1/erp-rows", TEAM)).path("total").asLong()).as("owned by default").isZero();
    }

    @Test
    void loginGivesAnHttpOnlySameSiteSessionCookieAndACsrfTokenThatWritesNeed() throws Exception {
        assertThat(login("wrong-key").statusCode()).isEqualTo(401);
        HttpResponse<String> in = login(OPS);
        assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
        String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith(ConsoleSessions.COOKIE + "=").contains("HttpOnly", "SameSite=Strict", "Path=/")
                .doesNotContain("Secure");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(cookie.substring(cookie.indexOf('=') + 1)).hasSize(43);
        JsonNode body = json(in);
        assertThat(body.path("client").asText()).isEqualTo("ops");
        assertThat(body.path("roles").toString()).contains("operator");
        String csrf = body.path("csrf_token").asText();
        assertThat(csrf).hasSize(43);
        assertThat(in.body()).doesNotContain(OPS);
        HttpResponse<String> secure = send(HttpRequest.newBuilder(uri("/console/login")).header("X-Forwarded-Proto", "https")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"api_key\":\"" + OPS + "\"}")));
        assertThat(secure.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure");

        assertThat(send(HttpRequest.newBuilder(uri("/api/v1/overview")).header("Cookie", cookie).GET()).statusCode())
                .as("reads with the cookie alone").isEqualTo(200);
        assertThat(json(send(HttpRequest.newBuilder(uri("/console/session")).header("Cookie", cookie).GET()))
                .path("csrf_token").asText()).isEqualTo(csrf);

        String path = "/api/v1/payouts/" + unknown + "/query-now";
        HttpResponse<String> without = send(HttpRequest.newBuilder(uri(path)).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(without.statusCode()).as(without.body()).isEqualTo(403);
        assertThat(without.body()).contains("X-CSRF-Token");
        assertThat(send(HttpRequest.newBuilder(uri(path)).header("Cookie", cookie).header("X-CSRF-Token", "not-the-token")
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(403);
        HttpResponse<String> with = send(HttpRequest.newBuilder(uri(path)).header("Cookie", cookie).header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(with.statusCode()).as(with.body()).isEqualTo(200);
        assertThat(json(with).path("action").path("client").asText()).isEqualTo("ops");

        assertThat(send(HttpRequest.newBuilder(uri("/console/logout")).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).as("logout without the token").isEqualTo(403);
        HttpResponse<String> out = send(HttpRequest.newBuilder(uri("/console/logout")).header("Cookie", cookie)
                .header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(send(HttpRequest.newBuilder(uri("/api/v1/overview")).header("Cookie", cookie).GET()).statusCode())
                .as("the session ended").isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(uri("/api/v1/overview")).header("Cookie", ConsoleSessions.COOKIE + "="
                + "A".repeat(43)).GET()).statusCode()).as("a made-up session").isEqualTo(401);
    }

    @Test
    void everyConsoleAnswerCarriesTheSecurityHeaders() throws Exception {
        for (String path : List.of("/console", "/console/", "/console/console.js", "/console/console.css", "/console/session")) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)).GET());
            assertThat(r.statusCode()).as(path).isIn(200, 401);
            assertSecurityHeaders(r, path);
        }
        HttpResponse<String> missing = send(HttpRequest.newBuilder(uri("/console/no-such-page")).GET());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertSecurityHeaders(missing, "no such page");
        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(uri("/console/login")).GET());
        assertThat(wrongMethod.statusCode()).isIn(404, 405);
        assertSecurityHeaders(wrongMethod, "GET of the login");
        assertSecurityHeaders(login("wrong-key"), "failed login");
        assertSecurityHeaders(login(OPS), "login");
        assertSecurityHeaders(send(HttpRequest.newBuilder(uri("/console/logout")).POST(HttpRequest.BodyPublishers.noBody())), "logout");
        HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/console")).GET());
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("/console/console.js").doesNotContain("<script>").doesNotContain("style=");
        String script = send(HttpRequest.newBuilder(uri("/console/console.js")).GET()).body();
        assertThat(script).doesNotContain("innerHTML").doesNotContain("localStorage").doesNotContain("sessionStorage");
    }

    static void assertSecurityHeaders(HttpResponse<String> r, String what) {
        assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).as(what)
                .isEqualTo("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
        assertThat(r.headers().firstValue("X-Frame-Options").orElse("")).as(what).isEqualTo("DENY");
        assertThat(r.headers().firstValue("X-Content-Type-Options").orElse("")).as(what).isEqualTo("nosniff");
        assertThat(r.headers().firstValue("Referrer-Policy").orElse("")).as(what).isEqualTo("no-referrer");
    }

    // ------------------------------------------------------------------------------------ helpers

    static List<String> references(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        json(r).path("items").forEach(i -> out.add(i.path("reference").asText()));
        return out;
    }

    static HttpResponse<String> login(String key) throws Exception {
        return send(HttpRequest.newBuilder(uri("/console/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"api_key\":\"" + key + "\"}")));
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    static String ref(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    static String kenya(String ref, String amount, String mobile) {
        return "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"" + amount + "\",\"currency\":\"KES\",\"mobile\":\""
                + mobile + "\"}";
    }

    static URI uri(String path) {
        return URI.create("http://localhost:" + gateway.httpPort + path);
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body, String key) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("X-API-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("X-API-Key", key).GET());
    }
}
