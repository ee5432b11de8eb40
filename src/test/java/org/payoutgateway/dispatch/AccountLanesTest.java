package org.payoutgateway.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * Each provider account has its own lane ({@link AccountLanes}): a slow account does not hold up
 * another account's payouts, and the due status queries of an account are asked as fast as its
 * rate limit allows, not in fixed batches per trigger.
 */
class AccountLanesTest {

    static final String HEADER = "reference,country,provider,amount,currency,beneficiary_name,account_number,bank_code,"
            + "account_type,mobile,email,id_number,remark\n";
    static final String PROCESSING = "{\"msg\":\"success\",\"code\":\"0000\",\"success\":true,\"data\":{\"status\":\"0015\","
            + "\"platFormTradeNo\":\"P1\",\"desc\":\"CREATED\"}}";
    static final String PAID = "{\"msg\":\"success\",\"code\":\"0000\",\"success\":true,\"data\":{\"status\":\"0000\","
            + "\"platFormTradeNo\":\"P1\",\"message\":\"SUCCESS\"}}";

    static String row(String ref, String account) {
        return ref + "," + switch (account) {
            case "paypro-id" -> "ID,paypro-id,150000,IDR,Budi Santoso,5464438554636,0002,,081245907765,budi@example.com,,";
            case "paypro-ke" -> "KE,paypro-ke,1500,KES,,,,,254712345678,,,";
            case "paypro-pk" -> "PK,paypro-pk,5000,PKR,Jane Doe,9876543210,ALLIED_BANK_LIMITED,BANK,3115112345,jane@example.com,1730123456789,lanes";
            default -> "ID,diamondpay-id,150000,IDR,test_name,4088748280272397,BCA,,,,,";
        } + "\n";
    }

    /** Every account's creates and queries answered at once (taken, then paid); Kenya's creates after {@code keDelayMs}. */
    static void answerEverything(StandInProviders providers, int keDelayMs) {
        for (Map.Entry<String, StandInProviders.Api> e : StandInProviders.APIS.entrySet()) {
            StandInProviders.Api api = e.getValue();
            boolean dp = e.getKey().startsWith("diamondpay");
            var create = StandInProviders.json(dp ? "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\"}}" : PROCESSING);
            if (e.getKey().equals("paypro-ke") && keDelayMs > 0) {
                create = create.withFixedDelay(keDelayMs);
            }
            providers.server.stubFor(post(urlEqualTo(api.prefix() + api.createPath())).willReturn(create));
            if (dp) {
                providers.server.stubFor(get(urlPathMatching(api.prefix() + api.queryPath() + "(.+)")).willReturn(
                        StandInProviders.json("{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\",\"status\":3}}")));
            } else {
                providers.server.stubFor(post(urlEqualTo(api.prefix() + api.queryPath())).willReturn(StandInProviders.json(PAID)));
            }
        }
    }

