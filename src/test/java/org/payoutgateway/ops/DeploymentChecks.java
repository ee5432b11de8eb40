package org.payoutgateway.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.payoutgateway.config.Settings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What the compose files and the Kubernetes manifests must agree on with the gateway, checked the
 * same way for both (ContainerFilesTest, DeploymentFilesTest): each check returns the problems it
 * found, one line each, so a test can show that a broken file is reported.
 * <ul>
 *   <li>every environment variable is a setting in Camel's convention (or {@code <SETTING>_FILE}
 *       of one), none ends in {@code _PORT} (Camel ignores those), and no secret is a value;</li>
 *   <li>the ports are those of {@code camel.server.port} and {@code camel.management.port} as the
 *       container will see them (shipped file, environment, {@code -D} of JAVA_TOOL_OPTIONS);</li>
 *   <li>health paths are the documented ones;</li>
 *   <li>each secret read from a file names a secret setting and a secret that is mounted.</li>
 * </ul>
 */
final class DeploymentChecks {

    static final Path PROPERTIES = Path.of("config", "application.properties");
    static final String LIVE = "/observe/health/live";
    static final String READY = "/observe/health/ready";
    /** Variables the JVM reads, not the gateway. */
    static final String JVM_OPTIONS = "JAVA_TOOL_OPTIONS";
    private static final Pattern SYSTEM_PROPERTY = Pattern.compile("-D([^=\\s]+)=(\\S*)");

    private DeploymentChecks() {
    }

    // ------------------------------------------------------------------ files

