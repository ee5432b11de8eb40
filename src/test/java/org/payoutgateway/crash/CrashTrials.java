package org.payoutgateway.crash;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.payoutgateway.support.Gateway;

/**
 * What the crash trials share ({@link CrashTrialTest} with one gateway, {@link ReplicaCrashTrialTest}
 * with several replicas): the gateway's settings for a trial, the four provider accounts and a
 * valid payout row for each, payout files written the way writers must, and small report helpers.
 */
final class CrashTrials {

    static final List<String> ACCOUNTS = List.of("paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id");
    static final List<String> NOT_FINAL = List.of("RECEIVED", "SENDING", "SUBMITTED", "UNKNOWN");
    static final int BATCH_SIZE = 200;
    static final int LANES = 2;

    static final String[] HEADER = {"reference", "country", "provider", "amount", "currency", "beneficiary_name",
        "account_number", "bank_code", "account_type", "mobile", "email", "id_number", "remark"};

    private CrashTrials() {
    }

    /**
     * The gateway's -D settings for a crash trial: test defaults with the data folders (inbox,
     * archive, outbox, error, cluster lock) under {@code dataHome}, the given store, fast schedules,
     * a short sending lease, and the four accounts at the stand-in under {@code providerBaseUrl}
     * ({@code <providerBaseUrl>/<account>}).
     */
    static Map<String, String> gatewaySettings(Map<String, String> store, Path dataHome, int port, String providerBaseUrl,
                                               String name) {
        Properties defaults = Gateway.defaults(dataHome, port);
        Map<String, String> s = new TreeMap<>();
        defaults.stringPropertyNames().forEach(k -> s.put(k, defaults.getProperty(k)));
        s.putAll(store);
        s.put("camel.main.name", name);
        s.put("camel.server.port", String.valueOf(port));
        s.put("payout.callback.base-url", "http://localhost:" + port);
        s.put("payout.api.keys", ChildGateway.API_KEY);
        // the trial reads every payout back through the API as fast as it can
        s.put("payout.api.rate-limit", "100000");
        s.put("payout.sandbox.enabled", "false");
        s.put("payout.intake.erp.enabled", "false");
        s.put("payout.dispatch.poll-interval-ms", "100");
        s.put("payout.dispatch.batch-size", String.valueOf(BATCH_SIZE));
        s.put("payout.dispatch.lanes", String.valueOf(LANES));
        s.put("payout.dispatch.concurrency", "16");
        s.put("payout.dispatch.sending-lease", "5s");
        s.put("payout.query.cron", "* * * * * ?");
        // the sending lease must stay above every HTTP timeout of a create call
        s.put("camel.component.http.connect-timeout", "1000");
        s.put("camel.component.http.connection-request-timeout", "1000");
        s.put("camel.component.http.response-timeout", "2000");
        s.put("camel.component.http.so-timeout", "2000");
        for (String a : ACCOUNTS) {
            s.put("payout.provider." + a + ".base-url", providerBaseUrl + "/" + a);
            s.put("payout.provider." + a + ".query-schedule", "1s");
            s.put("payout.provider." + a + ".not-found-grace", "2s");
            if (a.startsWith("paypro")) {
                s.put("payout.provider." + a + ".query.not-found-codes", "1004");
            }
        }
        s.put("payout.provider.paypro-id.merchant-no", "1000000001");
        s.put("payout.provider.paypro-id.secret", "crash-secret");
        s.put("payout.provider.paypro-ke.merchant-no", "1000000002");
        s.put("payout.provider.paypro-ke.secret", "crash-secret");
        s.put("payout.provider.paypro-pk.merchant-no", "1000000003");
        s.put("payout.provider.paypro-pk.secret", "crash-secret");
        s.put("payout.provider.diamondpay-id.platform-id", "PF0002");
        s.put("payout.provider.diamondpay-id.key", "crash-key-dp");
        s.put("payout.provider.diamondpay-id.authorization", "crash-token");
        return s;
    }

    /** A valid row for the account (as the throughput benchmark's). */
    static String[] row(String ref, String account) {
        return switch (account) {
            case "paypro-id" -> new String[] {ref, "ID", "paypro-id", "150000", "IDR", "Budi Santoso", "5464438554636",
                "0002", "", "081245907765", "budi@example.com", "", "crash"};
            case "paypro-ke" -> new String[] {ref, "KE", "paypro-ke", "1500", "KES", "", "", "", "", "254712345678", "", "", ""};
            case "paypro-pk" -> new String[] {ref, "PK", "paypro-pk", "5000", "PKR", "Jane Doe", "9876543210",
                "ALLIED_BANK_LIMITED", "BANK", "3115112345", "jane@example.com", "1730123456789", "crash"};
            default -> new String[] {ref, "ID", "diamondpay-id", "150000", "IDR", "test_name", "4088748280272397", "BCA",
                "", "", "", "", ""};
        };
    }

    /**
     * Writes a payout file of {@code rows} rows, references {@code <prefix><i>}, the accounts in
     * turn, as {@code <name>.part} and renames it into the inbox; returns reference -> account.
     */
    static Map<String, String> dropFile(Path inbox, String name, String prefix, int rows) throws IOException {
        Files.createDirectories(inbox);
        Path part = inbox.resolve(name + ".part");
        Map<String, String> expected = new LinkedHashMap<>();
        try (BufferedWriter w = Files.newBufferedWriter(part)) {
            w.write(String.join(",", HEADER));
            w.newLine();
            for (int i = 0; i < rows; i++) {
                String account = ACCOUNTS.get(i % ACCOUNTS.size());
                String ref = prefix + i;
                expected.put(ref, account);
                w.write(String.join(",", row(ref, account)));
                w.newLine();
            }
        }
        Files.move(part, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        return expected;
    }

    static Map<String, Long> nonZero(Map<String, Long> totals) {
        Map<String, Long> out = new LinkedHashMap<>(totals);
        out.values().removeIf(v -> v == 0);
        return out;
    }

    static String list(Path dir) {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList().toString();
        } catch (Exception e) {
            return "[]";
        }
    }
}
