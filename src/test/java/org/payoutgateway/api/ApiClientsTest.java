package org.payoutgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.support.ApiCalls;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * API clients and roles over real HTTP on the booted application: a submitter reads and lists only
 * its own payouts (and the file intake's owner its files' payouts), another client's reference is
 * a 409 that tells nothing of that payout, each role may do what docs/api.md says and nothing more,
 * a client's two keys both work (rotation), and writes and refusals are in the audit trail.
 */
class ApiClientsTest {

    static final String A1 = "team-a-key-one";
    static final String A2 = "team-a-key-two";
    static final String B = "team-b-key";
    static final String OPS = "ops-key";
    static final String VIEW = "viewer-key";
    static final String APPROVE = "approver-key";
    static final ObjectMapper JSON = new ObjectMapper();

    static StandInProviders providers;
    static Gateway gateway;
    static ApiCalls api;

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.clients", "team-a,team-b,ops,audit,checker");
        s.put("payout.api.client.team-a.keys", A1 + "," + A2);
        s.put("payout.api.client.team-a.roles", "submitter");
        s.put("payout.api.client.team-b.keys", B);
        s.put("payout.api.client.team-b.roles", "submitter");
        s.put("payout.api.client.ops.keys", OPS);
        s.put("payout.api.client.ops.roles", "operator");
        s.put("payout.api.client.audit.keys", VIEW);
        s.put("payout.api.client.audit.roles", "viewer");
        s.put("payout.api.client.checker.keys", APPROVE);
        s.put("payout.api.client.checker.roles", "approver");
        s.put("payout.intake.file.owner", "team-a");
        gateway = Gateway.start("api-clients", s);
        api = new ApiCalls(gateway);
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
    void anotherClientsPayoutIsNotFoundAndAbsentFromItsList() throws Exception {
        String ref = ref("OWN");
        assertThat(post(kenya(ref, "1500"), A1).statusCode()).isEqualTo(202);

        HttpResponse<String> other = get("/api/v1/payouts/" + ref, B);
        HttpResponse<String> none = get("/api/v1/payouts/" + ref("NONE"), B);
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(other.body()).path("title").asText()).isEqualTo(JSON.readTree(none.body()).path("title").asText());
        assertThat(other.body()).doesNotContain("1500").doesNotContain("254712345678").doesNotContain("RECEIVED");

        assertThat(get("/api/v1/payouts/" + ref, A1).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/payouts/" + ref, A2).statusCode()).as("the client's second key (rotation)").isEqualTo(200);
        assertThat(get("/api/v1/payouts/" + ref, OPS).statusCode()).as("operator reads all").isEqualTo(200);
        assertThat(get("/api/v1/payouts/" + ref, VIEW).statusCode()).as("viewer reads all").isEqualTo(200);
        assertThat(get("/api/v1/payouts/" + ref, APPROVE).statusCode()).as("approver reads all").isEqualTo(200);

        assertThat(listed(B)).doesNotContain(ref);
        assertThat(listed(A2)).contains(ref);
        assertThat(listed(OPS)).contains(ref);
    }

    @Test
    void aReferenceAnotherClientUsedIs409SayingOnlyThatItIsTaken() throws Exception {
        String ref = ref("TAKEN");
        String body = kenya(ref, "2500");
        assertThat(post(body, A1).statusCode()).isEqualTo(202);

        HttpResponse<String> same = post(body, B);
        HttpResponse<String> different = post(kenya(ref, "9999"), B);
        for (HttpResponse<String> r : List.of(same, different)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
            JsonNode p = JSON.readTree(r.body());
            assertThat(p.path("title").asText()).isEqualTo("Reference taken");
            assertThat(p.has("differences")).isFalse();
            assertThat(r.body()).doesNotContain("2500").doesNotContain("team-a").doesNotContain("RECEIVED")
                    .doesNotContain("stored");
        }
        assertThat(same.body()).as("the same content and other content are answered alike").isEqualTo(different.body());
        // the owner's own resubmission is still idempotent, and its own conflict still names the difference
        assertThat(post(body, A2).statusCode()).isEqualTo(200);
        HttpResponse<String> own = post(kenya(ref, "9999"), A1);
        assertThat(own.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(own.body()).path("differences").toString()).contains("amount");
        assertThat(gateway.payout(ref).owner()).isEqualTo("team-a");
        assertThat(gateway.payout(ref).instruction().amount()).isEqualTo("2500");
    }

