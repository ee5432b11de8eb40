package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.config.Settings;
import org.payoutgateway.support.Gateway;

/**
 * docs/settings.md names every setting the gateway reads, and only those, and says rightly which
 * apply live. What the gateway reads is taken from what it does, not from a list kept by hand:
 * <ul>
 *   <li>every key {@link Settings} was asked for while the real gateway ran with the shipped
 *       configuration and every optional part on (sandbox, live changes, an ERP table in its own
 *       database), took an example file through to its result, and {@code validate} checked the
 *       shipped files; account names are written {@code <account>}, countries {@code <COUNTRY>};</li>
 *   <li>every {@code "payout.…"} string literal in src/main/java, so a key read only on a rare path
 *       is not missed;</li>
 *   <li>every {@code {{placeholder}}} in routes/*.yaml and config/application.properties (Camel
 *       resolves those, not {@link Settings}).</li>
 * </ul>
 * Camel's own {@code camel.*} settings are checked against config/application.properties.
 */
class SettingsReferenceTest {

    static final Path REFERENCE = Path.of("docs", "settings.md");
    static final Path PROPERTIES = Path.of("config", "application.properties");
    /** The logging-context field names of PayoutLog: string literals that look like settings and are not. */
    static final Set<String> NOT_SETTINGS = Set.of("payout.reference", "payout.account");

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z][a-zA-Z0-9.<>_-]*)`\\s*\\|(.*)$");
    private static final Pattern LITERAL = Pattern.compile("\"(payout\\.[a-z0-9.-]*[a-z0-9])\"");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\??([a-z][a-z0-9.-]*)[}:]");
    private static final Pattern ACCOUNT_KEY = Pattern.compile("payout\\.provider\\.(?!accounts$)[^.]+\\.(.+)");
    private static final Pattern ROUTING_KEY = Pattern.compile("payout\\.routing\\.[^.]+");
    private static final Pattern CLIENT_KEY = Pattern.compile("payout\\.api\\.client\\.[^.]+\\.(.+)");

    /** The reference's rows: setting name → the rest of its row's cells. */
    static Map<String, List<String>> documented;
    static Set<String> recorded;

    @BeforeAll
    static void runTheGateway() throws Exception {
        documented = reference();
        Map<String, String> optional = new LinkedHashMap<>();
        optional.put("payout.sandbox.enabled", "true");
        optional.put("payout.sandbox.settle-after", "500ms");
        optional.put("payout.live-changes.enabled", "true");
        optional.put("payout.api.clients", "ops");
        optional.put("payout.api.client.ops.keys", "settings-reference-key");
        optional.put("payout.api.client.ops.roles", "operator");
        optional.put("payout.intake.erp.datasource.url", "jdbc:h2:mem:erp-" + System.nanoTime()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        try (Gateway gateway = Gateway.start("settings-reference", optional)) {
            String example = "payouts-kenya.json";
            gateway.drop(example, Files.readString(Path.of("examples", example)));
            Gateway.await(() -> Files.exists(gateway.resultOf(example)), Duration.ofSeconds(60),
                    "the example file never got its result");
        }
        assertThat(ConfigValidator.validate(PROPERTIES, null, routeFiles())).isEmpty();
        recorded = sorted(Settings.asked().stream().map(SettingsReferenceTest::generic));
    }

    @Test
    void everySettingTheGatewayReadsIsInTheReference() throws IOException {
        Set<String> missing = sorted(read().stream().filter(k -> !documented.containsKey(k)));
        assertThat(missing).as("settings the gateway reads that %s does not describe", REFERENCE).isEmpty();
    }

    @Test
    void everyGatewaySettingInTheReferenceIsRead() throws IOException {
        Set<String> read = read();
        Set<String> extra = sorted(documented.keySet().stream()
                .filter(k -> k.startsWith("payout.")).filter(k -> !read.contains(k)));
        assertThat(extra).as("settings %s describes that the gateway never reads", REFERENCE).isEmpty();
    }

    @Test
    void everySettingOfTheShippedFileIsInTheReference() throws IOException {
        Set<String> missing = sorted(shippedKeys().stream().filter(k -> !documented.containsKey(k)));
        assertThat(missing).as("settings of %s that %s does not describe", PROPERTIES, REFERENCE).isEmpty();
    }

    @Test
    void camelSettingsInTheReferenceAreThoseTheGatewaySetsOrReads() throws IOException {
        Set<String> used = new TreeSet<>(shippedKeys());
        used.addAll(read());
        Set<String> extra = sorted(documented.keySet().stream()
                .filter(k -> k.startsWith("camel.")).filter(k -> !used.contains(k)));
        assertThat(extra).as("Camel settings %s describes that %s does not set and the gateway does not read",
                REFERENCE, PROPERTIES).isEmpty();
        assertThat(documented.keySet()).allMatch(k -> k.startsWith("payout.") || k.startsWith("camel."));
    }

    /** The "applies" column says what LiveChanges does with an edit of the setting. */
    @Test
    void theReferenceSaysWhichSettingsApplyLive() throws IOException {
        List<String> routeTexts = new ArrayList<>();
        for (Path f : routeFiles()) {
            routeTexts.add(Files.readString(f));
        }
        List<String> wrong = new ArrayList<>();
        documented.forEach((key, cells) -> {
            boolean live = key.startsWith("payout.") && (LiveChanges.LIVE_PREFIXES.stream().anyMatch(key::startsWith)
                    || routeTexts.stream().anyMatch(t -> LiveChanges.usesSetting(t, key)));
            String applies = cells.get(2).strip();
            if (!applies.equals(live ? "live" : "restart")) {
                wrong.add(key + " says '" + applies + "', live changes apply it " + (live ? "live" : "at restart"));
            }
        });
        assertThat(wrong).as("the 'applies' column of %s", REFERENCE).isEmpty();
    }

    /**
     * payout.provider.paypro-ke.secret → payout.provider.&lt;account&gt;.secret;
     * payout.routing.KE → payout.routing.&lt;COUNTRY&gt;; payout.api.client.ops.keys →
     * payout.api.client.&lt;client&gt;.keys.
     */
    static String generic(String key) {
        Matcher account = ACCOUNT_KEY.matcher(key);
        if (account.matches()) {
            return "payout.provider.<account>." + account.group(1);
        }
        Matcher client = CLIENT_KEY.matcher(key);
        if (client.matches()) {
            return "payout.api.client.<client>." + client.group(1);
        }
        return ROUTING_KEY.matcher(key).matches() ? "payout.routing.<COUNTRY>" : key;
    }

    /** The reference's table rows: the setting, then default, type, applies, what it does. */
    static Map<String, List<String>> reference() throws IOException {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(REFERENCE)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                List<String> cells = List.of(m.group(2).split("(?<!\\\\)\\|", -1));
                assertThat(cells).as("row of %s: setting | default | type | applies | what it does", m.group(1))
                        .hasSizeGreaterThanOrEqualTo(5);
                assertThat(rows.put(m.group(1), cells)).as("%s is described twice", m.group(1)).isNull();
            }
        }
        assertThat(rows).as("the setting rows of %s", REFERENCE).hasSizeGreaterThan(50);
        return rows;
    }

    /** Whole {@code "payout.…"} literals in the gateway's code; a literal a reference key extends is a prefix. */
    static Set<String> literalKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = LITERAL.matcher(Files.readString(f));
                while (m.find()) {
                    String key = generic(m.group(1));
                    boolean prefix = documented.keySet().stream().anyMatch(d -> d.startsWith(key + "."));
                    if (!prefix && !NOT_SETTINGS.contains(key)) {
                        keys.add(key);
                    }
                }
            }
        }
        return keys;
    }

    static Set<String> placeholders() throws IOException {
        Set<String> keys = new TreeSet<>();
        List<Path> files = new ArrayList<>(routeFiles());
        files.add(PROPERTIES);
        for (Path f : files) {
            Matcher m = PLACEHOLDER.matcher(Files.readString(f));
            while (m.find()) {
                if (m.group(1).contains(".")) { // {{account}} is a route template's parameter
                    keys.add(generic(m.group(1)));
                }
            }
        }
        return keys;
    }

    /** The keys of the shipped settings file, those commented out as examples too. */
    static Set<String> shippedKeys() throws IOException {
        String uncommented = Files.readString(PROPERTIES).replaceAll("(?m)^#((?:payout|camel)\\.[a-z0-9.-]+=)", "$1");
        Properties p = new Properties();
        try (Reader r = new java.io.StringReader(uncommented)) {
            p.load(r);
        }
        return sorted(p.stringPropertyNames().stream().map(SettingsReferenceTest::generic));
    }

    /** What the gateway reads: the keys it asked for, its code's literal keys, the placeholders. */
    static Set<String> read() throws IOException {
        Set<String> read = new TreeSet<>(recorded);
        read.addAll(literalKeys());
        read.addAll(placeholders());
        return read;
    }

    static Set<String> sorted(Stream<String> keys) {
        return keys.collect(Collectors.toCollection(TreeSet::new));
    }

    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
