package org.payoutgateway.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WireMock stand-ins for the four provider accounts on one server, each under its own path prefix
 * (as the real base URLs carry one), with the account settings that point a gateway at them.
 * Stubs are set per reference by the tests: {@link #create} and {@link #query}.
 */
public final class StandInProviders implements AutoCloseable {

    public static final String SECRET_ID = "secret-id-test";
    public static final String SECRET_KE = "secret-ke-test";
    public static final String SECRET_PK = "secret-pk-test";
    public static final String DP_KEY = "ThisIsYourSecretKey123";
    public static final String DP_AUTH = "token-test";

    /** Per account: path prefix, create path, query path, reference field in the body. */
    public record Api(String prefix, String createPath, String queryPath, String referenceField) {
    }

    public static final Map<String, Api> APIS = Map.of(
            "paypro-id", new Api("/indonesia-pay", "/v1/paypro/payOut", "/v1/paypro/queryPayOutResult", "tradeNo"),
            "paypro-ke", new Api("/kenya-pay", "/api/payout", "/api/queryPayOutResult", "tradeNo"),
            "paypro-pk", new Api("/pak-pay", "/v1/payproPK/payout", "/v1/payproPK/queryPayOutResult", "tradeNo"),
            "diamondpay-id", new Api("/dp", "/gateway/api/v2/payouts", "/gateway/api/v2/payouts/", "payout_cl_id"));

    public final WireMockServer server;

    public StandInProviders() {
        server = new WireMockServer(wireMockConfig().dynamicPort().containerThreads(40));
        server.start();
    }

    public String baseUrl(String account) {
        return "http://localhost:" + server.port() + APIS.get(account).prefix();
    }

    /** Gateway settings pointing all four accounts here, with test credentials. */
    public Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        for (String account : APIS.keySet()) {
            s.put("payout.provider." + account + ".base-url", baseUrl(account));
        }
        s.put("payout.provider.paypro-id.merchant-no", "1000000011");
        s.put("payout.provider.paypro-id.secret", SECRET_ID);
        s.put("payout.provider.paypro-ke.merchant-no", "1000000012");
        s.put("payout.provider.paypro-ke.secret", SECRET_KE);
        s.put("payout.provider.paypro-pk.merchant-no", "1000000013");
        s.put("payout.provider.paypro-pk.secret", SECRET_PK);
        s.put("payout.provider.diamondpay-id.platform-id", "PF0002");
        s.put("payout.provider.diamondpay-id.key", DP_KEY);
        s.put("payout.provider.diamondpay-id.authorization", DP_AUTH);
        return s;
    }

    /** Stubs the create call of one reference. */
    public void create(String account, String reference, ResponseDefinitionBuilder response) {
        Api api = APIS.get(account);
        server.stubFor(post(urlEqualTo(api.prefix() + api.createPath()))
                .withRequestBody(matchingJsonPath("$." + api.referenceField(), equalTo(reference)))
                .willReturn(response));
    }

    /** Stubs the status query of one reference. */
    public void query(String account, String reference, ResponseDefinitionBuilder response) {
        Api api = APIS.get(account);
        MappingBuilder m = account.startsWith("diamondpay")
                ? get(urlPathEqualTo(api.prefix() + api.queryPath() + reference))
                : post(urlEqualTo(api.prefix() + api.queryPath()))
                        .withRequestBody(matchingJsonPath("$.tradeNo", equalTo(reference)));
        server.stubFor(m.willReturn(response));
    }

    /** Create requests received for the reference, in order. */
    public List<LoggedRequest> creates(String account, String reference) {
        Api api = APIS.get(account);
        return server.findAll(postRequestedFor(urlEqualTo(api.prefix() + api.createPath()))
                .withRequestBody(matchingJsonPath("$." + api.referenceField(), equalTo(reference))));
    }

    public int queries(String account, String reference) {
        Api api = APIS.get(account);
        return account.startsWith("diamondpay")
                ? server.countRequestsMatching(getRequestedFor(urlPathEqualTo(api.prefix() + api.queryPath() + reference)).build()).getCount()
                : server.countRequestsMatching(postRequestedFor(urlEqualTo(api.prefix() + api.queryPath()))
                        .withRequestBody(matchingJsonPath("$.tradeNo", equalTo(reference))).build()).getCount();
    }

    // ------------------------------------------------------------------------ canned replies

    public static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** Paypro create taken: outer 0000, data.status 0015. */
    public static ResponseDefinitionBuilder payproAccepted(String reference) {
        return json("{\"msg\":\"success\",\"code\":\"0000\",\"timestamp\":1728611805322,\"success\":true,\"data\":"
                + "{\"tradeNo\":\"" + reference + "\",\"platFormTradeNo\":\"PF-" + reference + "\",\"status\":\"0015\","
                + "\"desc\":\"CREATED\"}}");
    }

    /** Paypro outer code other than 0000: not placed (5000: unknown). */
    public static ResponseDefinitionBuilder payproOuter(String code, String msg) {
        return json("{\"msg\":\"" + msg + "\",\"code\":\"" + code + "\",\"timestamp\":1728611805322,\"success\":false}");
    }

    /** Paypro query answer with data.status. */
    public static ResponseDefinitionBuilder payproStatus(String reference, String status, String message) {
        return json("{\"msg\":\"success\",\"code\":\"0000\",\"timestamp\":1719830071094,\"success\":true,\"data\":"
                + "{\"platFormTradeNo\":\"PF-" + reference + "\",\"tradeNo\":\"" + reference + "\",\"amount\":\"100\","
                + "\"status\":\"" + status + "\",\"message\":\"" + message + "\",\"successTime\":\"2024-07-01 18:34:31\"}}");
    }

    public static ResponseDefinitionBuilder diamondAccepted(String reference) {
        return json("{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT-" + reference + "\"}}");
    }

    public static ResponseDefinitionBuilder diamondError(String code, String msg) {
        return json("{\"error_code\":\"" + code + "\",\"error_msg\":\"" + msg + "\"}");
    }

    public static ResponseDefinitionBuilder diamondStatus(String reference, int status) {
        return json("{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT-" + reference + "\",\"payout_cl_id\":\""
                + reference + "\",\"platform_id\":\"PF0002\",\"amount\":10000000,\"real_amount\":10000000,\"fee\":0,"
                + "\"status\":" + status + ",\"error_msg\":\"\",\"create_time\":1595504997,\"update_time\":1595505997}}");
    }

    @Override
    public void close() {
        server.stop();
    }
}
