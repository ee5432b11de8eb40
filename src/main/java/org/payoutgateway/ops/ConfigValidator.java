package org.payoutgateway.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.impl.DefaultCamelContext;
import org.payoutgateway.api.PayoutApi;
import org.payoutgateway.callback.SubmitterCallbacks;
import org.payoutgateway.config.Settings;
import org.payoutgateway.dispatch.Dispatcher;
import org.payoutgateway.intake.erp.ErpIntake;
import org.payoutgateway.intake.file.FileIntake;
import org.payoutgateway.intake.file.FileResults;
import org.payoutgateway.notify.NotifyReceiver;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.query.StatusQueries;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * The offline check of {@code routes/} and {@code config/} ({@code java -jar payout-gateway.jar
 * validate [config-dir] [routes-dir]}): YAML that does not parse, endpoints of components the
 * gateway does not have, beans or bean methods that do not exist, placeholders no setting defines,
 * provider accounts missing a required setting, routing entries that name no account. Each problem
 * is printed as {@code file:line: message}; the exit code is 1 when there is any. Nothing is
 * started and no database is touched. Settings are checked as the files hold them (environment
 * overrides are not looked at).
 */
public final class ConfigValidator {

    /** The beans the routes may call, by the names the gateway binds them under. */
    static final Map<String, Class<?>> BEANS = Map.ofEntries(
            Map.entry("fileIntake", FileIntake.class), Map.entry("fileResults", FileResults.class),
            Map.entry("erpIntake", ErpIntake.class), Map.entry("dispatcher", Dispatcher.class),
            Map.entry("statusQueries", StatusQueries.class), Map.entry("payoutApi", PayoutApi.class),
            Map.entry("notifyReceiver", NotifyReceiver.class), Map.entry("submitterCallbacks", SubmitterCallbacks.class),
            Map.entry("payoutMetrics", PayoutMetrics.class), Map.entry("providerAccounts", ProviderAccounts.class),
            Map.entry("payoutStore", PayoutStore.class), Map.entry("accountGuards", AccountGuards.class),
            Map.entry("payoutDataSource", javax.sql.DataSource.class), Map.entry("erpDataSource", javax.sql.DataSource.class),
            Map.entry("dispatchPool", java.util.concurrent.ExecutorService.class));
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\??)([^}:]+)(:[^}]*)?}}");
    private static final Pattern BEAN_CALL = Pattern.compile("\\$\\{bean:(\\w+)(?:\\?method=(\\w+))?");

    /** One problem: where, and what. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    private ConfigValidator() {
    }

    /** Runs the check and prints its findings; returns the exit code. */
    public static int run(String[] args, PrintStream out) {
        Path config = Path.of(args.length > 1 ? args[1] : "config");
        Path routes = Path.of(args.length > 2 ? args[2] : "routes");
        List<Problem> problems = validate(config, routes);
        problems.forEach(out::println);
        out.println(problems.isEmpty() ? "OK: " + routes + " and " + config + " are valid"
                : problems.size() + " problem(s) in " + routes + " and " + config);
        return problems.isEmpty() ? 0 : 1;
    }

    /** Checks {@code <configDir>/application.properties} and every {@code <routesDir>/*.yaml} as the files hold them. */
    public static List<Problem> validate(Path configDir, Path routesDir) {
        List<Path> routeFiles;
        try {
            routeFiles = routeFiles(routesDir);
        } catch (IOException e) {
            return List.of(new Problem(routesDir.toString(), 0, "cannot be read: " + e.getMessage()));
        }
        return validate(configDir.resolve("application.properties"), null, routeFiles);
    }

    /** The route files of a folder ({@code *.yaml}), sorted by name. */
    public static List<Path> routeFiles(Path routesDir) throws IOException {
        try (Stream<Path> files = Files.list(routesDir)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /**
     * Checks a settings file and some route files.
     *
     * @param settings where a setting's value is looked up (a running gateway passes its overrides
     *                 and environment over the file's values); {@code null}: the file's values only
     */
    public static List<Problem> validate(Path propertiesFile, Function<String, Optional<String>> settings, List<Path> routeFiles) {
        List<Problem> problems = new ArrayList<>();
        Properties props = new Properties();
        List<String> lines;
        try (Reader r = Files.newBufferedReader(propertiesFile)) {
            props.load(r);
            lines = Files.readAllLines(propertiesFile);
        } catch (IOException e) {
            problems.add(new Problem(propertiesFile.toString(), 0, "cannot be read: " + e.getMessage()));
            return problems;
        }
        Function<String, Optional<String>> lookup = settings != null ? settings : k -> Optional.ofNullable(props.getProperty(k));
        checkSettings(propertiesFile.toString(), props, lookup, lines, problems);
        // only asked which components exist; closed after (live changes validate on every edit)
        DefaultCamelContext camel = new DefaultCamelContext();
        try {
            for (Path f : routeFiles) {
                checkRoutes(f, lookup, camel, problems);
            }
        } finally {
            camel.stop();
        }
        return problems;
    }

    // ------------------------------------------------------------------------------------ settings

    private static void checkSettings(String file, Properties props, Function<String, Optional<String>> lookup,
            List<String> lines, List<Problem> problems) {
        Settings settings = new Settings(lookup);
        List<String> accounts = settings.getList("payout.provider.accounts", "");
        if (accounts.isEmpty()) {
            problems.add(new Problem(file, lineOf(lines, "payout.provider.accounts"), "payout.provider.accounts names no account"));
        }
        Map<String, String> countries = new HashMap<>();
        for (String account : accounts) {
            try {
                Settings one = new Settings(k -> k.equals("payout.provider.accounts") ? Optional.of(account) : lookup.apply(k));
                ProviderAccounts built = new ProviderAccounts(one);
                AccountGuards.check(built, one);
                countries.put(account, built.get(account).country());
            } catch (RuntimeException e) {
                String key = e instanceof Settings.MissingSettingException ? e.getMessage().replace("missing required setting ", "")
                        : e.getMessage().split("[ :]", 2)[0];
                int line = lineOf(lines, key.startsWith("payout.provider." + account + ".") ? key : "payout.provider." + account);
                problems.add(new Problem(file, line > 0 ? line : lineOf(lines, "payout.provider.accounts"),
                        "account " + account + ": " + e.getMessage()));
            }
        }
        for (String key : props.stringPropertyNames()) {
            if (!key.startsWith("payout.routing.")) {
                continue;
            }
            String account = props.getProperty(key).strip();
            String country = key.substring("payout.routing.".length()).toUpperCase(Locale.ROOT);
            if (!accounts.contains(account)) {
                problems.add(new Problem(file, lineOf(lines, key), key + " names account '" + account
                        + "', which is not in payout.provider.accounts " + accounts));
            } else if (countries.containsKey(account) && !countries.get(account).equals(country)) {
                problems.add(new Problem(file, lineOf(lines, key), key + " names account '" + account + "', which pays out in "
                        + countries.get(account) + " (set payout.provider." + account + ".country for an account of another country)"));
            }
        }
        for (String key : props.stringPropertyNames()) {
            Matcher m = PLACEHOLDER.matcher(props.getProperty(key));
            while (m.find()) {
                if (m.group(1).isEmpty() && m.group(3) == null && !defined(m.group(2), lookup)) {
                    problems.add(new Problem(file, lineOf(lines, key), key + " uses {{" + m.group(2) + "}}, which no setting defines"));
                }
            }
        }
    }

    private static boolean defined(String key, Function<String, Optional<String>> lookup) {
        return key.startsWith("env:") || key.startsWith("sys:") || lookup.apply(key).isPresent();
    }

    /** The 1-based line where a key is set, 0 when it is not in the file. */
    static int lineOf(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith(key + "=") || l.startsWith(key + " ") || l.startsWith(key + ":")) {
                return i + 1;
            }
        }
        return 0;
    }

    // -------------------------------------------------------------------------------------- routes

    private static void checkRoutes(Path file, Function<String, Optional<String>> props, DefaultCamelContext camel, List<Problem> problems) {
        Node root;
        try (Reader r = Files.newBufferedReader(file)) {
            Composer composer = new Composer(LoadSettings.builder().build(),
                    new ParserImpl(LoadSettings.builder().build(), new StreamReader(LoadSettings.builder().build(), r)));
            root = composer.getSingleNode().orElse(null);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            problems.add(new Problem(file.toString(), line, "YAML does not parse: " + e.getProblem()));
            return;
        } catch (IOException | RuntimeException e) {
            problems.add(new Problem(file.toString(), 0, "cannot be read: " + e.getMessage()));
            return;
        }
        if (root != null) {
            // a route template's parameters ({{account}}) are filled in by the template, not settings
            java.util.Set<String> parameters = new java.util.HashSet<>();
            templateParameters(root, false, parameters);
            walk(root, file.toString(), k -> parameters.contains(k) ? Optional.of("") : props.apply(k), camel, problems);
        }
    }

    private static void templateParameters(Node node, boolean inTemplate, java.util.Set<String> names) {
        if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
                if (inTemplate && key.equals("name") && t.getValueNode() instanceof ScalarNode v) {
                    names.add(v.getValue());
                }
                boolean template = key.equals("routeTemplate") || (inTemplate && key.equals("parameters"));
                if (template || !inTemplate) {
                    templateParameters(t.getValueNode(), template, names);
                }
            }
        } else if (node instanceof SequenceNode seq) {
            seq.getValue().forEach(n -> templateParameters(n, inTemplate, names));
        }
    }

    private static void walk(Node node, String file, Function<String, Optional<String>> props, DefaultCamelContext camel, List<Problem> problems) {
        if (node instanceof MappingNode map) {
            String ref = null;
            int refLine = 0;
            String method = null;
            for (NodeTuple t : map.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
                if (t.getValueNode() instanceof ScalarNode v) {
                    int line = v.getStartMark().map(m -> m.getLine() + 1).orElse(0);
                    if (key.equals("uri") || key.equals("to") || key.equals("toD")) {
                        checkEndpoint(v.getValue(), file, line, camel, problems);
                    }
                    if (key.equals("ref")) {
                        ref = v.getValue();
                        refLine = line;
                    }
                    if (key.equals("method")) {
                        method = v.getValue();
                    }
                    checkText(v.getValue(), file, line, props, problems);
                } else {
                    walk(t.getValueNode(), file, props, camel, problems);
                }
            }
            if (ref != null) {
                checkBean(ref, method, file, refLine, problems);
            }
        } else if (node instanceof SequenceNode seq) {
            seq.getValue().forEach(n -> walk(n, file, props, camel, problems));
        } else if (node instanceof ScalarNode s) {
            checkText(s.getValue(), file, s.getStartMark().map(m -> m.getLine() + 1).orElse(0), props, problems);
        }
    }

    private static void checkEndpoint(String uri, String file, int line, DefaultCamelContext camel, List<Problem> problems) {
        int colon = uri.indexOf(':');
        if (colon <= 0 || uri.startsWith("{{") || uri.startsWith("${")) {
            return;
        }
        String scheme = uri.substring(0, colon);
        if (camel.getComponent(scheme, true, false) == null) {
            problems.add(new Problem(file, line, "unknown endpoint '" + scheme + ":' (no such Camel component in the gateway)"));
        }
    }

    private static void checkText(String text, String file, int line, Function<String, Optional<String>> props, List<Problem> problems) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (m.group(1).isEmpty() && m.group(3) == null && !defined(m.group(2), props)) {
                problems.add(new Problem(file, line, "placeholder {{" + m.group(2) + "}} is not a setting in config/application.properties"));
            }
        }
        Matcher b = BEAN_CALL.matcher(text);
        while (b.find()) {
            checkBean(b.group(1), b.group(2), file, line, problems);
        }
    }

    private static void checkBean(String ref, String method, String file, int line, List<Problem> problems) {
        Class<?> type = BEANS.get(ref);
        if (type == null) {
            problems.add(new Problem(file, line, "unknown bean '" + ref + "'; the gateway's beans are " + BEANS.keySet().stream().sorted().toList()));
            return;
        }
        if (method != null) {
            String name = method.contains("(") ? method.substring(0, method.indexOf('(')) : method;
            boolean exists = Arrays.stream(type.getMethods()).map(Method::getName).anyMatch(name::equals);
            if (!exists) {
                problems.add(new Problem(file, line, "bean '" + ref + "' has no method '" + name + "'"));
            }
        }
    }
}
