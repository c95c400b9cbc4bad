package dev.taskapi.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppConfigTest {
    @Test
    void emptyEnvironmentGivesTheDocumentedDefaults() {
        AppConfig c = AppConfig.from(Map.of());
        assertEquals("0.0.0.0", c.host());
        assertEquals(8080, c.port());
        assertEquals(Runtime.getRuntime().availableProcessors(), c.instances());
        assertEquals(Path.of("models"), c.modelsDir());
        assertFalse(c.modelsRequired());
        assertEquals(Duration.ofSeconds(2), c.modelsPollInterval());
        assertEquals(Duration.ZERO, c.shutdownDelay());
        assertEquals(Duration.ofSeconds(10), c.shutdownTimeout());
        assertEquals(100_000, c.maxTasks());
        assertEquals(40, c.memoryStoreHeapPercent());
        assertFalse(c.accessLog());
        assertEquals(LogFormat.TEXT, c.logFormat());
        assertEquals(Level.INFO, c.logLevel());
        assertTrue(c.docs().enabled());
        assertEquals(URI.create("https://cdn.jsdelivr.net/npm"), c.docs().assetsUrl());
    }

    @Test
    void environmentOverridesDefaults() {
        AppConfig c = AppConfig.from(Map.of(
                "PORT",
                "9090",
                "HOST",
                "127.0.0.1",
                "MODELS_DIR",
                "/app/models",
                "MODELS_REQUIRED",
                "true",
                "INSTANCES",
                "3",
                "SHUTDOWN_TIMEOUT_MS",
                "2500",
                "ACCESS_LOG",
                "true",
                "TASK_API_LOG_LEVEL",
                "fine",
                "MEMORY_STORE_HEAP_PERCENT",
                "25",
                "LOG_FORMAT",
                "json"));
        assertEquals(9090, c.port());
        assertEquals("127.0.0.1", c.host());
        assertEquals(Path.of("/app/models"), c.modelsDir());
        assertTrue(c.modelsRequired());
        assertEquals(3, c.instances());
        assertEquals(Duration.ofMillis(2500), c.shutdownTimeout());
        assertTrue(c.accessLog());
        assertEquals(Level.FINE, c.logLevel());
        assertEquals(LogFormat.JSON, c.logFormat());
        assertEquals(Runtime.getRuntime().maxMemory() / 100 * 25, c.memoryStoreBudgetBytes());
    }

    @ParameterizedTest(name = "DOCS_ASSETS_URL={0}")
    @CsvSource({
        "https://unpkg.com, https://unpkg.com",
        "https://cdn.jsdelivr.net/npm/, https://cdn.jsdelivr.net/npm",
        "HTTP://127.0.0.1:8081/npm//, HTTP://127.0.0.1:8081/npm",
        "http://[::1]:8081/assets, http://[::1]:8081/assets",
    })
    void docsAssetsUrlIsAnHttpBaseWithoutTrailingSlash(String value, String base) {
        AppConfig c = AppConfig.from(Map.of("DOCS_ASSETS_URL", value, "DOCS_ENABLED", "false"));
        assertEquals(URI.create(base), c.docs().assetsUrl());
        assertFalse(c.docs().enabled());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "PORT, http",
        "PORT, 70000",
        "PORT, -1",
        "INSTANCES, 0",
        "INSTANCES, many",
        "MODELS_REQUIRED, maybe",
        "MODELS_POLL_INTERVAL_MS, 0",
        "MODELS_POLL_INTERVAL_MS, -100",
        "SHUTDOWN_DELAY_MS, -5",
        "SHUTDOWN_DELAY_MS, 1s",
        "SHUTDOWN_TIMEOUT_MS, -1",
        "MAX_TASKS, 0",
        "MEMORY_STORE_HEAP_PERCENT, 0",
        "MEMORY_STORE_HEAP_PERCENT, 95",
        "ACCESS_LOG, sometimes",
        "TASK_API_LOG_LEVEL, LOUD",
        "LOG_FORMAT, xml",
        "DOCS_ENABLED, maybe",
        "DOCS_ASSETS_URL, cdn.jsdelivr.net/npm",
        "DOCS_ASSETS_URL, /npm",
        "DOCS_ASSETS_URL, ftp://mirror.example/npm",
        "DOCS_ASSETS_URL, https://",
        "DOCS_ASSETS_URL, http:///npm",
        "DOCS_ASSETS_URL, https://mirror example/npm",
        "DOCS_ASSETS_URL, https://user:secret@mirror.example/npm",
        "DOCS_ASSETS_URL, https://mirror.example/npm?v=1",
        "DOCS_ASSETS_URL, https://mirror.example/npm#top",
    })
    void invalidValueIsRejectedNamingTheVariable(String variable, String value) {
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> AppConfig.from(Map.of(variable, value)));
        assertTrue(
                e.getMessage().startsWith(variable + " ") || e.getMessage().startsWith(variable + ":"), e.getMessage());
    }
}
