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
 * environment variable the compose file gives the gateway is a real setting, and the Dockerfile
 * copies the jar the build makes and runs it as a non-root user.
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
            if (!envNames.contains(name)) {
                unknown.add(name);
            }
        }
        assertThat(unknown).as("compose variables that are no setting of config/application.properties").isEmpty();
        // no variable ending in _PORT: Camel ignores those
        assertThat(env.keySet()).noneMatch(n -> n.endsWith("_PORT"));
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
