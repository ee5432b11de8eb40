package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.payoutgateway.support.Gateway;

/**
 * With config/log4j2-json.properties the packaged gateway ({@code target/payout-gateway.jar}, as
 * docs/operations.md "Logs" and the container run it) logs one JSON object per line.
 */
class JsonLogFormatIT {

    @Test
    void logLinesAreJsonObjects() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Dlog4j2.configurationFile=config/log4j2-json.properties",
                "-Dcamel.server.port=" + Gateway.freePort(), "-Dcamel.management.port=" + Gateway.freePort(),
                "-Dpayout.datasource.url=jdbc:h2:mem:jsonlog;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "-Dpayout.provider.accounts=no-such-account", "-jar", "target/payout-gateway.jar"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<JsonNode> events = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                events.add(new ObjectMapper().readTree(line));
            }
        }
        assertThat(events).as(out).isNotEmpty();
        assertThat(events).allSatisfy(e -> assertThat(e.has("message") && e.has("log.level") && e.has("@timestamp")).isTrue());
        assertThat(events).anySatisfy(e -> assertThat(e.get("message").asText()).contains("Apache Camel (Main)"));
        // the start fails (no such mapping): that too is one JSON event, with its stack trace in it
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("log.level").asText()).isEqualTo("ERROR");
            assertThat(e.get("message").asText()).contains("The gateway did not start").contains("unknown mapping 'no-such-account'");
            assertThat(e.has("error.stack_trace")).isTrue();
        });
        assertThat(p.exitValue()).isEqualTo(1);
        // no plain-text line, from the loggers or from Log4j itself: every line is JSON
        assertThat(out.lines().filter(l -> !l.isBlank() && !l.startsWith("{")).toList()).as(out).isEmpty();
    }
}
