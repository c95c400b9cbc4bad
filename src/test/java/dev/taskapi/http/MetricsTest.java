package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
  @TempDir Path models;

  @Test
  void metricsExposeHttpServerRequestsByRouteInPrometheusFormat() {
    RunningService service = RunningService.start(TestConfig.of(models)).await();
    try {
      service.get("/tasks/task_1").await();
      var r = service.get("/metrics").await();

      assertEquals(200, r.statusCode());
      assertTrue(r.getHeader("Content-Type").startsWith("text/plain"), r.getHeader("Content-Type"));
      String text = r.bodyAsString();
      assertTrue(text.contains("# TYPE vertx_http_server_requests_total counter"), text);
      assertTrue(text.lines().anyMatch(l -> l.startsWith("vertx_http_server_requests_total")
          && l.contains("route=\"/tasks/:id\"") && l.contains("code=\"404\"")), text);
      assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics are exposed");

      var protobufAsked = service.client.get("/metrics")
          .putHeader("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
          .send().await();
      assertEquals(200, protobufAsked.statusCode(), "a scraper that prefers protobuf gets text: " + protobufAsked.bodyAsString());
      assertTrue(protobufAsked.bodyAsString().contains("vertx_http_server_requests_total"));
    } finally {
      service.stop().await();
    }
  }
}
