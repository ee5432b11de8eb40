package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * No Docker engine runs on the build machines, so the container files are checked here: every
 * environment variable the compose file gives the gateway is a real setting, secrets are compose
 * secrets read from files and never environment values, and the Dockerfile copies the jar the build
 * makes and runs it as a non-root user.
 */
class ContainerFilesTest {

    @Test
    void everyEnvironmentVariableOfTheComposeFileIsARealSetting() throws Exception {
        Properties settings = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("config", "application.properties"))) {
            settings.load(r);
        }
        Set<String> envNames = settings.stringPropertyNames().stream()
                .map(k -> k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')).collect(Collectors.toSet());

        Map<String, Object> compose;
        try (Reader r = Files.newBufferedReader(Path.of("docker", "docker-compose.yml"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> loaded = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromReader(r);
            compose = loaded;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> gateway = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("gateway");
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) gateway.get("environment");
        assertThat(env).isNotEmpty();
        List<String> unknown = new ArrayList<>();
        for (String name : env.keySet()) {
            // <SETTING>_FILE: the setting read from that file
            if (!envNames.contains(name) && !(name.endsWith("_FILE") && envNames.contains(name.substring(0, name.length() - 5)))) {
                unknown.add(name);
            }
        }
        assertThat(unknown).as("compose variables that are no setting of config/application.properties").isEmpty();
        // no variable ending in _PORT: Camel ignores those
        assertThat(env.keySet()).noneMatch(n -> n.endsWith("_PORT"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void secretsAreComposeSecretFiles_neverEnvironmentValues() throws Exception {
        Map<String, Object> compose;
        try (Reader r = Files.newBufferedReader(Path.of("docker", "docker-compose.yml"))) {
            compose = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromReader(r);
        }
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        Map<String, Object> secrets = (Map<String, Object>) compose.get("secrets");
        assertThat(secrets).as("top-level secrets").isNotEmpty();
        // every secret is a file that is there, next to the compose file
        secrets.forEach((name, definition) -> {
            Object file = ((Map<String, Object>) definition).get("file");
            assertThat(file).as("secret " + name + " is a file").isInstanceOf(String.class);
            assertThat(Path.of("docker").resolve((String) file)).as("file of secret " + name).isRegularFile();
        });
        Properties settings = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("config", "application.properties"))) {
            settings.load(r);
        }
        List<String> accounts = List.of(settings.getProperty("payout.provider.accounts").split(","));
        Set<String> secretNames = ConfigValidator.SECRET_SETTINGS.stream()
                .flatMap(k -> k.contains("<account>") ? accounts.stream().map(a -> k.replace("<account>", a.strip())) : java.util.stream.Stream.of(k))
                .map(org.payoutgateway.config.Settings::environmentName).collect(Collectors.toSet());

        Map<String, Object> gateway = (Map<String, Object>) services.get("gateway");
        Map<String, Object> env = (Map<String, Object>) gateway.get("environment");
        List<String> mounted = (List<String>) gateway.get("secrets");
        assertThat(env.keySet()).as("secrets given as environment values").noneMatch(secretNames::contains);
        int files = 0;
        for (Map.Entry<String, Object> e : env.entrySet()) {
            if (!e.getKey().endsWith("_FILE")) {
                continue;
            }
            files++;
            assertThat(secretNames).as(e.getKey() + " is a secret setting's file").contains(e.getKey().substring(0, e.getKey().length() - 5));
            String path = String.valueOf(e.getValue());
            assertThat(path).as(e.getKey()).startsWith("/run/secrets/");
            String secret = path.substring("/run/secrets/".length());
            assertThat(mounted).as("secrets of the gateway service").contains(secret);
            assertThat(secrets).as("top-level secrets").containsKey(secret);
        }
        assertThat(files).as("secret settings read from files").isGreaterThanOrEqualTo(3);
        // the database's own password too
        Map<String, Object> postgres = (Map<String, Object>) services.get("postgres");
        Map<String, Object> pgEnv = (Map<String, Object>) postgres.get("environment");
        assertThat(pgEnv).doesNotContainKey("POSTGRES_PASSWORD").containsKey("POSTGRES_PASSWORD_FILE");
        assertThat((List<String>) postgres.get("secrets")).contains(String.valueOf(pgEnv.get("POSTGRES_PASSWORD_FILE"))
                .substring("/run/secrets/".length()));
        // and no service gets a value that looks like a secret
        services.forEach((name, service) -> {
            Object e = ((Map<String, Object>) service).get("environment");
            if (e instanceof Map<?, ?> m) {
                m.keySet().forEach(k -> assertThat(String.valueOf(k)).as("service " + name)
                        .matches(n -> !n.matches(".*(PASSWORD|SECRET|TOKEN|KEYS?|AUTHORIZATION)") , "no secret as a value"));
            }
        });
        // nor does the image
        assertThat(Files.readString(Path.of("docker", "Dockerfile")))
                .doesNotContainPattern("(?m)^\\s*(ENV|ARG)\\s+\\S*(PASSWORD|SECRET|TOKEN|KEY|AUTHORIZATION)");
    }

    @Test
    void theDockerfileRunsTheBuiltJarAsANonRootUser() throws Exception {
        String dockerfile = Files.readString(Path.of("docker", "Dockerfile"));
        String finalName = Files.readString(Path.of("pom.xml")).replaceAll("(?s).*<finalName>([^<]+)</finalName>.*", "$1");
        assertThat(dockerfile).contains("/src/target/" + finalName + ".jar");
        assertThat(dockerfile).containsPattern("(?m)^USER (?!root)\\w+");
        assertThat(dockerfile).containsPattern("(?m)^HEALTHCHECK ");
        // the health check asks the liveness endpoint on the management port the gateway serves it on
        java.util.Properties settings = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(Path.of("config/application.properties"))) {
            settings.load(r);
        }
        String managementPort = settings.getProperty("camel.management.port");
        assertThat(dockerfile).contains("/dev/tcp/127.0.0.1/" + managementPort).contains("GET /observe/health/live ")
                .containsPattern("(?m)^EXPOSE .*\\b" + managementPort + "\\b");
        assertThat(dockerfile).contains("COPY config ").contains("COPY routes ");
    }

    @Test
    void theDockerfileStartsWithTheClassDataSharingArchiveItMakes() throws Exception {
        String dockerfile = Files.readString(Path.of("docker", "Dockerfile"));
        java.util.regex.Matcher made = java.util.regex.Pattern.compile("-XX:ArchiveClassesAtExit=(\\S+)").matcher(dockerfile);
        assertThat(made.find()).as("the image makes an archive").isTrue();
        String entrypoint = dockerfile.lines().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
        assertThat(entrypoint).contains("\"-XX:SharedArchiveFile=" + made.group(1) + "\"");
    }
}
