package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.payoutgateway.config.Settings;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.paypro.PayproSignature;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * Secret settings read from files ({@code <setting>.file}, {@code <SETTING>_FILE}), as container
 * secrets are mounted: the real gateway signs with a provider secret and takes an API key read from
 * files; the lookup, the both-set error and {@code validate} never show a file's content.
 */
class SecretFilesTest {

    @TempDir
    Path dir;

    @Test
    void providerSecretAndApiKeyFromFiles_theGatewaySignsAndAuthenticatesWithThem() throws Exception {
        Path secret = Files.writeString(dir.resolve("paypro-ke-secret"), StandInProviders.SECRET_KE + "\n");
        Path apiKeys = Files.writeString(dir.resolve("api-keys"), "file-api-key-1,file-api-key-2\n");
        try (StandInProviders providers = new StandInProviders()) {
            Map<String, String> s = new HashMap<>(providers.settings());
            // the shipped file has a sandbox secret: blanked, so that the file is the only value
            s.put("payout.provider.paypro-ke.secret", "");
            s.put("payout.provider.paypro-ke.secret.file", secret.toString());
            s.put("payout.api.keys.file", apiKeys.toString());
            try (Gateway gateway = Gateway.start("secret-files", s)) {
                String ref = "SECFILE-" + System.nanoTime();
                providers.create("paypro-ke", ref, payproAccepted(ref));
                providers.query("paypro-ke", ref, payproStatus(ref, "0000", "SUCCESS"));
                HttpClient http = HttpClient.newHttpClient();
                String body = "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"1500\",\"currency\":\"KES\","
                        + "\"mobile\":\"254712345678\"}";
                assertThat(post(http, gateway, "sandbox-or-other-key", body).statusCode()).isEqualTo(401);
                HttpResponse<String> r = post(http, gateway, "file-api-key-2", body);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));

                List<LoggedRequest> creates = providers.creates("paypro-ke", ref);
                assertThat(creates).hasSize(1);
                Map<String, Object> sent = new ObjectMapper().readValue(creates.get(0).getBodyAsString(), new TypeReference<>() {
                });
                assertThat(PayproSignature.verify(sent, StandInProviders.SECRET_KE, PayproSignature.SaltPosition.APPEND))
                        .as("signed with the secret of the file").isTrue();
            }
        }
    }

    static HttpResponse<String> post(HttpClient http, Gateway g, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + g.httpPort + "/api/v1/payouts"))
                .header("Content-Type", "application/json").header("X-API-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void environmentFileConvention_contentWithoutTrailingNewline() throws Exception {
        Path key = Files.writeString(dir.resolve("webhook_signing_key"), "whsec-from-a-file\n");
        Path crlf = Files.writeString(dir.resolve("db_password"), "p@ss word\r\n");
        Path noNewline = Files.writeString(dir.resolve("token"), "tok-123");
        Settings settings = new Settings(Settings.fromEnvironment(Map.of(
                "PAYOUT_WEBHOOK_SIGNING_KEY_FILE", key.toString(),
                "PAYOUT_DATASOURCE_PASSWORD_FILE", crlf.toString(),
                "PAYOUT_PROVIDER_DIAMONDPAY_ID_AUTHORIZATION_FILE", noNewline.toString(),
                "PAYOUT_API_BATCH_MAX", "7")));
        assertThat(settings.find("payout.webhook.signing-key")).hasValue("whsec-from-a-file");
        assertThat(settings.get("payout.datasource.password", "")).isEqualTo("p@ss word");
        assertThat(settings.required("payout.provider.diamondpay-id.authorization")).isEqualTo("tok-123");
        assertThat(settings.getInt("payout.api.batch-max", 1)).as("settings without a file as before").isEqualTo(7);
        assertThat(settings.find("payout.api.keys")).isEmpty();
        assertThat(settings.fileOf("payout.webhook.signing-key")).hasValue(key.toString());
    }

    @Test
    void bothValueAndFile_anErrorNamingTheSetting_withoutTheContent() throws Exception {
        Path key = Files.writeString(dir.resolve("k"), "CONTENT-OF-THE-FILE\n");
        Settings settings = new Settings(Settings.fromEnvironment(Map.of(
                "PAYOUT_WEBHOOK_SIGNING_KEY", "VALUE-OF-THE-SETTING", "PAYOUT_WEBHOOK_SIGNING_KEY_FILE", key.toString())));
        assertThatThrownBy(() -> settings.find("payout.webhook.signing-key")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("payout.webhook.signing-key").hasMessageContaining("both")
                .hasMessageNotContaining("CONTENT-OF-THE-FILE").hasMessageNotContaining("VALUE-OF-THE-SETTING");
        // in properties: <setting>.file
        Settings props = new Settings(k -> java.util.Optional.ofNullable(Map.of("payout.api.keys", "a",
                "payout.api.keys.file", key.toString()).get(k)));
        assertThatThrownBy(() -> props.getList("payout.api.keys", "")).hasMessageContaining("payout.api.keys");
    }

    @Test
    void missingOrEmptyFile_anErrorNamingSettingAndPath() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Settings settings = new Settings(Settings.fromEnvironment(Map.of(
                "PAYOUT_WEBHOOK_SIGNING_KEY_FILE", dir.resolve("nope").toString(), "PAYOUT_API_KEYS_FILE", empty.toString())));
        assertThatThrownBy(() -> settings.find("payout.webhook.signing-key"))
                .hasMessageContaining("payout.webhook.signing-key.file").hasMessageContaining(dir.resolve("nope").toString())
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> settings.find("payout.api.keys")).hasMessageContaining("payout.api.keys.file").hasMessageContaining("empty");
    }

    @Test
    void validate_reportsAMissingFileAndBothSet_neverTheContent() throws IOException {
        copyShipped();
        Path present = Files.writeString(dir.resolve("ke-secret"), "TOPSECRET-ke-7731\n");
        Path missing = dir.resolve("run/secrets/webhook_signing_key");
        edit("config/application.properties", "payout.webhook.signing-key=\n",
                "payout.webhook.signing-key=\npayout.webhook.signing-key.file=" + missing + "\n");
        // the shipped sandbox secret is still set: both
        edit("config/application.properties", "payout.provider.paypro-ke.secret=sandbox-secret-ke\n",
                "payout.provider.paypro-ke.secret=sandbox-secret-ke\npayout.provider.paypro-ke.secret.file=" + present + "\n");
        String out = validate();
        assertThat(out).contains("payout.webhook.signing-key.file").contains(missing.toString()).contains("does not exist")
                .contains("payout.provider.paypro-ke.secret is set both");
        assertThat(out).doesNotContain("TOPSECRET").doesNotContain("sandbox-secret-ke");

        // blanked value, readable file: valid, and still nothing of the content printed
        edit("config/application.properties", "payout.provider.paypro-ke.secret=sandbox-secret-ke\n", "payout.provider.paypro-ke.secret=\n");
        edit("config/application.properties", "payout.webhook.signing-key.file=" + missing + "\n", "");
        out = validate();
        assertThat(out).contains("OK:").doesNotContain("TOPSECRET");
    }

    @Test
    void noCamelPlaceholderNamesASecret() throws IOException {
        // secrets are read by the gateway (Settings, where files are read), never by Camel placeholders
        Pattern placeholder = Pattern.compile("\\{\\{\\??([a-z][a-zA-Z0-9.<>_-]*)");
        List<Path> files = new java.util.ArrayList<>(List.of(Path.of("config", "application.properties")));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            routes.forEach(files::add);
        }
        for (Path f : files) {
            Matcher m = placeholder.matcher(Files.readString(f));
            while (m.find()) {
                String key = m.group(1);
                assertThat(ConfigValidator.SECRET_SETTINGS.stream().map(s -> s.replace("<account>", "[^.]+")).noneMatch(key::matches))
                        .as(f + " uses {{" + key + "}}").isTrue();
            }
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    String validate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConfigValidator.run(new String[] {"validate", dir.resolve("config").toString(), dir.resolve("routes").toString()},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    void copyShipped() throws IOException {
        for (String d : new String[] {"config", "routes"}) {
            Files.createDirectories(dir.resolve(d));
            try (Stream<Path> files = Files.list(Path.of(d))) {
                for (Path f : files.toList()) {
                    Files.copy(f, dir.resolve(d).resolve(f.getFileName()));
                }
            }
        }
    }

    void edit(String file, String from, String to) throws IOException {
        Path p = dir.resolve(file);
        String text = Files.readString(p);
        assertThat(text).as("%s holds %s", file, from).contains(from);
        Files.writeString(p, text.replace(from, to));
    }
}
