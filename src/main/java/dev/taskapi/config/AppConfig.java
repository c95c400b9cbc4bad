package dev.taskapi.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * The service's configuration, read once at startup from environment variables (README: "Configuration").
 * Every value has a default in code, so an empty environment runs the service. Every rule is checked here,
 * in the constructor, and a broken one names its variable.
 */
public record AppConfig(
    String host,
    int port,
    int instances,
    Path modelsDir,
    boolean modelsRequired,
    Duration modelsPollInterval,
    Duration shutdownDelay,
    Duration shutdownTimeout,
    int maxTasks,
    int memoryStoreHeapPercent,
    boolean accessLog,
    LogFormat logFormat,
    Level logLevel) {

  public AppConfig {
    require(!host.isBlank(), "HOST", "must not be empty");
    require(port >= 0 && port <= 65535, "PORT", "must be 0..65535, got " + port);
    require(instances >= 1 && instances <= 1024, "INSTANCES", "must be 1..1024, got " + instances);
    require(isPositive(modelsPollInterval), "MODELS_POLL_INTERVAL_MS",
        "must be positive, got " + modelsPollInterval.toMillis());
    require(!shutdownDelay.isNegative(), "SHUTDOWN_DELAY_MS", "must be 0 or more, got " + shutdownDelay.toMillis());
    require(!shutdownTimeout.isNegative(), "SHUTDOWN_TIMEOUT_MS",
        "must be 0 or more, got " + shutdownTimeout.toMillis());
    require(maxTasks >= 1, "MAX_TASKS", "must be at least 1, got " + maxTasks);
    require(memoryStoreHeapPercent >= 1 && memoryStoreHeapPercent <= 90, "MEMORY_STORE_HEAP_PERCENT",
        "must be 1..90, got " + memoryStoreHeapPercent);
  }

  public static AppConfig fromEnvironment() {
    return from(System.getenv());
  }

  public static AppConfig from(Map<String, String> env) {
    return new AppConfig(
        string(env, "HOST", "0.0.0.0"),
        parse(env, "PORT", 8080, Integer::parseInt),
        parse(env, "INSTANCES", Runtime.getRuntime().availableProcessors(), Integer::parseInt),
        Path.of(string(env, "MODELS_DIR", "models")),
        parse(env, "MODELS_REQUIRED", false, AppConfig::parseBoolean),
        parse(env, "MODELS_POLL_INTERVAL_MS", Duration.ofSeconds(2), AppConfig::parseMillis),
        parse(env, "SHUTDOWN_DELAY_MS", Duration.ZERO, AppConfig::parseMillis),
        parse(env, "SHUTDOWN_TIMEOUT_MS", Duration.ofSeconds(10), AppConfig::parseMillis),
        parse(env, "MAX_TASKS", 100_000, Integer::parseInt),
        parse(env, "MEMORY_STORE_HEAP_PERCENT", 40, Integer::parseInt),
        parse(env, "ACCESS_LOG", false, AppConfig::parseBoolean),
        parse(env, "LOG_FORMAT", LogFormat.TEXT, AppConfig::parseLogFormat),
        parse(env, "TASK_API_LOG_LEVEL", Level.INFO, AppConfig::parseLevel));
  }

  /** How many bytes of tasks the in-memory store may hold: its share of the JVM's maximum heap. */
  public long memoryStoreBudgetBytes() {
    return Runtime.getRuntime().maxMemory() / 100 * memoryStoreHeapPercent;
  }

  private static boolean isPositive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static void require(boolean rule, String variable, String message) {
    if (!rule) {
      throw new InvalidConfigException(variable + " " + message);
    }
  }

  private static String string(Map<String, String> env, String name, String fallback) {
    String value = env.get(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static <T> T parse(Map<String, String> env, String name, T fallback, Function<String, T> parser) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return parser.apply(value.trim());
    } catch (RuntimeException e) {
      throw new InvalidConfigException(name + ": cannot read '" + value + "' (" + e.getMessage() + ")");
    }
  }

  private static Duration parseMillis(String value) {
    return Duration.ofMillis(Long.parseLong(value));
  }

  private static boolean parseBoolean(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  private static LogFormat parseLogFormat(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "text" -> LogFormat.TEXT;
      case "json" -> LogFormat.JSON;
      default -> throw new IllegalArgumentException("expected text or json");
    };
  }

  private static Level parseLevel(String value) {
    try {
      return Level.parse(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected SEVERE, WARNING, INFO, CONFIG, FINE, FINER, FINEST, ALL or OFF");
    }
  }
}