    @Test
    void aBatchItemWithAnotherClientsReferenceIsTakenAndTheOthersAreStored() throws Exception {
        String mine = ref("BATCH");
        String theirs = ref("BATCH");
        assertThat(post(kenya(theirs, "100"), A1).statusCode()).isEqualTo(202);
        HttpResponse<String> r = api.post("/api/v1/payouts/batch", "[" + kenya(mine, "100") + "," + kenya(theirs, "100") + "]", B);
        JsonNode results = JSON.readTree(r.body()).path("results");
        assertThat(results.get(0).path("status").asInt()).isEqualTo(202);
        assertThat(results.get(1).path("status").asInt()).isEqualTo(409);
        assertThat(results.get(1).path("problem").path("title").asText()).isEqualTo("Reference taken");
        assertThat(gateway.payout(mine).owner()).isEqualTo("team-b");
        assertThat(gateway.payout(theirs).owner()).isEqualTo("team-a");
    }

    @Test
    void rolesAllowWhatTheySayAndNothingMore() throws Exception {
        for (String key : List.of(OPS, VIEW, APPROVE)) {
            String ref = ref("ROLE");
            HttpResponse<String> r = post(kenya(ref, "100"), key);
            assertThat(r.statusCode()).as("a client without the role submitter submits").isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(gateway.store().find(ref)).isEmpty();
        }
        assertThat(get("/api/v1/audit", A1).statusCode()).as("a submitter reads the audit trail").isEqualTo(403);
        assertThat(get("/api/v1/audit", APPROVE).statusCode()).as("an approver reads the audit trail").isEqualTo(403);
        assertThat(get("/api/v1/audit", OPS).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/audit", VIEW).statusCode()).isEqualTo(200);
    }

    @Test
    void payoutsOfFilesBelongToTheFileIntakesOwner() throws Exception {
        String ref = ref("FILE");
        gateway.drop("owned.json", kenya(ref, "700") + "\n");
        Gateway.await(() -> gateway.store().find(ref).isPresent(), Duration.ofSeconds(20), "the file's row stored");

        assertThat(gateway.payout(ref).owner()).isEqualTo("team-a");
        assertThat(get("/api/v1/payouts/" + ref, A1).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/payouts/" + ref, B).statusCode()).isEqualTo(404);
        assertThat(post(kenya(ref, "700"), B).statusCode()).isEqualTo(409);
        assertThat(post(kenya(ref, "700"), A1).statusCode()).as("the owner resubmits the file's row by API").isEqualTo(200);
    }

    @Test
    void writesAndRefusalsAreAuditedWithoutTheKey() throws Exception {
        String ref = ref("AUDIT");
        String taken = ref("AUDIT");
        assertThat(post(kenya(ref, "100"), A1).statusCode()).isEqualTo(202);
        assertThat(post(kenya(taken, "100"), A1).statusCode()).isEqualTo(202);
        assertThat(post(kenya(taken, "100"), B).statusCode()).isEqualTo(409);
        assertThat(get("/api/v1/payouts/" + ref, B).statusCode()).isEqualTo(404);
        assertThat(post(kenya(ref("AUDIT"), "100"), VIEW).statusCode()).isEqualTo(403);
        assertThat(post(kenya(ref("AUDIT"), "100"), "a-guessed-key").statusCode()).isEqualTo(401);

        JsonNode rows = JSON.readTree(get("/api/v1/audit?size=500", VIEW).body()).path("items");
        List<String> lines = new ArrayList<>();
        rows.forEach(r -> lines.add(r.path("client").asText() + " " + r.path("action").asText() + " "
                + r.path("reference").asText() + " " + r.path("outcome").asText() + " " + r.path("status").asInt()));
        assertThat(lines).contains(
                "team-a submit-payout " + ref + " STORED 202",
                "team-b submit-payout " + taken + " TAKEN 409",
                "team-b get-payout " + ref + " REFUSED 404",
                "audit submit-payout null REFUSED 403",
                "null submit-payout null REFUSED 401");
        rows.forEach(r -> {
            assertThat(r.path("source").asText()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
            assertThat(r.path("at").asText()).isNotBlank();
        });
        String all = rows.toString();
        for (String key : List.of(A1, A2, B, OPS, VIEW, APPROVE, "a-guessed-key")) {
            assertThat(all).doesNotContain(key);
        }
        JsonNode teamB = JSON.readTree(get("/api/v1/audit?client=team-b&size=500", OPS).body());
        teamB.path("items").forEach(r -> assertThat(r.path("client").asText()).isEqualTo("team-b"));
        assertThat(teamB.path("total").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(get("/api/v1/audit?since=yesterday", OPS).statusCode()).isEqualTo(400);
    }

    // ------------------------------------------------------------------------------------ helpers

    static List<String> listed(String key) throws Exception {
        HttpResponse<String> r = get("/api/v1/payouts?size=500", key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        JSON.readTree(r.body()).path("items").forEach(i -> out.add(i.path("reference").asText()));
        return out;
    }

    static String ref(String prefix) {
        return ApiCalls.ref(prefix);
    }

    static String kenya(String ref, String amount) {
        return ApiCalls.kenya(ref, amount);
    }

    static HttpResponse<String> post(String body, String key) throws Exception {
        return api.post("/api/v1/payouts", body, key);
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        return api.get(path, key);
    }
}