    /** A YAML file's documents, with compose's {@code <<} merge keys applied (SnakeYAML Engine is YAML 1.2, without them). */
    static List<Object> yamlDocuments(Path file) {
        try {
            List<Object> docs = new ArrayList<>();
            new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file)).forEach(d -> docs.add(merged(d)));
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        return (Map<String, Object>) yamlDocuments(file).get(0);
    }

    private static Object merged(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            if (map.get("<<") instanceof Map<?, ?> base) {
                ((Map<?, ?>) merged(base)).forEach((k, v) -> out.put(String.valueOf(k), v));
            }
            map.forEach((k, v) -> {
                if (!"<<".equals(k)) {
                    out.put(String.valueOf(k), merged(v));
                }
            });
            return out;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(DeploymentChecks::merged).collect(Collectors.toList());
        }
        return node;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Properties shipped() {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(PROPERTIES)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The image's working directory: relative folders of the settings are read from it. */
    static String workDir() {
        return read(Path.of("docker", "Dockerfile")).lines().filter(l -> l.startsWith("WORKDIR "))
                .reduce((a, b) -> b).orElseThrow().substring("WORKDIR ".length()).strip();
    }

    // ------------------------------------------------------------------ settings and variables

    /**
     * Environment name → setting, of every setting there is: the shipped file's and those
     * docs/settings.md describes (such as payout.instance-id, which the file only has as a comment).
     */
    static Map<String, String> settingsByEnvironmentName() {
        Map<String, String> names = new TreeMap<>();
        Stream.concat(shipped().stringPropertyNames().stream(), documentedSettings().stream())
                .forEach(k -> names.put(Settings.environmentName(k), k));
        return names;
    }

    private static Set<String> documentedSettings() {
        try {
            return SettingsReferenceTest.reference().keySet().stream().filter(k -> !k.contains("<")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment names of every secret setting, of each provider account of the shipped file. */
    static Set<String> secretEnvironmentNames() {
        List<String> accounts = List.of(shipped().getProperty("payout.provider.accounts").split(","));
        return ConfigValidator.SECRET_SETTINGS.stream()
                .flatMap(k -> k.contains("<account>") ? accounts.stream().map(a -> k.replace("<account>", a.strip())) : Stream.of(k))
                .map(Settings::environmentName).collect(Collectors.toSet());
    }

    /** Each variable is a setting or a setting's _FILE (or the JVM's options), none ends in _PORT, no secret is a value. */
    static List<String> environmentProblems(String where, Map<String, ?> env) {
        List<String> problems = new ArrayList<>();
        if (env == null || env.isEmpty()) {
            return List.of(where + ": no environment");
        }
        Map<String, String> settings = settingsByEnvironmentName();
        Set<String> secrets = secretEnvironmentNames();
        for (String name : env.keySet()) {
            String setting = name.endsWith("_FILE") ? name.substring(0, name.length() - 5) : name;
            if (!name.equals(JVM_OPTIONS) && !settings.containsKey(setting)) {
                problems.add(where + ": " + name + " is no setting (nor a setting's _FILE)");
            }
            if (name.endsWith("_PORT")) {
                problems.add(where + ": " + name + " ends in _PORT: Camel ignores it, set ports with -D or the settings file");
            }
            if (secrets.contains(name)) {
                problems.add(where + ": the secret " + name + " is a value: read it from a file with " + name + "_FILE");
            }
        }
        return problems;
    }

    /**
     * The settings the gateway in the container runs with: the shipped file, under the environment
     * (by the setting each variable names), under the {@code -D} options of JAVA_TOOL_OPTIONS.
     */
    static Properties effectiveSettings(Map<String, ?> env) {
        Properties effective = shipped();
        Map<String, String> settings = settingsByEnvironmentName();
        env.forEach((name, value) -> {
            if (settings.containsKey(name) && value instanceof String s) {
                effective.setProperty(settings.get(name), s);
            }
        });
        if (env.get(JVM_OPTIONS) instanceof String options) {
            Matcher m = SYSTEM_PROPERTY.matcher(options);
            while (m.find()) {
                effective.setProperty(m.group(1), m.group(2));
            }
        }
        return effective;
    }

    static int serverPort(Map<String, ?> env) {
        return Integer.parseInt(effectiveSettings(env).getProperty("camel.server.port"));
    }

    static int managementPort(Map<String, ?> env) {
        return Integer.parseInt(effectiveSettings(env).getProperty("camel.management.port"));
    }

    /** A setting's folder as the container sees it: relative ones are under the image's working directory. */
    static String folder(Map<String, ?> env, String setting, String defaultValue) {
        String value = effectiveSettings(env).getProperty(setting, defaultValue);
        return value.startsWith("/") ? value : workDir() + "/" + value;
    }

    /** Whether {@code path} is {@code mount} or inside it. */
    static boolean inside(String path, String mount) {
        return Path.of(path).normalize().startsWith(Path.of(mount).normalize());
    }

    // ------------------------------------------------------------------ health and secrets

    /** The probe is on the management port and asks one of the documented health paths (docs/operations.md). */
    static List<String> probeProblems(String where, Map<String, ?> env, int port, String path, String expectedPath) {
        List<String> problems = new ArrayList<>();
        if (port != managementPort(env)) {
            problems.add(where + ": probe port " + port + " is not camel.management.port " + managementPort(env));
        }
        if (!path.equals(expectedPath)) {
            problems.add(where + ": probe path " + path + " is not " + expectedPath);
        }
        if (!read(Path.of("docs", "operations.md")).contains("`" + expectedPath + "`")) {
            problems.add(where + ": " + expectedPath + " is not a health path of docs/operations.md");
        }
        return problems;
    }

    /**
     * Each {@code <SETTING>_FILE} names a secret setting and a file {@code <mountDir>/<secret>} of
     * a secret that is mounted there.
     */
    static List<String> secretFileProblems(String where, Map<String, ?> env, String mountDir, Set<String> mountedSecrets) {
        List<String> problems = new ArrayList<>();
        Set<String> secrets = secretEnvironmentNames();
        for (Map.Entry<String, ?> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith("_FILE")) {
                continue;
            }
            if (!secrets.contains(name.substring(0, name.length() - 5))) {
                problems.add(where + ": " + name + " is not the file of a secret setting");
            }
            String path = String.valueOf(e.getValue());
            if (!path.startsWith(mountDir + "/")) {
                problems.add(where + ": " + name + "=" + path + " is not under the secrets' folder " + mountDir);
            } else if (!mountedSecrets.contains(path.substring(mountDir.length() + 1))) {
                problems.add(where + ": " + name + "=" + path + " is no secret mounted there " + mountedSecrets);
            }
        }
        return problems;
    }
}
