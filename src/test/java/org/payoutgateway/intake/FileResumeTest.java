package org.payoutgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.payoutgateway.intake.file.FileIntake;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * A payout file whose reading did not finish (READING in the store, its rows there stopping short
 * of the file's) and that is no longer in the inbox is never forgotten: it is resumed from its
 * archived copy after its last stored row, or, with that copy gone, closed with what was stored,
 * an error note and a result file. Health names such a file while it waits. The state is the one a
 * store that lost its last commits leaves (the file archived, reported read, the store short of it):
 * made here by reading the first rows of the file, then pointing the file's record at the whole file.
 */
class FileResumeTest {

    static final String HEADER = "reference,country,amount,currency,mobile\n";
    final StandInProviders providers = new StandInProviders();
    final HttpClient http = HttpClient.newHttpClient();
    Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        providers.close();
    }

    static String rows(String tag, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i <= to; i++) {
            s.append(tag).append(i).append(",KE,100,KES,254712345678\n");
        }
        return s.toString();
    }

    void stub(String tag, int n) {
        for (int i = 1; i <= n; i++) {
            providers.create("paypro-ke", tag + i, payproAccepted(tag + i));
            providers.query("paypro-ke", tag + i, payproStatus(tag + i, "0000", "SUCCESS"));
        }
    }

    Map<String, String> settings(String url, String resumeInterval) {
        Map<String, String> s = new HashMap<>(providers.settings());
        if (url != null) {
            s.put("payout.datasource.url", url);
        }
        s.put("payout.intake.file.resume-interval-ms", resumeInterval);
        return s;
    }

    /** Reads the first rows as a file of its own, then makes the store's record of it that of the whole file, stopped short. */
    static String stopShort(Connection c, String name, Path archivedWhole, String whole) throws Exception {
        String archiveName;
        try (PreparedStatement ps = c.prepareStatement("SELECT archive_name FROM intake_file WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("record of %s", name).isTrue();
                archiveName = rs.getString(1);
            }
        }
        Path copy = archivedWhole.resolve(archiveName);
        assertThat(copy).as("the archived copy the store recorded").exists();
        Files.writeString(copy, whole);
        // the gateway that read it has been gone for longer than its claim's lease
        try (PreparedStatement ps = c.prepareStatement("UPDATE intake_file SET state = 'READING', size_bytes = ?, "
                + "modified_at = ?, result_name = NULL, completed_at = NULL, claim_expires_at = TIMESTAMP '2026-01-01 00:00:00' "
                + "WHERE name = ?")) {
            ps.setLong(1, Files.size(copy));
            ps.setLong(2, Files.getLastModifiedTime(copy).toMillis());
            ps.setString(3, name);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        return archiveName;
    }

    @Test
    void aFileStuckReadingAfterARestartIsResumedFromItsArchivedCopy() throws Exception {
        String tag = "RS" + UUID.randomUUID().toString().substring(0, 6) + "-";
        stub(tag, 6);
        Path db = Files.createDirectories(Path.of("target", "it", "resume-db-" + tag)).toAbsolutePath().resolve("payouts");
        String url = "jdbc:h2:file:" + db + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        gateway = Gateway.start("resume-a", settings(url, "3600000"));
        gateway.drop("stuck.csv", HEADER + rows(tag, 1, 3));
        Path firstResult = gateway.resultOf("stuck.csv");
        Gateway.await(() -> Files.exists(firstResult), Duration.ofSeconds(30), "no result for the first rows");
        Path archive = gateway.archive;
        gateway.close();
        Files.delete(firstResult);
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            stopShort(c, "stuck.csv", archive, HEADER + rows(tag, 1, 6));
        }

        Map<String, String> again = settings(url, "500");
        again.put("payout.intake.file.archive-dir", archive.toString());
        gateway = Gateway.start("resume-b", again);
        Path result = gateway.resultOf("stuck.csv");
        Gateway.await(() -> Files.exists(result), Duration.ofSeconds(30), "the stuck file was never resumed");
        List<String> lines = Files.readAllLines(result);
        assertThat(lines).hasSize(7);
        for (int i = 1; i <= 6; i++) {
            assertThat(lines.get(i)).startsWith(tag + i + ",SUCCESS,paypro-ke,");
            assertThat(providers.creates("paypro-ke", tag + i)).as("creates of %s", tag + i).hasSize(1);
        }
    }

    @Test
    void withItsArchivedCopyGoneItIsClosedWithWhatWasStoredAndHealthNamesItUntilThen() throws Exception {
        String tag = "RG" + UUID.randomUUID().toString().substring(0, 6) + "-";
        stub(tag, 3);
        gateway = Gateway.start("resume-gone", settings(null, "3600000"));
        gateway.drop("gone.csv", HEADER + rows(tag, 1, 3));
        Path result = gateway.resultOf("gone.csv");
        Gateway.await(() -> Files.exists(result), Duration.ofSeconds(30), "no result for the first rows");
        Files.delete(result);
        DataSource store = gateway.context().getRegistry().lookupByNameAndType("payoutDataSource", DataSource.class);
        try (Connection c = store.getConnection()) {
            String archived = stopShort(c, "gone.csv", gateway.archive, HEADER + rows(tag, 1, 6));
            Files.delete(gateway.archive.resolve(archived));
        }

        JsonNode health = health();
        assertThat(health.path("status").asText()).isEqualTo("DOWN");
        assertThat(health.toString()).contains("intake-files").contains("gone.csv (3 rows stored)");

        FileIntake intake = gateway.context().getRegistry().lookupByNameAndType("fileIntake", FileIntake.class);
        assertThat(intake.resumeUnfinished()).isEqualTo(1);
        Gateway.await(() -> Files.exists(result), Duration.ofSeconds(30), "no result file of what was stored");
        List<String> lines = Files.readAllLines(result);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(4)).startsWith(",REJECTED,").contains("gateway stopped while reading the file")
                .contains("rows after row 3 were not stored");
        Path note = gateway.errors.resolve("gone.csv.error.txt");
        assertThat(note).exists();
        assertThat(Files.readString(note)).contains("drop the file again");
        assertThat(intake.stuck()).isEmpty();
        assertThat(health().toString()).doesNotContain("gone.csv");
    }

    JsonNode health() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.managementPort
                + "/observe/health?data=true")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }
}
