package dev.taskapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
    assertTrue(c.accessLog());
  }

  @Test
  void environmentOverridesDefaults() {
    AppConfig c = AppConfig.from(Map.of("PORT", "9090", "HOST", "127.0.0.1", "MODELS_DIR", "/app/models",
        "MODELS_REQUIRED", "true", "INSTANCES", "3", "SHUTDOWN_TIMEOUT_MS", "2500", "ACCESS_LOG", "false"));
    assertEquals(9090, c.port());
    assertEquals("127.0.0.1", c.host());
    assertEquals(Path.of("/app/models"), c.modelsDir());
    assertTrue(c.modelsRequired());
    assertEquals(3, c.instances());
    assertEquals(Duration.ofMillis(2500), c.shutdownTimeout());
    assertFalse(c.accessLog());
  }

  @Test
  void invalidValuesAreRejectedNamingTheVariable() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> AppConfig.from(Map.of("PORT", "http")))
        .getMessage().startsWith("PORT"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> AppConfig.from(Map.of("PORT", "70000")))
        .getMessage().contains("PORT"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> AppConfig.from(Map.of("MODELS_REQUIRED", "maybe")))
        .getMessage().startsWith("MODELS_REQUIRED"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> AppConfig.from(Map.of("INSTANCES", "0")))
        .getMessage().contains("INSTANCES"));
  }
}
