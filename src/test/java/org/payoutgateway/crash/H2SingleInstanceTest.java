package org.payoutgateway.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.payoutgateway.GatewayConfiguration;
import org.payoutgateway.support.Gateway;

/**
 * H2 is the single-instance store: a second gateway process started on the H2 file a running
 * gateway uses is refused with a message that says so and points to PostgreSQL, and the running
 * gateway goes on answering. Both run as production runs them, each in a JVM of its own.
 */
class H2SingleInstanceTest {

    @Test
    void aSecondGatewayOnTheSameH2FileIsRefusedWithAClearMessage() throws Exception {
        Path home = Files.createDirectories(Path.of("target", "crash", "h2-twice-" + UUID.randomUUID()).toAbsolutePath());
        String shipped = GatewayConfiguration.DEFAULT_H2_URL;
        String url = "jdbc:h2:file:" + home.resolve("db").resolve("payouts") + shipped.substring(shipped.indexOf(';'));
        try (ChildGateway running = child(home.resolve("first"), url);
             ChildGateway second = child(home.resolve("second"), url)) {
            running.start();
            running.awaitReady(Duration.ofSeconds(60));

            second.start();
            Integer exit = second.awaitExit(Duration.ofSeconds(60));

            assertThat(exit).as("the second gateway's exit code; log %s", second.log()).isNotNull().isNotZero();
            assertThat(Files.readString(second.log())).contains("payout.datasource.url: the H2 database jdbc:h2:file:"
                    + home.resolve("db").resolve("payouts") + " is in use by another gateway process")
                    .contains("to run several replicas, give them one PostgreSQL database");
            assertThat(running.get("/api/v1/payouts?size=1", Duration.ofSeconds(5)).statusCode())
                    .as("the running gateway still answers").isEqualTo(200);
        }
    }

    private static ChildGateway child(Path home, String url) throws Exception {
        Files.createDirectories(home);
        int port = Gateway.freePort();
        Properties defaults = Gateway.defaults(home, port);
        Map<String, String> s = new TreeMap<>();
        defaults.stringPropertyNames().forEach(k -> s.put(k, defaults.getProperty(k)));
        s.put("payout.datasource.url", url);
        s.put("payout.api.keys", ChildGateway.API_KEY);
        s.put("payout.intake.erp.enabled", "false");
        return new ChildGateway(home, port, s);
    }
}
