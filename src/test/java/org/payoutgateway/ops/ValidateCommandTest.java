package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate}: the shipped files pass; each kind of mistake is reported with file and line. */
class ValidateCommandTest {

    @TempDir
    Path dir;

    record Result(int exit, String out) {
    }

    Result validate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = ConfigValidator.run(new String[] {"validate", dir.resolve("config").toString(),
            dir.resolve("routes").toString()}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
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

    @Test
    void theShippedRoutesAndSettingsAreValid() throws IOException {
        copyShipped();
        Result r = validate();
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("OK:");
    }

    @Test
    void yamlThatDoesNotParse() throws IOException {
        copyShipped();
        edit("routes/dispatch.yaml", "        - bean:\n            ref: accountLanes\n            method: fillCreates",
                "        - bean:\n            ref: accountLanes\n          method: [fillCreates");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("routes/dispatch\\.yaml:\\d+: YAML does not parse");
    }

    @Test
    void anUnknownEndpoint() throws IOException {
        copyShipped();
        edit("routes/file-results.yaml", "uri: \"timer:file-results\"", "uri: \"timr:file-results\"");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("routes/file-results\\.yaml:\\d+: unknown endpoint 'timr:'");
    }

    @Test
    void anUnknownBeanOrMethod() throws IOException {
        copyShipped();
        edit("routes/file-results.yaml", "ref: fileResults", "ref: fileResult");
        edit("routes/erp-intake.yaml", "method: unreported", "method: unreportd");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("routes/file-results.yaml:" + lineOf("routes/file-results.yaml", "ref: fileResult")
                        + ": unknown bean 'fileResult'")
                .contains("routes/erp-intake.yaml:" + lineOf("routes/erp-intake.yaml", "method: unreportd")
                        + ": bean 'erpIntake' has no method 'unreportd'");
    }

    @Test
    void anUnknownBeanNamedOutsideABeanStep() throws IOException {
        copyShipped();
        edit("routes/submitter-callbacks.yaml", "executorService: dispatchPool", "executorService: dispatchPol");
        edit("routes/erp-intake.yaml", "dataSource: \"#erpDataSource\"", "dataSource: \"#erpDataSourc\"");
        edit("routes/erp-intake.yaml", "claim}}?dataSource=#erpDataSource", "claim}}?dataSource=#erpDatasource");
        edit("routes/file-results.yaml", "- bean:\n            ref: fileResults\n            method: writeCompleted",
                "- to: \"bean:fileResults?method=writeComplete\"");
        Result r = validate();
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("routes/submitter-callbacks.yaml:" + lineOf("routes/submitter-callbacks.yaml", "executorService: dispatchPol")
                        + ": unknown bean 'dispatchPol'")
                .contains("routes/erp-intake.yaml:" + lineOf("routes/erp-intake.yaml", "#erpDataSourc\"") + ": unknown bean 'erpDataSourc'")
                .contains("routes/erp-intake.yaml:" + lineOf("routes/erp-intake.yaml", "#erpDatasource") + ": unknown bean 'erpDatasource'")
                .contains("routes/file-results.yaml:" + lineOf("routes/file-results.yaml", "bean:fileResults")
                        + ": bean 'fileResults' has no method 'writeComplete'");
    }

    @Test
    void aMissingRequiredSetting() throws IOException {
        copyShipped();
        edit("config/application.properties", "payout.provider.paypro-ke.secret=sandbox-secret-ke\n", "");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("config/application\\.properties:\\d+: account paypro-ke: missing required setting payout\\.provider\\.paypro-ke\\.secret");
    }

    @Test
    void anH2UrlThatWouldLoseCommitsOrBreakTheStoreSql() throws IOException {
        copyShipped();
        edit("config/application.properties", "WRITE_DELAY=0;", "WRITE_DELAY=500;");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("config/application\\.properties:\\d+: payout\\.datasource\\.url: the H2 URL sets "
                + "WRITE_DELAY=500; the payout gateway needs WRITE_DELAY=0");
        edit("config/application.properties", "WRITE_DELAY=500;", "");
        assertThat(validate().exit()).as("a URL lacking WRITE_DELAY gets it at start").isZero();
    }

    @Test
    void anApiClientWithoutKeysOrWithAnUnknownRole() throws IOException {
        copyShipped();
        edit("config/application.properties", "payout.api.clients=\n",
                "payout.api.clients=team-a,ops\npayout.api.client.team-a.keys=k1\npayout.api.client.team-a.roles=submiter\n");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("config/application\\.properties:\\d+: payout\\.api\\.client\\.team-a\\.roles: "
                + "unknown role 'submiter' \\(submitter, operator, approver, viewer\\)");
        edit("config/application.properties", "roles=submiter", "roles=submitter");
        assertThat(validate().out()).contains("payout.api.client.ops.keys is missing: client ops has no key");
    }

    @Test
    void aRoutingEntryThatNamesNoAccount() throws IOException {
        copyShipped();
        edit("config/application.properties", "payout.routing.KE=paypro-ke", "payout.routing.KE=paypro-kenya");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        String text = Files.readString(dir.resolve("config/application.properties"));
        int line = text.substring(0, text.indexOf("payout.routing.KE=")).split("\n", -1).length;
        assertThat(r.out()).contains("config/application.properties:" + line + ": payout.routing.KE names account 'paypro-kenya'");
    }

    @Test
    void aPlaceholderNoSettingDefines() throws IOException {
        copyShipped();
        edit("routes/file-intake.yaml", "{{payout.intake.file.poll-interval-ms}}", "{{payout.intake.file.poll-intervall-ms}}");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("routes/file-intake\\.yaml:\\d+: placeholder \\{\\{payout\\.intake\\.file\\.poll-intervall-ms}}");
    }

    @Test
    void aRoutingEntryThatNamesAnAccountOfAnotherCountry() throws IOException {
        copyShipped();
        edit("config/application.properties", "payout.routing.KE=paypro-ke", "payout.routing.KE=paypro-ke\npayout.routing.TZ=paypro-ke");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        String text = Files.readString(dir.resolve("config/application.properties"));
        int line = text.substring(0, text.indexOf("payout.routing.TZ=")).split("\n", -1).length;
        assertThat(r.out()).contains("config/application.properties:" + line
                + ": payout.routing.TZ names account 'paypro-ke', which pays out in KE");
    }

    @Test
    void anAccountSettingThatCannotBeRead() throws IOException {
        copyShipped();
        edit("config/application.properties", "payout.provider.paypro-ke.secret=sandbox-secret-ke\n",
                "payout.provider.paypro-ke.secret=sandbox-secret-ke\npayout.provider.paypro-ke.currency=Kenyan shilling\n"
                        + "payout.provider.paypro-pk.mobile-pattern=3[0-9{9}\n");
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        String text = Files.readString(dir.resolve("config/application.properties"));
        int currency = text.substring(0, text.indexOf("payout.provider.paypro-ke.currency=")).split("\n", -1).length;
        int mobile = text.substring(0, text.indexOf("payout.provider.paypro-pk.mobile-pattern=")).split("\n", -1).length;
        assertThat(r.out()).contains("config/application.properties:" + currency
                        + ": account paypro-ke: payout.provider.paypro-ke.currency must be an ISO 4217 code")
                .contains("config/application.properties:" + mobile
                        + ": account paypro-pk: payout.provider.paypro-pk.mobile-pattern is not a regular expression");
    }

    /** The 1-based line of the first line of a file holding the text. */
    int lineOf(String file, String text) throws IOException {
        String content = Files.readString(dir.resolve(file));
        assertThat(content).contains(text);
        return content.substring(0, content.indexOf(text)).split("\n", -1).length;
    }

    @Test
    void aMisspelledDslStep() throws IOException {
        copyShipped();
        edit("routes/dispatch.yaml", "- doTry:", "- doTryy:");
        Result r = validate();
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("routes/dispatch.yaml:" + lineOf("routes/dispatch.yaml", "- doTryy:")
                + ": Camel's YAML DSL refuses it");
    }

    @Test
    void aRouteWithoutAnIdOrWithOneAnotherFileAlreadyUses() throws IOException {
        copyShipped();
        Files.writeString(dir.resolve("routes/oops.yaml"), """
                - route:
                    id: file-results
                    from:
                      uri: "timer:oops"
                      steps:
                        - log: "oops"
                """);
        Files.writeString(dir.resolve("routes/nameless.yaml"), """
                - route:
                    from:
                      uri: "timer:nameless"
                      steps:
                        - log: "who am I"
                """);
        Result r = validate();
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("routes/nameless.yaml:1: route without an id")
                .contains("routes/oops.yaml:2: route id 'file-results' is already used at ")
                .contains("routes/file-results.yaml:" + lineOf("routes/file-results.yaml", "id: file-results"));
    }

    @Test
    void aMisspelledEndpointOption() throws IOException {
        copyShipped();
        edit("routes/dispatch.yaml", "synchronous: true", "synchronus: true");
        edit("routes/dispatch.yaml", "throwExceptionOnFailure=false", "throwExceptionOnFailur=false");
        Result r = validate();
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("routes/dispatch.yaml:" + lineOf("routes/dispatch.yaml", "synchronus: true")
                        + ": timer endpoint has no option 'synchronus'")
                .contains("routes/dispatch.yaml:" + lineOf("routes/dispatch.yaml", "throwExceptionOnFailur=false")
                        + ": http endpoint has no option 'throwExceptionOnFailur'");
    }

    @Test
    void settingValuesOfTheWrongType() throws IOException {
        copyShipped();
        edit("config/application.properties", "payout.dispatch.batch-size=200", "payout.dispatch.batch-size=lots");
        edit("config/application.properties", "payout.dispatch.sending-lease=2m", "payout.dispatch.sending-lease=2 minutes");
        edit("config/application.properties", "payout.intake.erp.enabled=true", "payout.intake.erp.enabled=yes");
        edit("config/application.properties", "payout.query.cron=* * * * * ?", "payout.query.cron=every 5 seconds");
        edit("config/application.properties", "payout.provider.accounts=paypro-id,", "payout.provider.accounts=paypro-id,paypro-id,");
        Result r = validate();
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        String props = "config/application.properties";
        assertThat(r.out())
                .contains(props + ":" + lineOf(props, "payout.dispatch.batch-size=") + ": payout.dispatch.batch-size must be a whole number, not 'lots'")
                .contains(props + ":" + lineOf(props, "payout.dispatch.sending-lease=") + ": payout.dispatch.sending-lease: '2 minutes' is not a duration")
                .contains(props + ":" + lineOf(props, "payout.intake.erp.enabled=") + ": payout.intake.erp.enabled must be true or false, not 'yes'")
                .contains(props + ":" + lineOf(props, "payout.query.cron=") + ": payout.query.cron is not a Quartz cron expression")
                .contains(props + ":" + lineOf(props, "payout.provider.accounts=") + ": payout.provider.accounts names paypro-id twice");
    }

    @Test
    void aSecretGivenOutsideTheFileIsFound() throws IOException {
        copyShipped();
        edit("config/application.properties", "payout.provider.paypro-ke.secret=sandbox-secret-ke\n", "");
        System.setProperty("payout.provider.paypro-ke.secret", "given-at-start");
        try {
            Result r = validate();
            assertThat(r.exit()).as(r.out()).isZero();
        } finally {
            System.clearProperty("payout.provider.paypro-ke.secret");
        }
        assertThat(validate().exit()).isEqualTo(1);
    }

    @Test
    void everyTypedSettingTheGatewayReadsIsChecked() throws IOException {
        java.util.regex.Pattern typedRead = java.util.regex.Pattern.compile(
                "get(?:Int|Boolean|Duration|Durations)\\(\"(payout\\.[a-z.-]+)\"");
        java.util.Set<String> read = new java.util.TreeSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path f : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                java.util.regex.Matcher m = typedRead.matcher(Files.readString(f));
                while (m.find()) {
                    read.add(m.group(1));
                }
            }
        }
        assertThat(read).isNotEmpty();
        assertThat(ConfigValidator.TYPED_SETTINGS.keySet()).containsAll(read);
    }

    @Test
    void aRoutesFolderWithNoRouteFile() throws IOException {
        copyShipped();
        try (Stream<Path> files = Files.list(dir.resolve("routes"))) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Result r = validate();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("routes:0: holds no route file");
    }
}
