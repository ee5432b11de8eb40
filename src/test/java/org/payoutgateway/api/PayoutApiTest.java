package org.payoutgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.diamondAccepted;
import static org.payoutgateway.support.StandInProviders.diamondStatus;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproOuter;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * The payout API over real HTTP against the booted application: every status code it documents,
 * idempotency by reference (also across intakes), the list filters and the OpenAPI document.
 */
class PayoutApiTest {

    static final String KEY = "test-key-1";
    static final String KEY2 = "test-key-2";
    static final int MAX_BODY = 2048;
    static final int BATCH_MAX = 6;
    static final ObjectMapper JSON = new ObjectMapper();

    static StandInProviders providers;
    static Gateway gateway;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.keys", KEY + "," + KEY2);
        s.put("payout.webhook.signing-key", "api-test-signing-key");
        s.put("camel.server.max-body-size", String.valueOf(MAX_BODY));
        s.put("payout.api.batch-max", String.valueOf(BATCH_MAX));
        // this test tries many wrong keys from one address; ApiRateLimitsTest covers the limit
        s.put("payout.api.auth-failures-per-minute", "1000");
        gateway = Gateway.start("api", s);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
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

    // ------------------------------------------------------------------------------------ 202 / 200 / 409

    @Test
    void acceptedThenPaid_202WithLocationAndBody() throws Exception {
        String ref = ref("A202");
        stubPaid("paypro-ke", ref);

        HttpResponse<String> r = post("/api/v1/payouts", kenya(ref, "1500", "KES"), KEY);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/payouts/" + ref);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("reference").asText()).isEqualTo(ref);
        assertThat(body.path("status").asText()).isIn("RECEIVED", "SENDING");
        assertThat(body.path("country").asText()).isEqualTo("KE");
        assertThat(body.path("amount").asText()).isEqualTo("1500");
        assertThat(body.path("currency").asText()).isEqualTo("KES");
        assertThat(body.path("mobile").asText()).isEqualTo("254712345678");
        assertThat(body.path("provider").asText()).isEqualTo("paypro-ke");
        assertThat(body.path("intake").asText()).isEqualTo("API");
        assertThat(body.path("created_at").asText()).isNotEmpty();
        assertThat(body.path("links").path("self").asText()).isEqualTo("/api/v1/payouts/" + ref);

        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));
        JsonNode got = JSON.readTree(get("/api/v1/payouts/" + ref, KEY).body());
        assertThat(got.path("status").asText()).isEqualTo("SUCCESS");
        assertThat(got.path("provider_reference").asText()).isEqualTo("PF-" + ref);
        assertThat(got.path("provider_status").asText()).isEqualTo("0000");
        assertThat(providers.creates("paypro-ke", ref)).hasSize(1);
        // the second configured key is as good as the first
        assertThat(get("/api/v1/payouts/" + ref, KEY2).statusCode()).isEqualTo(200);
    }

    @Test
    void sameReferenceSameContent_200_andSentOnce() throws Exception {
        String ref = ref("A200");
        stubPaid("paypro-ke", ref);
        assertThat(post("/api/v1/payouts", kenya(ref, "1500", "KES"), KEY).statusCode()).isEqualTo(202);

        HttpResponse<String> again = post("/api/v1/payouts", kenya(ref, "1500", "KES"), KEY);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("reference").asText()).isEqualTo(ref);

        // the same content written differently: "1500.00" for 1500 (a JSON number too), lower-case currency and country
        String variant = "{\"reference\":\"" + ref + "\",\"country\":\"ke\",\"amount\":\"1500.00\",\"currency\":\"kes\","
                + "\"mobile\":\"254712345678\"}";
        HttpResponse<String> v = post("/api/v1/payouts", variant, KEY2);
        assertThat(v.statusCode()).as(v.body()).isEqualTo(200);
        String numeric = "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":1500,\"currency\":\"KES\","
                + "\"mobile\":\"254712345678\"}";
        HttpResponse<String> n = post("/api/v1/payouts", numeric, KEY);
        assertThat(n.statusCode()).as(n.body()).isEqualTo(200);
        assertThat(JSON.readTree(n.body()).path("amount").asText()).as("the stored payout is answered").isEqualTo("1500");

        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));
        HttpResponse<String> afterPaid = post("/api/v1/payouts", kenya(ref, "1500", "KES"), KEY);
        assertThat(afterPaid.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(afterPaid.body()).path("status").asText()).isEqualTo("SUCCESS");
        Thread.sleep(500); // a second create would be due by now if the duplicate had been stored again
        assertThat(providers.creates("paypro-ke", ref)).as("creates for " + ref).hasSize(1);
        assertThat(gateway.store().history(ref)).filteredOn(h -> h.to() == PayoutState.RECEIVED).hasSize(1);
    }

    @Test
    void sameReferenceOtherContent_409NamesTheField() throws Exception {
        String ref = ref("A409");
        stubPaid("paypro-ke", ref);
        assertThat(post("/api/v1/payouts", kenya(ref, "1500", "KES"), KEY).statusCode()).isEqualTo(202);

        HttpResponse<String> r = post("/api/v1/payouts", kenya(ref, "1600", "KES"), KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertProblemJson(r);
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.path("status").asInt()).isEqualTo(409);
        assertThat(texts(p.path("differences"))).singleElement().asString()
                .startsWith("amount:").contains("1500").contains("1600");
        assertThat(p.path("detail").asText()).contains("amount");

        String otherMobile = "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"1500\",\"currency\":\"KES\","
                + "\"mobile\":\"254712345999\"}";
        HttpResponse<String> m = post("/api/v1/payouts", otherMobile, KEY);
        assertThat(m.statusCode()).isEqualTo(409);
        assertThat(texts(JSON.readTree(m.body()).path("differences"))).singleElement().asString().startsWith("mobile:");

        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));
        assertThat(gateway.payout(ref).instruction().amount()).as("the stored payout is untouched").isEqualTo("1500");
        assertThat(providers.creates("paypro-ke", ref)).hasSize(1);
    }

    @Test
    void sameReferencePostedConcurrently_oneStored_othersAnsweredAsDuplicates() throws Exception {
        String ref = ref("ACON");
        stubPaid("paypro-ke", ref);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String body = i % 3 == 2 ? kenya(ref, "1501", "KES") : kenya(ref, "1500", "KES");
            inFlight.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.httpPort
                            + "/api/v1/payouts")).timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                    .header("X-API-Key", KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (var f : inFlight) {
            HttpResponse<String> r = f.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isIn(200, 202, 409);
            statuses.add(r.statusCode());
        }
        assertThat(statuses).filteredOn(x -> x == 202).hasSize(1);
        String stored = gateway.payout(ref).instruction().amount();
        // whichever content came first is the payout; the other content is a conflict, the same content a duplicate
        long conflicts = statuses.stream().filter(x -> x == 409).count();
        assertThat(conflicts).isEqualTo(stored.equals("1500") ? 4 : 8);
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));
        assertThat(providers.creates("paypro-ke", ref)).hasSize(1);
        assertThat(gateway.store().history(ref)).filteredOn(h -> h.to() == PayoutState.RECEIVED).hasSize(1);
    }

    // ------------------------------------------------------------------------------------ 422 / 400

    @Test
    void invalidInstruction_422ProblemListsEveryFieldAndReason() throws Exception {
        String ref = ref("A422");
        String bad = "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"-5\",\"currency\":\"USD\","
                + "\"mobile\":\"0712\",\"callback_url\":\"ftp://example.com/x\"}";
        HttpResponse<String> r = post("/api/v1/payouts", bad, KEY);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertProblemJson(r);
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.path("status").asInt()).isEqualTo(422);
        Map<String, String> reasons = new HashMap<>();
        p.path("errors").forEach(e -> reasons.put(e.path("field").asText(), e.path("reason").asText()));
        assertThat(reasons).containsOnlyKeys("amount", "currency", "mobile", "callback_url");
        assertThat(reasons.get("amount")).contains("plain decimal");
        assertThat(reasons.get("currency")).contains("KES");
        assertThat(reasons.get("mobile")).isNotBlank();
        assertThat(reasons.get("callback_url")).contains("http");
        assertThat(get("/api/v1/payouts/" + ref, KEY).statusCode()).as("a refused instruction is not stored").isEqualTo(404);

        HttpResponse<String> empty = post("/api/v1/payouts", "{}", KEY);
        assertThat(empty.statusCode()).isEqualTo(422);
        List<String> fields = new ArrayList<>();
        JSON.readTree(empty.body()).path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertThat(fields).contains("reference", "country", "amount", "currency");

        HttpResponse<String> notObject = post("/api/v1/payouts", "[1,2]", KEY);
        assertThat(notObject.statusCode()).isEqualTo(422);
        assertProblemJson(notObject);

        HttpResponse<String> badRef = post("/api/v1/payouts", kenya("has space!", "100", "KES"), KEY);
        assertThat(badRef.statusCode()).isEqualTo(422);
        assertThat(badRef.body()).contains("\"reference\"");
    }

    @Test
    // was a bug, fixed: a field that is not a text or number, or longer than 1024 characters, gets a 422 without the ...
    void fieldOfTheWrongShapeOrTooLong_422ListsTheField() throws Exception {
        String nested = "{\"reference\":\"" + ref("ASHAPE") + "\",\"country\":\"KE\",\"amount\":{\"value\":100},"
                + "\"currency\":\"USD\",\"mobile\":\"254712345678\"}";
        HttpResponse<String> r = post("/api/v1/payouts", nested, KEY);
        assertThat(r.statusCode()).isEqualTo(422);
        List<String> fields = new ArrayList<>();
        JSON.readTree(r.body()).path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertThat(fields).as(r.body()).contains("amount", "currency");

        String longRemark = kenya(ref("ALONG"), "100", "KES").replace("}", ",\"remark\":\"" + "r".repeat(1100) + "\"}");
        HttpResponse<String> l = post("/api/v1/payouts", longRemark, KEY);
        assertThat(l.statusCode()).isEqualTo(422);
        List<String> longFields = new ArrayList<>();
        JSON.readTree(l.body()).path("errors").forEach(e -> longFields.add(e.path("field").asText()));
        assertThat(longFields).as(l.body()).containsExactly("remark");
    }

    @Test
    void malformedOrEmptyBody_400WithoutStackTrace() throws Exception {
        for (String body : List.of("{\"reference\":\"X1\",", "not json at all", "{\"a\":}")) {
            HttpResponse<String> r = post("/api/v1/payouts", body, KEY);
            assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
            assertProblemJson(r);
            assertNoStackTrace(r);
        }
        for (String body : List.of("", "   ")) {
            HttpResponse<String> r = post("/api/v1/payouts", body, KEY);
            assertThat(r.statusCode()).as("'" + body + "' -> " + r.body()).isEqualTo(400);
            assertProblemJson(r);
            assertNoStackTrace(r);
        }
        HttpResponse<String> batch = post("/api/v1/payouts/batch", "[{\"reference\":", KEY);
        assertThat(batch.statusCode()).isEqualTo(400);
        assertNoStackTrace(batch);
        HttpResponse<String> batchNotArray = post("/api/v1/payouts/batch", "{\"reference\":\"X\"}", KEY);
        assertThat(batchNotArray.statusCode()).isEqualTo(400);
        assertProblemJson(batchNotArray);
    }

    // ------------------------------------------------------------------------------------ 401

    @Test
    void noOrWrongKey_401AndNothingStored() throws Exception {
        Map<String, String> attempts = new java.util.LinkedHashMap<>();
        attempts.put(ref("A401none"), null);
        attempts.put(ref("A401wrong"), "some-other-key");
        attempts.put(ref("A401last"), "test-key-3"); // differs from test-key-1 only in its last character
        attempts.put(ref("A401prefix"), "test-key-"); // a prefix of a real key
        attempts.put(ref("A401longer"), "test-key-1x");
        attempts.put(ref("A401empty"), "");
        for (Map.Entry<String, String> a : attempts.entrySet()) {
            stubPaid("paypro-ke", a.getKey());
            HttpResponse<String> r = post("/api/v1/payouts", kenya(a.getKey(), "100", "KES"), a.getValue());
            assertThat(r.statusCode()).as("key " + a.getValue() + ": " + r.body()).isEqualTo(401);
            assertProblemJson(r);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
            HttpResponse<String> batch = post("/api/v1/payouts/batch", "[" + kenya(a.getKey(), "100", "KES") + "]", a.getValue());
            assertThat(batch.statusCode()).isEqualTo(401);
        }
        assertThat(get("/api/v1/payouts", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/payouts/" + ref("X"), "test-key-3").statusCode()).isEqualTo(401);
        Thread.sleep(300);
        for (String ref : attempts.keySet()) {
            assertThat(get("/api/v1/payouts/" + ref, KEY).statusCode()).as("nothing stored for " + ref).isEqualTo(404);
            assertThat(gateway.store().find(ref)).isEmpty();
            assertThat(providers.creates("paypro-ke", ref)).isEmpty();
        }
    }

    @Test
    // was a bug, fixed: the API key is accepted from the URL query string (?X-API-Key=...), where it ends up in access logs,...
    void keyInTheQueryStringInsteadOfTheHeader_401() throws Exception {
        String ref = ref("A401qs");
        stubPaid("paypro-ke", ref);
        HttpResponse<String> r = post("/api/v1/payouts?X-API-Key=" + KEY, kenya(ref, "100", "KES"), null);
        HttpResponse<String> g = get("/api/v1/payouts?X-API-Key=" + KEY, null);
        assertThat(r.statusCode()).as("POST with ?X-API-Key=: " + r.body()).isEqualTo(401);
        assertThat(g.statusCode()).as("GET with ?X-API-Key=").isEqualTo(401);
        assertThat(gateway.store().find(ref)).isEmpty();
    }

    // ------------------------------------------------------------------------------------ 413 / 404

    @Test
    void bodyOverMaxBodySize_413AndNothingStored() throws Exception {
        String ref = ref("A413");
        String big = "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"100\",\"currency\":\"KES\","
                + "\"mobile\":\"254712345678\",\"remark\":\"" + "x".repeat(MAX_BODY + 500) + "\"}";
        HttpResponse<String> r = post("/api/v1/payouts", big, KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertNoStackTrace(r);
        assertThat(get("/api/v1/payouts/" + ref, KEY).statusCode()).isEqualTo(404);

        // just under the limit is accepted
        String ref2 = ref("A413ok");
        stubPaid("paypro-ke", ref2);
        String fits = kenya(ref2, "100", "KES");
        assertThat(fits.length()).isLessThan(MAX_BODY);
        assertThat(post("/api/v1/payouts", fits, KEY).statusCode()).isEqualTo(202);
    }

    @Test
    void batchOverBatchMax_413AndNothingStored() throws Exception {
        List<String> refs = new ArrayList<>();
        StringBuilder items = new StringBuilder("[");
        for (int i = 0; i <= BATCH_MAX; i++) {
            String ref = ref("A413b" + i);
            refs.add(ref);
            items.append(i == 0 ? "" : ",").append(kenya(ref, "100", "KES"));
        }
        String body = items.append("]").toString();
        assertThat(body.length()).as("under the body size limit: the item count is what is refused").isLessThan(MAX_BODY);
        HttpResponse<String> r = post("/api/v1/payouts/batch", body, KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertProblemJson(r);
        assertThat(JSON.readTree(r.body()).path("detail").asText()).contains(String.valueOf(BATCH_MAX));
        for (String ref : refs) {
            assertThat(gateway.store().find(ref)).isEmpty();
        }
    }

    @Test
    void unknownReference_404() throws Exception {
        HttpResponse<String> r = get("/api/v1/payouts/" + ref("NOPE"), KEY);
        assertThat(r.statusCode()).isEqualTo(404);
        assertProblemJson(r);
        assertThat(JSON.readTree(r.body()).path("status").asInt()).isEqualTo(404);
    }

    // ------------------------------------------------------------------------------------ batch

    @Test
    void batchMixed_oneResultPerItemInOrder_validOnesStoredAndPaid() throws Exception {
        String known = ref("B0");
        String b1 = ref("B1");
        String b2 = ref("B2");
        String b3 = ref("B3");
        stubPaid("paypro-ke", known);
        stubPaid("paypro-ke", b1);
        stubPaid("paypro-ke", b3);
        assertThat(post("/api/v1/payouts", kenya(known, "700", "KES"), KEY).statusCode()).isEqualTo(202);

        String body = "[" + String.join(",",
                kenya(b1, "100", "KES"),                 // 0 new, valid
                kenya(b2, "10.5", "KES"),                // 1 invalid: KES are whole
                kenya(b1, "100.00", "kes"),              // 2 same as item 0: already stored, same content
                kenya(b1, "101", "KES"),                 // 3 same reference as item 0, other content
                kenya(b3, "300", "KES"),                 // 4 new, valid
                kenya(known, "700", "KES")) + "]";       // 5 stored before the batch, same content
        HttpResponse<String> r = post("/api/v1/payouts/batch", body, KEY2);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode results = JSON.readTree(r.body()).path("results");
        assertThat(results).hasSize(6);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).path("index").asInt()).isEqualTo(i);
            statuses.add(results.get(i).path("status").asInt());
        }
        assertThat(statuses).containsExactly(202, 422, 200, 409, 202, 200);
        assertThat(results.get(0).path("payout").path("reference").asText()).isEqualTo(b1);
        assertThat(results.get(1).path("problem").path("errors").get(0).path("field").asText()).isEqualTo("amount");
        assertThat(results.get(2).path("payout").path("reference").asText()).isEqualTo(b1);
        assertThat(texts(results.get(3).path("problem").path("differences"))).singleElement().asString().startsWith("amount:");
        assertThat(results.get(4).path("payout").path("reference").asText()).isEqualTo(b3);
        assertThat(results.get(5).path("payout").path("reference").asText()).isEqualTo(known);

        gateway.awaitState(b1, PayoutState.SUCCESS, Duration.ofSeconds(20));
        gateway.awaitState(b3, PayoutState.SUCCESS, Duration.ofSeconds(20));
        gateway.awaitState(known, PayoutState.SUCCESS, Duration.ofSeconds(20));
        assertThat(gateway.payout(b1).instruction().amount()).isEqualTo("100");
        assertThat(get("/api/v1/payouts/" + b2, KEY).statusCode()).isEqualTo(404);
        assertThat(providers.creates("paypro-ke", b1)).hasSize(1);
        assertThat(providers.creates("paypro-ke", b3)).hasSize(1);
        assertThat(providers.creates("paypro-ke", known)).hasSize(1);

        // the documented object form {"payouts": [...]} is taken as well
        String b4 = ref("B4");
        stubPaid("paypro-ke", b4);
        HttpResponse<String> wrapped = post("/api/v1/payouts/batch", "{\"payouts\":[" + kenya(b4, "400", "KES") + "]}", KEY);
        assertThat(wrapped.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(wrapped.body()).path("results").get(0).path("status").asInt()).isEqualTo(202);
    }

    @Test
    // was a bug, fixed: a JSON number amount with trailing fractional zeros (1500.0, 150000.00) is read as \...
    void jsonNumberAmountWithTrailingZeros_isThePlainAmount() throws Exception {
        String ref = ref("ANUM");
        stubPaid("paypro-ke", ref);
        String numeric = "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":1500.0,\"currency\":\"KES\","
                + "\"mobile\":\"254712345678\"}";
        HttpResponse<String> first = post("/api/v1/payouts", numeric, KEY);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);

        String ref2 = ref("ANUM2");
        stubPaid("paypro-ke", ref2);
        assertThat(post("/api/v1/payouts", kenya(ref2, "1500", "KES"), KEY).statusCode()).isEqualTo(202);
        HttpResponse<String> again = post("/api/v1/payouts", numeric.replace(ref, ref2).replace("1500.0", "1500.00"), KEY);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }

    // ------------------------------------------------------------------------------------ GET one / list

    @Test
    void getOne_stateProviderReferencesAndHistory() throws Exception {
        String ref = ref("G1");
        stubPaid("paypro-ke", ref);
        post("/api/v1/payouts", kenya(ref, "250", "KES"), KEY);
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));

        HttpResponse<String> r = get("/api/v1/payouts/" + ref, KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.path("reference").asText()).isEqualTo(ref);
        assertThat(p.path("status").asText()).isEqualTo("SUCCESS");
        assertThat(p.path("provider").asText()).isEqualTo("paypro-ke");
        assertThat(p.path("provider_reference").asText()).isEqualTo("PF-" + ref);
        assertThat(p.path("provider_status").asText()).isEqualTo("0000");
        List<String> to = new ArrayList<>();
        List<String> from = new ArrayList<>();
        p.path("history").forEach(h -> {
            to.add(h.path("to").asText());
            from.add(h.path("from").isNull() ? null : h.path("from").asText());
            assertThat(h.path("at").asText()).isNotEmpty();
        });
        assertThat(to).containsExactly("RECEIVED", "SENDING", "SUBMITTED", "SUCCESS");
        assertThat(from).containsExactly(null, "RECEIVED", "SENDING", "SUBMITTED");
    }

    @Test
    void list_filtersPagesAndTotal() throws Exception {
        String s = UUID.randomUUID().toString().substring(0, 6);
        String ke1 = "L" + s + "KE1";
        String ke2 = "L" + s + "KE2";
        String ke3 = "L" + s + "KE3";
        String id1 = "L" + s + "ID1";
        String dp1 = "L" + s + "DP1";
        stubPaid("paypro-ke", ke1);
        providers.create("paypro-ke", ke2, payproAccepted(ke2));
        providers.query("paypro-ke", ke2, payproStatus(ke2, "0015", "PROCESSING"));
        providers.create("paypro-ke", ke3, payproOuter("1001", "refused"));
        stubPaid("paypro-id", id1);
        providers.create("diamondpay-id", dp1, diamondAccepted(dp1));
        providers.query("diamondpay-id", dp1, diamondStatus(dp1, 3));

        Instant t0 = Instant.now().minusMillis(1);
        assertThat(post("/api/v1/payouts", kenya(ke1, "100", "KES"), KEY).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/payouts", kenya(ke2, "100", "KES"), KEY).statusCode()).isEqualTo(202);
        Thread.sleep(20);
        Instant tm = Instant.now();
        Thread.sleep(20);
        assertThat(post("/api/v1/payouts", kenya(ke3, "100", "KES"), KEY).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/payouts", indonesia(id1), KEY).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/payouts", diamond(dp1), KEY).statusCode()).isEqualTo(202);
        Thread.sleep(20);
        Instant t1 = Instant.now();
        gateway.awaitState(ke1, PayoutState.SUCCESS, Duration.ofSeconds(20));
        gateway.awaitState(ke2, PayoutState.SUBMITTED, Duration.ofSeconds(20));
        gateway.awaitState(ke3, PayoutState.FAILED, Duration.ofSeconds(20));
        gateway.awaitState(id1, PayoutState.SUCCESS, Duration.ofSeconds(20));
        gateway.awaitState(dp1, PayoutState.SUCCESS, Duration.ofSeconds(20));

        String window = "since=" + enc(t0) + "&until=" + enc(t1);
        JsonNode all = list(window);
        assertThat(all.path("total").asLong()).isEqualTo(5);
        assertThat(refs(all)).as("newest first").containsExactly(dp1, id1, ke3, ke2, ke1);
        assertThat(all.path("page").asInt()).isZero();
        assertThat(all.path("size").asInt()).isEqualTo(50);

        assertThat(refs(list(window + "&status=SUCCESS"))).containsExactlyInAnyOrder(ke1, id1, dp1);
        assertThat(refs(list(window + "&status=success"))).containsExactlyInAnyOrder(ke1, id1, dp1);
        assertThat(refs(list(window + "&status=SUBMITTED"))).containsExactly(ke2);
        assertThat(refs(list(window + "&status=FAILED"))).containsExactly(ke3);
        assertThat(list(window + "&status=UNKNOWN").path("total").asLong()).isZero();
        assertThat(refs(list(window + "&country=KE"))).containsExactlyInAnyOrder(ke1, ke2, ke3);
        assertThat(refs(list(window + "&country=id"))).containsExactlyInAnyOrder(id1, dp1);
        assertThat(refs(list(window + "&provider=diamondpay-id"))).containsExactly(dp1);
        assertThat(refs(list(window + "&provider=paypro-id"))).containsExactly(id1);
        assertThat(refs(list(window + "&status=SUCCESS&country=ID"))).containsExactlyInAnyOrder(id1, dp1);
        assertThat(refs(list(window + "&status=SUCCESS&country=ID&provider=paypro-id"))).containsExactly(id1);
        assertThat(refs(list("since=" + enc(t0) + "&until=" + enc(tm)))).containsExactly(ke2, ke1);
        assertThat(refs(list("since=" + enc(tm) + "&until=" + enc(t1)))).containsExactly(dp1, id1, ke3);
        assertThat(refs(list("since=" + enc(t0) + "&country=KE&status=FAILED"))).contains(ke3).doesNotContain(ke1, ke2);
        assertThat(refs(list("until=" + enc(t0)))).doesNotContain(ke1, ke2, ke3, id1, dp1);

        // pages: size 2, total 5 on every page, together exactly the five, newest first
        List<String> paged = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            JsonNode p = list(window + "&size=2&page=" + page);
            assertThat(p.path("total").asLong()).isEqualTo(5);
            assertThat(p.path("page").asInt()).isEqualTo(page);
            assertThat(p.path("size").asInt()).isEqualTo(2);
            assertThat(p.path("items").size()).isEqualTo(page < 2 ? 2 : 1);
            paged.addAll(refs(p));
        }
        assertThat(paged).containsExactly(dp1, id1, ke3, ke2, ke1);
        assertThat(list(window + "&size=2&page=3").path("items")).isEmpty();
        JsonNode item = list(window + "&provider=paypro-id").path("items").get(0);
        assertThat(item.path("status").asText()).isEqualTo("SUCCESS");
        assertThat(item.path("provider_reference").asText()).isEqualTo("PF-" + id1);
    }

    @Test
    void list_badFilter_400() throws Exception {
        for (String q : List.of("status=BOGUS", "since=yesterday", "until=2026-13-01T00:00:00Z", "since=2026-11-21",
                "page=-1", "size=0", "size=501", "page=abc", "size=1.5")) {
            HttpResponse<String> r = get("/api/v1/payouts?" + q, KEY);
            assertThat(r.statusCode()).as(q + " -> " + r.body()).isEqualTo(400);
            assertProblemJson(r);
            assertNoStackTrace(r);
        }
        assertThat(get("/api/v1/payouts?size=500&page=0", KEY).statusCode()).isEqualTo(200);
    }

    // ------------------------------------------------------------------------------------ across intakes

    @Test
    void referenceFromAFileThenPosted_sameContent200_otherContent409() throws Exception {
        String ref = ref("X1");
        stubPaid("paypro-id", ref);
        gateway.drop(ref + ".csv", "reference,country,provider,amount,currency,beneficiary_name,account_number,bank_code,"
                + "account_type,mobile,email,id_number,remark\n"
                + ref + ",ID,,150000,IDR,Budi Santoso,5464438554636,0002,,081245907765,budi@example.com,,salary\n");
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));

        String same = "{\"reference\":\"" + ref + "\",\"country\":\"ID\",\"amount\":\"150000.00\",\"currency\":\"idr\","
                + "\"beneficiary_name\":\"Budi Santoso\",\"account_number\":\"5464438554636\",\"bank_code\":\"0002\","
                + "\"mobile\":\"081245907765\",\"email\":\"budi@example.com\",\"remark\":\"salary\"}";
        HttpResponse<String> r = post("/api/v1/payouts", same, KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.path("intake").asText()).isEqualTo("FILE");
        assertThat(p.path("status").asText()).isEqualTo("SUCCESS");

        HttpResponse<String> other = post("/api/v1/payouts", same.replace("5464438554636", "5464438554637"), KEY);
        assertThat(other.statusCode()).as(other.body()).isEqualTo(409);
        assertThat(texts(JSON.readTree(other.body()).path("differences"))).singleElement().asString().startsWith("account_number:");

        HttpResponse<String> otherAccount = post("/api/v1/payouts", same.replace("\"country\":\"ID\",",
                "\"country\":\"ID\",\"provider\":\"diamondpay-id\","), KEY);
        assertThat(otherAccount.statusCode()).as(otherAccount.body()).isEqualTo(409);
        assertThat(otherAccount.body()).contains("provider");

        Thread.sleep(300);
        assertThat(providers.creates("paypro-id", ref)).hasSize(1);
        assertThat(providers.creates("diamondpay-id", ref)).isEmpty();
    }

    // ------------------------------------------------------------------------------------ OpenAPI

    @Test
    void openApiDocument() throws Exception {
        HttpResponse<String> r = get("/api/v1/openapi.json", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("info").path("title").asText()).isEqualTo("payout-gateway payout API");
        JsonNode paths = doc.path("paths");
        List<String> names = new ArrayList<>();
        paths.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("/api/v1/payouts", "/api/v1/payouts/batch", "/api/v1/payouts/{reference}");
        assertThat(paths.path("/api/v1/payouts").has("post")).isTrue();
        assertThat(paths.path("/api/v1/payouts").has("get")).isTrue();
        assertThat(paths.path("/api/v1/payouts/batch").has("post")).isTrue();
        assertThat(paths.path("/api/v1/payouts/{reference}").has("get")).isTrue();
        assertThat(paths.path("/api/v1/payouts").path("post").path("responses").has("422")).isTrue();
        assertThat(paths.path("/api/v1/payouts/batch").path("post").path("responses").has("413")).isTrue();
        assertThat(paths.path("/api/v1/payouts/{reference}").path("get").path("responses").has("404")).isTrue();
        List<String> params = new ArrayList<>();
        paths.path("/api/v1/payouts").path("get").path("parameters").forEach(x -> params.add(x.path("name").asText()));
        assertThat(params).contains("status", "country", "provider", "since", "until", "page", "size");
    }

    // ------------------------------------------------------------------------------------ helpers

    static String ref(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    static void stubPaid(String account, String ref) {
        providers.create(account, ref, payproAccepted(ref));
        providers.query(account, ref, payproStatus(ref, "0000", "SUCCESS"));
    }

    static String kenya(String ref, String amount, String currency) {
        return "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"" + amount + "\",\"currency\":\"" + currency
                + "\",\"mobile\":\"254712345678\"}";
    }

    static String indonesia(String ref) {
        return "{\"reference\":\"" + ref + "\",\"country\":\"ID\",\"amount\":150000,\"currency\":\"IDR\","
                + "\"beneficiary_name\":\"Budi Santoso\",\"account_number\":\"5464438554636\",\"bank_code\":\"0002\","
                + "\"mobile\":\"081245907765\",\"email\":\"budi@example.com\"}";
    }

    static String diamond(String ref) {
        return "{\"reference\":\"" + ref + "\",\"country\":\"ID\",\"provider\":\"diamondpay-id\",\"amount\":\"150000\","
                + "\"currency\":\"IDR\",\"beneficiary_name\":\"test_name\",\"account_number\":\"4088748280272397\","
                + "\"bank_code\":\"BCA\"}";
    }

    static String enc(Instant i) {
        return URLEncoder.encode(i.toString(), StandardCharsets.UTF_8);
    }

    static JsonNode list(String query) throws Exception {
        HttpResponse<String> r = get("/api/v1/payouts?" + query, KEY);
        assertThat(r.statusCode()).as(query + " -> " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static List<String> refs(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("items").forEach(i -> out.add(i.path("reference").asText()));
        return out;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static void assertProblemJson(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).as("Content-Type of " + r.statusCode())
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.path("status").asInt()).isEqualTo(r.statusCode());
        assertThat(p.path("title").asText()).isNotBlank();
    }

    static void assertNoStackTrace(HttpResponse<String> r) {
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at org.").doesNotContain("at java.")
                .doesNotContain("at com.");
    }

    static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.httpPort + path))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("X-API-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.httpPort + path))
                .timeout(Duration.ofSeconds(15)).GET();
        if (key != null) {
            b.header("X-API-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
