package dev.taskapi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * The service's configuration, read once at startup from environment variables (README: "Configuration").
 * Every value has a default in code, so an empty environment runs the service.
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
    boolean accessLog) {

  public static final int BODY_LIMIT_BYTES = 64 * 1024;

  public AppConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("PORT must be 0..65535, got " + port);
    }
    if (instances < 1) {
      throw new IllegalArgumentException("INSTANCES must be at least 1, got " + instances);
    }
    if (maxTasks < 1) {
      throw new IllegalArgumentException("MAX_TASKS must be at least 1, got " + maxTasks);
    }
    if (modelsPollInterval.isNegative() || modelsPollInterval.isZero()) {
      throw new IllegalArgumentException("MODELS_POLL_INTERVAL_MS must be positive");
    }
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
        Duration.ofMillis(parse(env, "MODELS_POLL_INTERVAL_MS", 2000L, Long::parseLong)),
        Duration.ofMillis(parse(env, "SHUTDOWN_DELAY_MS", 0L, Long::parseLong)),
        Duration.ofMillis(parse(env, "SHUTDOWN_TIMEOUT_MS", 10_000L, Long::parseLong)),
        parse(env, "MAX_TASKS", 100_000, Integer::parseInt),
        parse(env, "ACCESS_LOG", true, AppConfig::parseBoolean));
  }

  /**
   * For tests: loopback, a free port, one instance, no access log, fast model polling; {@code overrides}
   * are environment variables on top.
   */
  public static AppConfig forTests(Path modelsDir, Map<String, String> overrides) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "HOST", "127.0.0.1", "PORT", "0", "INSTANCES", "1", "MODELS_DIR", modelsDir.toString(),
        "MODELS_POLL_INTERVAL_MS", "100", "SHUTDOWN_TIMEOUT_MS", "5000", "ACCESS_LOG", "false"));
    env.putAll(overrides);
    return from(env);
  }

  public static AppConfig forTests(Path modelsDir) {
    return forTests(modelsDir, Map.of());
  }

  public AppConfig withPort(int newPort) {
    return new AppConfig(host, newPort, instances, modelsDir, modelsRequired, modelsPollInterval,
        shutdownDelay, shutdownTimeout, maxTasks, accessLog);
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
      throw new IllegalArgumentException(name + ": cannot read '" + value + "' (" + e.getMessage() + ")", e);
    }
  }

  private static boolean parseBoolean(String value) {
    return switch (value.toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }
}
