package org.payoutgateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.payoutgateway.config.Settings;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.AccountSettings;
import org.payoutgateway.provider.Json;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderConnector;
import org.payoutgateway.provider.ProviderReply;
import org.payoutgateway.provider.ProviderReply.Outcome;
import org.payoutgateway.provider.ProviderRequest;
import org.payoutgateway.provider.diamondpay.DiamondPayConnector;
import org.payoutgateway.provider.paypro.PayproConnector;
import org.payoutgateway.provider.paypro.PayproKenya;

/**
 * Boots the sandbox on Camel Main's embedded HTTP server and drives it with the gateway's real
 * connectors, so what the simulators accept is exactly what the connectors send. Accounts:
 * {@code paypro-id} (salt appended, 1004 read as not found), {@code paypro-ke} (salt prepended),
 * {@code paypro-pk}, {@code diamondpay-id} (MD5, single-form query) and {@code diamondpay-hmac}
 * (mapping diamondpay-id, HMAC-SHA256, list-form query). Orders settle after 300 ms.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProviderSandboxTest {

    private static final Duration SETTLE_AFTER = Duration.ofMillis(300);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Every notify the callback server received: the path it was posted to and its JSON body. */
    private final List<Notify> notifies = new CopyOnWriteArrayList<>();
    private final Map<String, String> properties = new HashMap<>();

    private HttpServer callbackServer;
    private Main main;
    private ProviderAccounts accounts;
    private ProviderSandbox sandbox;

    private record Notify(String path, JsonNode body) {
    }

    @BeforeAll
    void start() throws Exception {
        callbackServer = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        callbackServer.createContext("/notify/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                notifies.add(new Notify(exchange.getRequestURI().getPath(),
                        Json.MAPPER.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8))));
            }
            byte[] ok = "OK".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        callbackServer.start();

        int port = freePort();
        String sandboxBase = "http://localhost:" + port + "/sandbox/";
        properties.put("payout.provider.accounts", "paypro-id,paypro-ke,paypro-pk,diamondpay-id,diamondpay-hmac,paypro-tz");
        properties.put("payout.callback.base-url", "http://localhost:" + callbackServer.getAddress().getPort());
        properties.put("payout.sandbox.settle-after", SETTLE_AFTER.toMillis() + "ms");
        Map.of("paypro-id", "1000000001", "paypro-ke", "1000000002", "paypro-pk", "1000000003")
                .forEach((paypro, merchantNo) -> {
                    properties.put("payout.provider." + paypro + ".base-url", sandboxBase + paypro);
                    properties.put("payout.provider." + paypro + ".merchant-no", merchantNo);
                    properties.put("payout.provider." + paypro + ".secret", "secret-of-" + paypro);
                });
        // a Paypro country on Kenya's mapping with paths of its own (docs/providers.md "Adding a Paypro country")
        properties.put("payout.provider.paypro-tz.mapping", "paypro-ke");
        properties.put("payout.provider.paypro-tz.country", "TZ");
        properties.put("payout.provider.paypro-tz.currency", "TZS");
        properties.put("payout.provider.paypro-tz.base-url", sandboxBase + "paypro-tz");
        properties.put("payout.provider.paypro-tz.create-path", "/v1/payproTZ/payout");
        properties.put("payout.provider.paypro-tz.query-path", "/v1/payproTZ/queryPayOutResult");
        properties.put("payout.provider.paypro-tz.merchant-no", "1000000004");
        properties.put("payout.provider.paypro-tz.secret", "secret-of-paypro-tz");
        properties.put("payout.provider.paypro-id.query.not-found-codes", "1004");
        properties.put("payout.provider.paypro-ke.sign-salt", "prepend");
        properties.put("payout.provider.diamondpay-id.base-url", sandboxBase + "diamondpay-id");
        properties.put("payout.provider.diamondpay-id.platform-id", "PF0002");
        properties.put("payout.provider.diamondpay-id.key", "ThisIsYourSecretKey123");
        properties.put("payout.provider.diamondpay-id.authorization", "token-diamondpay-id");
        properties.put("payout.provider.diamondpay-hmac.mapping", "diamondpay-id");
        properties.put("payout.provider.diamondpay-hmac.base-url", sandboxBase + "diamondpay-hmac");
        properties.put("payout.provider.diamondpay-hmac.platform-id", "PF0003");
        properties.put("payout.provider.diamondpay-hmac.key", "AnotherSecretKey456");
        properties.put("payout.provider.diamondpay-hmac.authorization", "token-diamondpay-hmac");
        properties.put("payout.provider.diamondpay-hmac.sign-type", "HMAC-SHA256");
        properties.put("payout.provider.diamondpay-hmac.query-form", "list");

        Settings settings = settings(properties);
        accounts = new ProviderAccounts(settings);
        sandbox = new ProviderSandbox(accounts, settings);

        main = new Main();
        main.setDefaultPropertyPlaceholderLocation("false"); // no application.properties: this test only
        main.configure().addRoutesBuilder(sandbox);
        main.addInitialProperty("camel.server.enabled", "true");
        main.addInitialProperty("camel.server.port", String.valueOf(port));
        main.start();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (main != null) {
            main.stop();
        }
        if (callbackServer != null) {
            callbackServer.stop(0);
        }
        // the notify scheduler is a service of the CamelContext: its threads end with it
        Instant deadline = Instant.now().plusSeconds(5);
        while (notifyThreadsAlive() && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        assertThat(notifyThreadsAlive()).as("sandbox-notify threads after the CamelContext stopped").isFalse();
    }

    private static boolean notifyThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("sandbox-notify-"));
    }

    @Test
    void servesEveryAccountWithNamedRoutes() {
        assertThat(main.getCamelContext().getRoutes()).extracting(r -> r.getRouteId()).contains(
                "sandbox-paypro-id-create", "sandbox-paypro-id-query",
                "sandbox-paypro-ke-create", "sandbox-paypro-ke-query",
                "sandbox-paypro-pk-create", "sandbox-paypro-pk-query",
                "sandbox-diamondpay-id-create", "sandbox-diamondpay-id-query", "sandbox-diamondpay-id-list",
                "sandbox-diamondpay-hmac-create", "sandbox-diamondpay-hmac-query", "sandbox-diamondpay-hmac-list",
                "sandbox-paypro-tz-create", "sandbox-paypro-tz-query");
    }

    @ParameterizedTest
    @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id", "diamondpay-hmac", "paypro-tz"})
    void acceptedPayoutProcessesThenSucceeds(String account) throws Exception {
        ProviderConnector connector = accounts.get(account);
        Payout payout = payout(account, "1234567890");

        ProviderReply created = create(connector, payout);
        assertThat(created.outcome()).isEqualTo(Outcome.PROCESSING);
        assertThat(created.providerReference()).isNotBlank();

        ProviderReply early = query(connector, payout);
        assertThat(early.outcome()).isEqualTo(Outcome.PROCESSING);
        assertThat(early.providerReference()).isEqualTo(created.providerReference());

        ProviderReply settled = awaitSettled(connector, payout);
        assertThat(settled.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(settled.providerReference()).isEqualTo(created.providerReference());
        assertThat(sandbox.createCount(account, payout.reference())).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id", "diamondpay-hmac"})
    void beneficiaryEndingWith99Fails(String account) throws Exception {
        ProviderConnector connector = accounts.get(account);
        Payout payout = payout(account, "1234567899");

        assertThat(create(connector, payout).outcome()).isEqualTo(Outcome.PROCESSING);
        ProviderReply settled = awaitSettled(connector, payout);

        assertThat(settled.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(settled.providerStatus()).isIn("00029", "4");
    }

    @Test
    void payproReferencesHaveTheDocumentsShapes() throws Exception {
        assertThat(create(accounts.get("paypro-id"), payout("paypro-id", "1234567890")).providerReference())
                .matches("[a-z0-9]{16}");
        assertThat(create(accounts.get("paypro-ke"), payout("paypro-ke", "1234567890")).providerReference())
                .matches("[0-9a-f]{32}");
        assertThat(create(accounts.get("diamondpay-id"), payout("diamondpay-id", "1234567890")).providerReference())
                .matches("POT[0-9]+");
    }

    @Test
    void tamperedPayproBodyIsRejectedAsSignError() throws Exception {
        ProviderConnector connector = accounts.get("paypro-id");
        Payout payout = payout("paypro-id", "1234567890");
        ProviderRequest signed = connector.createRequest(payout, Instant.now());
        assertThat(signed.body()).contains("\"amount\":150000");

        ProviderRequest tampered = withBody(signed, signed.body().replace("\"amount\":150000", "\"amount\":150001"));
        HttpResponse<String> response = send(tampered);
        assertThat(response.headers().firstValue("merchantNo")).as("request headers are not echoed").isEmpty();
        ProviderReply reply = connector.readCreateReply(response.statusCode(), response.body());

        assertThat(reply.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(reply.providerStatus()).isEqualTo("1001");
        assertThat(sandbox.createCount("paypro-id", payout.reference())).isEqualTo(1);
        assertThat(query(connector, payout).outcome()).isEqualTo(Outcome.NOT_FOUND); // 1004: never placed
    }

    @Test
    void payproRequestFromAnotherMerchantIsRejected() throws Exception {
        ProviderConnector connector = accounts.get("paypro-pk");
        ProviderRequest signed = connector.createRequest(payout("paypro-pk", "1234567890"), Instant.now());
        Map<String, String> headers = new HashMap<>(signed.headers());
        headers.put("merchantNo", "9999999999");

        ProviderReply reply = send(new ProviderRequest(signed.method(), signed.url(), headers, signed.body()),
                connector::readCreateReply);

        assertThat(reply.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(reply.providerStatus()).isEqualTo("1001");
    }

    @Test
    void saltPositionMustMatchTheAccount() throws Exception {
        // paypro-ke prepends the secret; the same credentials with the salt appended do not verify
        Map<String, String> appended = new HashMap<>(properties);
        appended.put("payout.provider.paypro-ke.sign-salt", "append");
        PayproKenya wrongSalt = new PayproKenya(new AccountSettings("paypro-ke", settings(appended)));
        Payout payout = payout("paypro-ke", "1234567890");

        ProviderReply reply = create(wrongSalt, payout);

        assertThat(reply.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(reply.providerStatus()).isEqualTo("1001");
        assertThat(create(accounts.get("paypro-ke"), payout).outcome()).isEqualTo(Outcome.PROCESSING);
        assertThat(sandbox.createCount("paypro-ke", payout.reference())).isEqualTo(2);
    }

    @Test
    void tamperedDiamondPayBodyIsRejectedAsSignatureFailure() throws Exception {
        ProviderConnector connector = accounts.get("diamondpay-id");
        Payout payout = payout("diamondpay-id", "1234567890");
        ProviderRequest signed = connector.createRequest(payout, Instant.now());
        assertThat(signed.body()).contains("\"amount\":15000000");

        ProviderReply reply = send(withBody(signed, signed.body().replace("\"amount\":15000000", "\"amount\":15000001")),
                connector::readCreateReply);

        assertThat(reply.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(reply.providerStatus()).isEqualTo("0004");
        assertThat(reply.message()).isEqualTo("Signature verification failed!");
    }

    @Test
    void diamondPayHmacSignedRequestIsAcceptedByAnMd5Account() throws Exception {
        Map<String, String> hmac = new HashMap<>(properties);
        hmac.put("payout.provider.diamondpay-id.sign-type", "HMAC-SHA256");
        DiamondPayConnector connector = new DiamondPayConnector(new AccountSettings("diamondpay-id", settings(hmac)));
        Payout payout = payout("diamondpay-id", "1234567890");
        ProviderRequest request = connector.createRequest(payout, Instant.now());
        assertThat(request.body()).contains("\"sign_type\":\"HMAC-SHA256\"").containsPattern("\"sign\":\"[0-9a-f]{64}\"");

        ProviderReply reply = send(request, connector::readCreateReply);

        assertThat(reply.outcome()).isEqualTo(Outcome.PROCESSING);
        assertThat(awaitSettled(connector, payout).outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id", "diamondpay-hmac"})
    void duplicateCreateIsNotAcceptedAndKeepsTheFirstOrder(String account) throws Exception {
        ProviderConnector connector = accounts.get(account);
        Payout payout = payout(account, "1234567890");

        ProviderReply first = create(connector, payout);
        ProviderReply second = create(connector, payout);

        assertThat(first.outcome()).isEqualTo(Outcome.PROCESSING);
        assertThat(second.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(second.providerStatus()).isIn("1003", "0009");
        assertThat(sandbox.createCount(account, payout.reference())).isEqualTo(2);
        assertThat(query(connector, payout).providerReference()).isEqualTo(first.providerReference());
    }

    @ParameterizedTest
    @ValueSource(strings = {"paypro-id", "diamondpay-id", "diamondpay-hmac"})
    void unknownReferenceIsNotFound(String account) throws Exception {
        ProviderReply reply = query(accounts.get(account), payout(account, "1234567890"));

        assertThat(reply.outcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(reply.providerStatus()).isIn("1004", "0050");
    }

    @Test
    void payproUnknownReferenceWithoutNotFoundCodesStaysUnknown() throws Exception {
        ProviderReply reply = query(accounts.get("paypro-pk"), payout("paypro-pk", "1234567890"));

        assertThat(reply.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(reply.providerStatus()).isEqualTo("1004");
        assertThat(reply.message()).isEqualTo("order not exist");
    }

    @Test
    void diamondPayQueryWithAnotherAuthorizationIsRefused() throws Exception {
        ProviderConnector connector = accounts.get("diamondpay-id");
        Payout payout = payout("diamondpay-id", "1234567890");
        create(connector, payout);
        ProviderRequest query = connector.queryRequest(payout, Instant.now());

        ProviderReply reply = send(new ProviderRequest(query.method(), query.url(),
                Map.of("Authorization", "token-diamondpay-hmac"), null),
                (status, body) -> connector.readQueryReply(payout.reference(), status, body));

        assertThat(reply.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(reply.providerStatus()).isEqualTo("0006");
    }

    @Test
    void diamondPayListFormAnswersAnArray() throws Exception {
        ProviderConnector connector = accounts.get("diamondpay-hmac");
        Payout payout = payout("diamondpay-hmac", "1234567890");
        ProviderReply created = create(connector, payout);
        ProviderRequest query = connector.queryRequest(payout, Instant.now());
        assertThat(query.url()).contains("/gateway/api/v2/payouts?payout_cl_id=");

        HttpResponse<String> response = send(query);
        assertThat(response.headers().firstValue("Authorization")).as("request headers are not echoed").isEmpty();
        JsonNode reply = Json.MAPPER.readTree(response.body());

        assertThat(reply.get("error_code").asText()).isEqualTo("0000");
        assertThat(reply.get("data").isArray()).isTrue();
        JsonNode first = reply.get("data").get(0);
        assertThat(first.get("payout_id").asText()).isEqualTo(created.providerReference());
        assertThat(first.get("payout_cl_id").asText()).isEqualTo(payout.reference());
        assertThat(first.get("platform_id").asText()).isEqualTo("PF0003");
        assertThat(first.get("amount").asLong()).isEqualTo(15_000_000L);
        assertThat(first.get("status").asInt()).isEqualTo(2);
    }

    @Test
    void payproQueryEchoesTheAmountAsTheDocumentsShow() throws Exception {
        ProviderConnector indonesia = accounts.get("paypro-id");
        Payout id = payout("paypro-id", "1234567890");
        create(indonesia, id);
        JsonNode idData = Json.MAPPER.readTree(send(indonesia.queryRequest(id, Instant.now())).body()).get("data");
        assertThat(idData.get("orderAmount").isNumber()).isTrue();
        assertThat(idData.get("orderAmount").asText()).isEqualTo("150000");
        assertThat(idData.get("tradeNo").asText()).isEqualTo(id.reference());

        ProviderConnector kenya = accounts.get("paypro-ke");
        Payout ke = payout("paypro-ke", "1234567890");
        create(kenya, ke);
        JsonNode keData = Json.MAPPER.readTree(send(kenya.queryRequest(ke, Instant.now())).body()).get("data");
        assertThat(keData.get("amount").isTextual()).isTrue();
        assertThat(keData.get("amount").asText()).isEqualTo("100");
    }

    @ParameterizedTest
    @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
    void payproNotifyArrivesSignedWhenTheOrderSettles(String account) throws Exception {
        PayproConnector connector = (PayproConnector) accounts.get(account);
        Payout payout = payout(account, "1234567890");
        String providerReference = create(connector, payout).providerReference();

        Notify notify = awaitNotify(n -> payout.reference().equals(n.body().path("tradeNo").asText()));

        assertThat(notify.path()).isEqualTo("/notify/" + account);
        Map<String, String> fields = fields(notify.body());
        assertThat(fields).containsEntry("status", "0000").containsEntry("message", "SUCCESS")
                .containsEntry("platFormTradeNo", providerReference).containsKeys("successTime", "timestamp", "sign");
        assertThat(notify.body().get("amount").isTextual()).isTrue();
        assertThat(connector.verify(fields)).isTrue();
        fields.put("status", "00029");
        assertThat(connector.verify(fields)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"diamondpay-id", "diamondpay-hmac"})
    void diamondPayNotifyArrivesSignedWhenTheOrderSettles(String account) throws Exception {
        DiamondPayConnector connector = (DiamondPayConnector) accounts.get(account);
        Payout payout = payout(account, "1234567899");
        String providerReference = create(connector, payout).providerReference();

        Notify notify = awaitNotify(n -> payout.reference().equals(n.body().path("payout_cl_id").asText()));

        assertThat(notify.path()).isEqualTo("/notify/" + account);
        Map<String, String> fields = fields(notify.body());
        assertThat(fields).containsEntry("payout_id", providerReference).containsEntry("status", "4")
                .containsEntry("amount", "15000000").containsKeys("real_amount", "fee", "error_msg",
                        "create_time", "update_time", "sign");
        if (account.equals("diamondpay-hmac")) {
            assertThat(fields).containsEntry("sign_type", "HMAC-SHA256");
            assertThat(fields.get("sign")).hasSize(64);
        } else {
            assertThat(fields).doesNotContainKey("sign_type");
            assertThat(fields.get("sign")).hasSize(32);
        }
        assertThat(connector.verify(fields)).isTrue();
        fields.put("status", "3");
        assertThat(connector.verify(fields)).isFalse();
    }

    // ---- helpers

    private static Settings settings(Map<String, String> values) {
        return new Settings(k -> Optional.ofNullable(values.get(k)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * A payout for the account, with a fresh reference. {@code beneficiary} (10 digits) is its
     * account number; for Kenya the mobile is {@code 2547} + its last 8 digits.
     */
    private static Payout payout(String account, String beneficiary) {
        String reference = "T" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        PayoutInstruction instruction = switch (account) {
            case "paypro-id" -> new PayoutInstruction(reference, "ID", account, "150000", "IDR", "Budi Santoso",
                    beneficiary, "014", null, "081234567890", "budi@example.com", null, "invoice 1", null);
            case "paypro-ke" -> new PayoutInstruction(reference, "KE", account, "100", "KES", null,
                    null, null, null, "2547" + beneficiary.substring(2), null, null, "invoice 2", null);
            case "paypro-tz" -> new PayoutInstruction(reference, "TZ", account, "5000", "TZS", null,
                    null, null, null, "2557" + beneficiary.substring(2), null, null, "invoice 4", null);
            case "paypro-pk" -> new PayoutInstruction(reference, "PK", account, "5000", "PKR", "Jane Doe",
                    beneficiary, "ALLIED_BANK_LIMITED", "BANK", "3115112345", "jane@example.com", "17301-2345678-9",
                    "invoice 3", null);
            default -> new PayoutInstruction(reference, "ID", account, "150000", "IDR", "Budi",
                    beneficiary, "BCA", null, null, null, null, null, null);
        };
        Instant now = Instant.now();
        return new Payout(reference, instruction, account, "test", reference, PayoutState.SENDING, null, null, null,
                1, 0, false, false, null, now, now);
    }

    private ProviderReply create(ProviderConnector connector, Payout payout) throws Exception {
        return send(connector.createRequest(payout, Instant.now()), connector::readCreateReply);
    }

    private ProviderReply query(ProviderConnector connector, Payout payout) throws Exception {
        return send(connector.queryRequest(payout, Instant.now()),
                (status, body) -> connector.readQueryReply(payout.reference(), status, body));
    }

    /** Queries until the payout is no longer processing. */
    private ProviderReply awaitSettled(ProviderConnector connector, Payout payout) throws Exception {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            ProviderReply reply = query(connector, payout);
            if (reply.outcome() != Outcome.PROCESSING || Instant.now().isAfter(deadline)) {
                return reply;
            }
            Thread.sleep(50);
        }
    }

    private Notify awaitNotify(Predicate<Notify> which) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (Instant.now().isBefore(deadline)) {
            Optional<Notify> found = notifies.stream().filter(which).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no notify arrived within " + PATIENCE + "; received: " + notifies);
    }

    private interface ReplyReader {
        ProviderReply read(int httpStatus, String body);
    }

    private ProviderReply send(ProviderRequest request, ReplyReader reader) throws Exception {
        HttpResponse<String> response = send(request);
        return reader.read(response.statusCode(), response.body());
    }

    private HttpResponse<String> send(ProviderRequest request) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(request.url())).timeout(Duration.ofSeconds(10));
        request.headers().forEach(builder::header);
        builder.method(request.method(), request.body() == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(request.body()));
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ProviderRequest withBody(ProviderRequest request, String body) {
        return new ProviderRequest(request.method(), request.url(), request.headers(), body);
    }

    /** A notify body as the connectors' verify takes it: each field's text as sent. */
    private static Map<String, String> fields(JsonNode body) {
        Map<String, String> fields = new LinkedHashMap<>();
        body.properties().forEach(e -> fields.put(e.getKey(), e.getValue().asText()));
        return fields;
    }
}
