package org.payoutgateway;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/**
 * Starts the payout gateway: Camel Main with the settings of {@code config/application.properties}
 * (another folder with {@code -Dpayout.config-dir=…} or {@code PAYOUT_CONFIG_DIR}) and the routes
 * of {@code routes/*.yaml}.
 */
public final class GatewayMain {

    private GatewayMain() {
    }

    /** Runs the gateway; {@code validate [config-dir] [routes-dir]} checks routes and settings offline instead. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("validate")) {
            System.exit(org.payoutgateway.ops.ConfigValidator.run(args, System.out));
        }
        try {
            create(new Properties()).run(args);
        } catch (Exception e) {
            // through the logger, so a start that fails is one log event (a JSON line with JSON logs)
            LoggerFactory.getLogger(GatewayMain.class).error("The gateway did not start: {}", e.getMessage(), e);
            System.exit(1);
        }
    }

    /**
     * The application as production runs it, with settings that override the configuration file
     * (tests use this to point the gateway at their own stand-in providers and folders).
     */
    public static Main create(Properties overrides) {
        Main main = new Main();
        // absolute: live changes reload the settings by this location, whatever the working folder
        String configDir = Path.of(overrides.getProperty("payout.config-dir", System.getProperty("payout.config-dir",
                System.getenv().getOrDefault("PAYOUT_CONFIG_DIR", "config")))).toAbsolutePath().normalize().toString();
        main.setPropertyPlaceholderLocations("file:" + configDir + "/application.properties");
        Properties settings = new Properties();
        settings.putAll(overrides);
        // where the settings file is, for the live changes watcher
        settings.setProperty("payout.config-dir", configDir);
        main.setOverrideProperties(settings);
        main.configure().addConfiguration(new GatewayConfiguration());
        return main;
    }
}
