package dev.taskapi.testing;

import dev.taskapi.config.AppConfig;
import dev.taskapi.testing.TestConfig;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A fresh service on a free port before each test, stopped after it; {@link #environment} adjusts its config. */
@ExtendWith(VertxExtension.class)
public abstract class ServiceTest {
  @TempDir protected Path models;
  protected RunningService service;

  protected Map<String, String> environment() {
    return Map.of();
  }

  @BeforeEach
  void startService(VertxTestContext ctx) {
    RunningService.start(TestConfig.of(models, environment())).onComplete(ctx.succeeding(s -> {
      service = s;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stopService(VertxTestContext ctx) {
    service.stop().onComplete(ctx.succeedingThenComplete());
  }
}
