package org.payoutgateway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.payoutgateway.support.Gateway;

/**
 * Every setting of {@code config/application.properties} can be overridden by a JVM system
 * property of the same name or by an environment variable in Camel's convention. Proven on the
 * real main class in a JVM of its own: an override naming an account with no mapping stops the
 * start with a message naming the overriding value.
 */
class SettingsOverrideTest {

    @Test
    void environmentVariableOverridesTheConfigurationFile() throws Exception {
        String out = run(List.of(), Map.of("PAYOUT_PROVIDER_ACCOUNTS", "account-from-env"));
        assertThat(out).contains("payout.provider.account-from-env.mapping: unknown mapping 'account-from-env'");
    }

    @Test
    void systemPropertyOverridesTheConfigurationFile() throws Exception {
        String out = run(List.of("-Dpayout.provider.accounts=account-from-sysprop"), Map.of());
        assertThat(out).contains("payout.provider.account-from-sysprop.mapping: unknown mapping 'account-from-sysprop'");
    }

    @Test
    void environmentVariableWithDashesInTheKeyOverridesToo() throws Exception {
        // payout.provider.paypro-id.mapping -> PAYOUT_PROVIDER_PAYPRO_ID_MAPPING
        String out = run(List.of(), Map.of("PAYOUT_PROVIDER_PAYPRO_ID_MAPPING", "no-such-mapping"));
        assertThat(out).contains("payout.provider.paypro-id.mapping: unknown mapping 'no-such-mapping'");
    }

    private static String run(List<String> jvmArgs, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dcamel.server.port=" + Gateway.freePort());
        cmd.add("-Dpayout.datasource.url=jdbc:h2:mem:override;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        cmd.addAll(jvmArgs);
        cmd.add("org.payoutgateway.GatewayMain");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended).as("the gateway must stop when its configuration is wrong; output:%n%s", out).isTrue();
        assertThat(p.exitValue()).as("exit code").isNotZero();
        return out;
    }
}
