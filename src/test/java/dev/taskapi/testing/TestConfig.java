package dev.taskapi.testing;

import dev.taskapi.config.AppConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The service's configuration for tests: loopback, any free port, one event loop, fast model polling. */
public final class TestConfig {
    private TestConfig() {}

    public static AppConfig of(Path modelsDir, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of(
                "HOST",
                "127.0.0.1",
                "PORT",
                "0",
                "INSTANCES",
                "1",
                "MODELS_DIR",
                modelsDir.toString(),
                "MODELS_POLL_INTERVAL_MS",
                "100",
                "SHUTDOWN_TIMEOUT_MS",
                "5000",
                "ACCESS_LOG",
                "false"));
        env.putAll(overrides);
        return AppConfig.from(env);
    }

    public static AppConfig of(Path modelsDir) {
        return of(modelsDir, Map.of());
    }
}
