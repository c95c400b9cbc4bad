package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.testing.TestConfig;
import dev.taskapi.testing.RunningService;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class MetricsTest {
  @TempDir Path models;

  @Test
  void metricsExposeHttpServerRequestsByRouteInPrometheusFormat(VertxTestContext ctx) {
    RunningService.start(TestConfig.of(models)).onComplete(ctx.succeeding(service ->
        service.get("/tasks/task_1")
            .compose(r -> service.get("/metrics"))
            .onComplete(ctx.succeeding(r -> {
              ctx.verify(() -> {
                assertEquals(200, r.statusCode());
                assertTrue(r.getHeader("Content-Type").startsWith("text/plain"), r.getHeader("Content-Type"));
                String text = r.bodyAsString();
                assertTrue(text.contains("# TYPE vertx_http_server_requests_total counter"), text);
                assertTrue(text.lines().anyMatch(l -> l.startsWith("vertx_http_server_requests_total")
                    && l.contains("route=\"/tasks/:id\"") && l.contains("code=\"404\"")), text);
                assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are exposed");
              });
              service.stop().onComplete(ctx.succeedingThenComplete());
            }))));
  }
}
