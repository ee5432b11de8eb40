package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;

/**
 * Secrets never appear in the logs: a full run (start-up, payout files to the four sandboxed
 * accounts, signed requests, notifies, the API, callbacks) with every kind of secret configured,
 * and every log line of it searched for each of them.
 */
class SecretsNotLoggedTest {

    static final Map<String, String> SECRETS = Map.of(
            "payout.provider.paypro-id.secret", "S3cret-paypro-id-4f1a",
            "payout.provider.paypro-ke.secret", "S3cret-paypro-ke-9b2c",
            "payout.provider.paypro-pk.secret", "S3cret-paypro-pk-7d3e",
            "payout.provider.diamondpay-id.key", "S3cret-diamond-key-2a9f",
            "payout.provider.diamondpay-id.authorization", "S3cret-diamond-token-81bb",
            "payout.api.keys", "S3cret-api-key-5c6d",
            "payout.webhook.signing-key", "S3cret-webhook-key-0e4f");

    @Test
    void noConfiguredSecretIsEverLogged() throws Exception {
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        AbstractAppender capture = new AbstractAppender("secrets-capture", null,
                PatternLayout.newBuilder().withPattern("%m %ex").build(), true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(getLayout().toSerializable(event).toString());
            }
        };
        capture.start();
        ctx.getConfiguration().getRootLogger().addAppender(capture, null, null);
        ctx.getConfiguration().getRootLogger().setLevel(org.apache.logging.log4j.Level.DEBUG);
        ctx.updateLoggers();
        try {
            Map<String, String> settings = new HashMap<>(SECRETS);
            settings.put("payout.sandbox.enabled", "true");
            settings.putAll(Gateway.LAB_CALLBACKS); // the callback goes to this machine
            // later than the first status queries (every second): DiamondPay's carry its Authorization token
            settings.put("payout.sandbox.settle-after", "2500ms");
            try (Gateway gateway = Gateway.start("secrets", settings)) {
                for (String name : List.of("payouts-indonesia.csv", "payouts-kenya.json", "payouts-pakistan.csv",
                        "payouts-diamondpay.json")) {
                    gateway.drop(name, Files.readString(Path.of("examples", name)));
                }
                HttpClient http = HttpClient.newHttpClient();
                String body = "{\"reference\":\"SECRET-API-1\",\"country\":\"KE\",\"amount\":700,\"currency\":\"KES\","
                        + "\"mobile\":\"254712345678\",\"callback_url\":\"http://localhost:" + gateway.httpPort + "/nowhere\"}";
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.httpPort
                        + "/api/v1/payouts")).header("X-API-Key", SECRETS.get("payout.api.keys"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(202);
                // a wrong key is logged about, never echoed
                http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.httpPort + "/api/v1/payouts/X"))
                        .header("X-API-Key", SECRETS.get("payout.api.keys") + "-wrong").build(), HttpResponse.BodyHandlers.ofString());
                Gateway.await(() -> List.of("payouts-indonesia.csv", "payouts-kenya.json", "payouts-pakistan.csv",
                        "payouts-diamondpay.json").stream().allMatch(n -> Files.exists(gateway.resultOf(n))),
                        Duration.ofSeconds(60), "examples did not settle");
                gateway.awaitState("SECRET-API-1", PayoutState.SUCCESS, Duration.ofSeconds(30));
                // let a callback attempt and its failure be logged
                Thread.sleep(1500);
            }
        } finally {
            ctx.getConfiguration().getRootLogger().removeAppender("secrets-capture");
            ctx.getConfiguration().getRootLogger().setLevel(org.apache.logging.log4j.Level.INFO);
            ctx.updateLoggers();
        }
        assertThat(lines).as("log lines captured").hasSizeGreaterThan(50);
        String all = String.join("\n", lines);
        assertThat(all).contains("SUCCESS").contains("Notify");
        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            assertThat(all).as("the value of %s appears in the logs", secret.getKey()).doesNotContain(secret.getValue());
        }
        // nor any signature: of provider requests and notifies (sign), or of callbacks (X-Payout-Signature)
        assertThat(all).doesNotContainPattern("\"sign\"\\s*:\\s*\"[0-9a-fA-F]{32}")
                .doesNotContainPattern("(?i)sign=[0-9a-f]{32}")
                .doesNotContainPattern("(?i)X-Payout-Signature\\W+[0-9a-f]{16}");
    }
}
