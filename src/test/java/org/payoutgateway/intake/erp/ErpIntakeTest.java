package org.payoutgateway.intake.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/** The ERP intake on the H2 default: rows inserted as an ERP would, statuses read back from the same rows. */
class ErpIntakeTest {

    static StandInProviders providers;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.intake.erp.poll-interval-ms", "200");
        gateway = Gateway.start("erp-h2", s);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        providers.close();
    }

    DataSource db() {
        return gateway.context().getRegistry().lookupByNameAndType("payoutDataSource", DataSource.class);
    }

    @Test
    void rowsMoveToFinalStatusesWithProviderReferences() throws Exception {
        providers.create("paypro-ke", "ERP-KE-1", payproAccepted("ERP-KE-1"));
        providers.query("paypro-ke", "ERP-KE-1", payproStatus("ERP-KE-1", "0000", "SUCCESS"));
        providers.create("paypro-ke", "ERP-KE-2", payproAccepted("ERP-KE-2"));
        providers.query("paypro-ke", "ERP-KE-2", payproStatus("ERP-KE-2", "00029", "REJECTED_TRANSACTION"));
        long ok = insert("ERP-KE-1", "KE", "1500", "KES", "254712345678");
        long failed = insert("ERP-KE-2", "KE", "2500", "KES", "254712345679");
        long bad = insert("ERP-KE-3", "KE", "10.5", "KES", "0712");

        awaitStatus(ok, "SUCCESS");
        awaitStatus(failed, "FAILED");
        awaitStatus(bad, "REJECTED");
        assertThat(row(ok)).containsEntry("provider", "paypro-ke").containsEntry("provider_reference", "PF-ERP-KE-1")
                .containsEntry("provider_status", "0000");
        assertThat(row(failed)).containsEntry("provider_status", "00029");
        assertThat((String) row(bad).get("status_message")).contains("amount: must be a whole number of KES")
                .contains("mobile: must be a Kenyan mobile number");
        assertThat(providers.creates("paypro-ke", "ERP-KE-1")).hasSize(1);
        assertThat(providers.creates("paypro-ke", "ERP-KE-3")).isEmpty();
    }

    @Test
    void aReferenceAlreadyTakenIsReportedAsDuplicateAndNotSentAgain() throws Exception {
        providers.create("paypro-ke", "ERP-DUP", payproAccepted("ERP-DUP"));
        providers.query("paypro-ke", "ERP-DUP", payproStatus("ERP-DUP", "0000", "SUCCESS"));
        long first = insert("ERP-DUP", "KE", "700", "KES", "254712345678");
        awaitStatus(first, "SUCCESS");
        long second = insert("ERP-DUP", "KE", "700", "KES", "254712345678");
        awaitStatus(second, "DUPLICATE");
        assertThat((String) row(second).get("status_message")).contains("reference already received (ERP " + first);
        Thread.sleep(1500);
        assertThat(providers.creates("paypro-ke", "ERP-DUP")).hasSize(1);
        assertThat(row(first).get("status")).isEqualTo("SUCCESS");
    }

    long insert(String reference, String country, String amount, String currency, String mobile) throws Exception {
        try (Connection c = db().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO payout_request (reference, country, amount, currency, mobile) VALUES (?, ?, ?, ?, ?)",
                new String[] {"id"})) {
            ps.setString(1, reference);
            ps.setString(2, country);
            ps.setBigDecimal(3, new java.math.BigDecimal(amount));
            ps.setString(4, currency);
            ps.setString(5, mobile);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    Map<String, Object> row(long id) throws Exception {
        try (Connection c = db().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM payout_request WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Map<String, Object> m = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    m.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
                }
                return m;
            }
        }
    }

    void awaitStatus(long id, String status) {
        Gateway.await(() -> {
            try {
                return status.equals(row(id).get("status"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(30), () -> {
            try {
                return "row " + id + " never reached " + status + ": " + row(id);
            } catch (Exception e) {
                return e.toString();
            }
        });
    }
}