    @Test
    void aSlowAccountDoesNotHoldUpTheOthers() throws Exception {
        try (StandInProviders providers = new StandInProviders()) {
            answerEverything(providers, 3000);
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("camel.component.http.response-timeout", "10000");
            s.put("camel.component.http.so-timeout", "10000");
            s.put("payout.provider.paypro-ke.max-concurrent", "4");
            try (Gateway gateway = Gateway.start("lanes-slow", s)) {
                StringBuilder file = new StringBuilder(HEADER);
                List<String> kenyan = new ArrayList<>();
                List<String> others = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    for (String account : StandInProviders.APIS.keySet()) {
                        String ref = "LS-" + account.replace("-", "") + "-" + i;
                        file.append(row(ref, account));
                        (account.equals("paypro-ke") ? kenyan : others).add(ref);
                    }
                }
                gateway.drop("lanes.csv", file.toString());

                // the other accounts' payouts are taken while Kenya's first calls (3 s each) are still open
                Gateway.await(() -> others.stream().allMatch(r -> gateway.store().find(r)
                        .map(p -> p.state() == PayoutState.SUBMITTED || p.state() == PayoutState.SUCCESS).orElse(false)),
                        Duration.ofSeconds(20), "the other accounts' payouts were not all taken");
                assertThat(kenyan).as("Kenyan payouts taken by then").noneMatch(r -> gateway.store().find(r)
                        .map(p -> p.state() == PayoutState.SUBMITTED || p.state() == PayoutState.SUCCESS).orElse(false));
                assertThat(kenyan.stream().filter(r -> gateway.payout(r).state() == PayoutState.SENDING).count())
                        .as("Kenyan payouts claimed at once: max-concurrent 4 + prefetch 8").isLessThanOrEqualTo(12);
                for (String r : others) {
                    gateway.awaitState(r, PayoutState.SUCCESS, Duration.ofSeconds(20));
                }
                for (String r : kenyan) {
                    gateway.awaitState(r, PayoutState.SUCCESS, Duration.ofSeconds(60));
                }
                for (String r : kenyan) {
                    assertThat(gateway.store().history(r)).as("claims of %s", r)
                            .filteredOn(h -> h.to() == PayoutState.SENDING).hasSize(1);
                }
                StandInProviders.Api ke = StandInProviders.APIS.get("paypro-ke");
                assertThat(providers.server.findAll(postRequestedFor(urlEqualTo(ke.prefix() + ke.createPath()))))
                        .as("Kenyan creates: one per payout").hasSize(kenyan.size());
            }
        }
    }

    /**
     * A stop while calls are open: the calls under way end and are recorded, the payouts claimed
     * but not yet sent go back to RECEIVED (sent after the restart, under the same reference);
     * nothing is left SENDING for the sending lease and the queries to sort out.
     */
    @Test
    void aStopLetsTheOpenCallsEndAndPutsTheClaimedButUnsentPayoutsBack() throws Exception {
        try (StandInProviders providers = new StandInProviders()) {
            answerEverything(providers, 1500);
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("camel.component.http.response-timeout", "10000");
            s.put("camel.component.http.so-timeout", "10000");
            s.put("payout.provider.paypro-ke.max-concurrent", "2");
            s.put("payout.dispatch.prefetch", "4");
            java.nio.file.Path db = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "it",
                    "lanes-stop-" + java.util.UUID.randomUUID())).toAbsolutePath().resolve("payouts");
            String url = "jdbc:h2:file:" + db + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
            s.put("payout.datasource.url", url);
            Gateway gateway = Gateway.start("lanes-stop", s);
            StringBuilder file = new StringBuilder(HEADER);
            for (int i = 0; i < 10; i++) {
                file.append(row("LT-" + i, "paypro-ke"));
            }
            gateway.drop("stop.csv", file.toString());
            StandInProviders.Api ke = StandInProviders.APIS.get("paypro-ke");
            // the stop comes while both calls are open at the provider (each answers after 1.5 s)
            Gateway.await(() -> gateway.store().countByState().getOrDefault(PayoutState.SENDING, 0) == 6
                            && providers.server.findAll(postRequestedFor(urlEqualTo(ke.prefix() + ke.createPath()))).size() == 2,
                    Duration.ofSeconds(20), () -> "never 2 calls open + 4 prefetched: " + gateway.store().countByState());
            gateway.close();

            Map<String, Integer> states = new HashMap<>();
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT state, COUNT(*) FROM payout GROUP BY state")) {
                while (rs.next()) {
                    states.put(rs.getString(1), rs.getInt(2));
                }
            }
            int sent = providers.server.findAll(postRequestedFor(urlEqualTo(ke.prefix() + ke.createPath()))).size();
            assertThat(states).as("states after the stop; %d creates sent", sent).doesNotContainKey("SENDING");
            assertThat(states.getOrDefault("SUBMITTED", 0)).as("payouts sent: their replies recorded").isEqualTo(sent);
            assertThat(states.getOrDefault("RECEIVED", 0)).as("the others wait to be sent").isEqualTo(10 - sent);
            assertThat(sent).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void theDueQueriesOfAnIdleAccountAreAskedAtItsRateNotInBatchesPerTrigger() throws Exception {
        int payouts = 1000;
        int rate = 250;
        try (StandInProviders providers = new StandInProviders()) {
            answerEverything(providers, 0);
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("payout.provider.paypro-ke.rate-limit", String.valueOf(rate));
            // no query comes due by itself; a trigger every 5 s, as shipped before
            s.put("payout.provider.paypro-ke.query-schedule", "1h");
            s.put("payout.query.cron", "0/5 * * * * ?");
            try (Gateway gateway = Gateway.start("lanes-drain", s)) {
                StringBuilder file = new StringBuilder(HEADER);
                for (int i = 0; i < payouts; i++) {
                    file.append(row("LQ-" + i, "paypro-ke"));
                }
                gateway.drop("drain.csv", file.toString());
                Gateway.await(() -> gateway.store().countByState().getOrDefault(PayoutState.SUBMITTED, 0) == payouts,
                        Duration.ofSeconds(60), () -> "not all submitted: " + gateway.store().countByState());
                // all 1,000 due at once, as after a provider's outage
                gateway.store().inTransaction(c -> {
                    try (java.sql.PreparedStatement ps = c.prepareStatement(
                            "UPDATE payout SET next_action_at = ? WHERE state = 'SUBMITTED'")) {
                        ps.setObject(1, org.payoutgateway.payout.PayoutStore.ts(gateway.store().now()));
                        return ps.executeUpdate();
                    }
                });
                Gateway.await(() -> gateway.store().countByState().getOrDefault(PayoutState.SUCCESS, 0) == payouts,
                        Duration.ofSeconds(60), () -> "not all paid: " + gateway.store().countByState());

                StandInProviders.Api ke = StandInProviders.APIS.get("paypro-ke");
                List<LoggedRequest> queries = providers.server.findAll(postRequestedFor(urlEqualTo(ke.prefix() + ke.queryPath())));
                assertThat(queries).as("one query per payout").hasSize(payouts);
                List<Long> at = queries.stream().map(q -> q.getLoggedDate().getTime()).sorted(Comparator.naturalOrder()).toList();
                long spanMs = at.get(at.size() - 1) - at.get(0);
                // 1,000 at 250/s is 4 s; 200 per 5 s trigger would be 20 s
                assertThat(spanMs).as("first to last query, ms").isLessThan(payouts * 1000L / rate * 3 / 2 + 1000);
            }
        }
    }
}
