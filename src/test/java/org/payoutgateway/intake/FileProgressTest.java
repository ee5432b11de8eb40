package org.payoutgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import java.time.Duration;
import java.util.HashMap;
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
import org.payoutgateway.support.StandInProviders;

/**
 * A stored file whose payouts are still going out logs, every progress interval, how far they got
 * (rows stored, rejected, sent, final, waiting to be sent), and a summary once every row is settled;
 * each payout's state changes are one log line each.
 */
class FileProgressTest {

    @Test
    void aFileLogsHowFarItsPayoutsGotThenASummary() throws Exception {
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        // each line's payout.reference and payout.account from the logging context (fields of JSON lines)
        Map<String, String> contexts = new java.util.concurrent.ConcurrentHashMap<>();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        AbstractAppender capture = new AbstractAppender("progress-capture", null,
                PatternLayout.newBuilder().withPattern("%m").build(), true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                String line = getLayout().toSerializable(event).toString();
                lines.add(line);
                if (event.getContextData().containsKey("payout.reference")) {
                    contexts.put(line, event.getContextData().getValue("payout.reference") + " / "
                            + event.getContextData().getValue("payout.account"));
                }
            }
        };
        capture.start();
        ctx.getConfiguration().getRootLogger().addAppender(capture, null, null);
        ctx.updateLoggers();
        try (StandInProviders providers = new StandInProviders()) {
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("payout.intake.file.progress-interval", "1s");
            providers.create("paypro-ke", "PG-1", payproAccepted("PG-1"));
            providers.query("paypro-ke", "PG-1", payproStatus("PG-1", "0000", "SUCCESS"));
            providers.create("paypro-ke", "PG-2", payproAccepted("PG-2"));
            providers.query("paypro-ke", "PG-2", payproStatus("PG-2", "0015", "PROCESSING"));
            try (Gateway gateway = Gateway.start("progress", s)) {
                gateway.drop("progress.csv", "reference,country,amount,currency,mobile\n"
                        + "PG-1,KE,100,KES,254712345678\nPG-2,KE,100,KES,254712345678\nPG-3,KE,1.5,KES,254712345678\n");
                gateway.awaitState("PG-1", PayoutState.SUCCESS, Duration.ofSeconds(20));
                String progress = "Payout file progress.csv: 3 rows stored (1 rejected, 0 duplicate); "
                        + "2 sent (1 success, 0 failed), 0 waiting to be sent";
                Gateway.await(() -> lines.contains(progress), Duration.ofSeconds(10), () -> "no progress line: " + lines);

                providers.query("paypro-ke", "PG-2", payproStatus("PG-2", "0000", "SUCCESS"));
                Gateway.await(() -> lines.stream().anyMatch(l -> l.startsWith("Payout file progress.csv: every row settled "
                        + "(3 rows: 2 success, 0 failed, 1 rejected, 0 duplicate), result written to")),
                        Duration.ofSeconds(20), () -> "no summary line: " + lines);
            }
            // and one line per state change, each with the reference and the account
            assertThat(lines).anyMatch(l -> l.startsWith("Payout PG-1 [paypro-ke] RECEIVED (FILE"))
                    .contains("Payout PG-1 [paypro-ke] RECEIVED -> SENDING")
                    .anyMatch(l -> l.startsWith("Payout PG-1 [paypro-ke] SENDING -> SUBMITTED"))
                    .anyMatch(l -> l.startsWith("Payout PG-1 [paypro-ke] SUBMITTED -> SUCCESS"))
                    .anyMatch(l -> l.startsWith("Payout PG-3 [paypro-ke] REJECTED (FILE") && l.contains("amount: must be a whole number"));
            assertThat(contexts).containsEntry("Payout PG-1 [paypro-ke] RECEIVED -> SENDING", "PG-1 / paypro-ke");
            assertThat(lines.stream().filter(l -> l.startsWith("Payout PG-") && !l.contains(" still ")))
                    .allSatisfy(l -> assertThat(contexts).containsKey(l));
        } finally {
            ctx.getConfiguration().getRootLogger().removeAppender("progress-capture");
            ctx.updateLoggers();
        }
    }
}
