package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.health.Lifecycle;
import dev.taskapi.model.ModelRegistry;
import dev.taskapi.model.ModelScanner;
import dev.taskapi.task.InMemoryTaskStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class AccessLogTest {
  @TempDir Path models;

  @Test
  void writesOneCommonLogFormatLinePerRequest(Vertx vertx, VertxTestContext ctx) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AccessLog log = new AccessLog(out);
    TaskRoutes.Deps deps = new TaskRoutes.Deps(new InMemoryTaskStore(10),
        new ModelRegistry(vertx, new ModelScanner(models, false), Duration.ofSeconds(1)), new Lifecycle(), log);
    HttpServer server = vertx.createHttpServer().requestHandler(TaskRoutes.create(vertx, deps));
    server.listen(0, "127.0.0.1")
        .compose(s -> WebClient.create(vertx).get(s.actualPort(), "127.0.0.1", "/tasks/task_7?x=1").send())
        .onComplete(ctx.succeeding(r -> {
          log.close();
          String text = out.toString(StandardCharsets.UTF_8);
          ctx.verify(() -> assertTrue(text.matches(
              "127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] \"GET /tasks/task_7\\?x=1 HTTP/1\\.1\" 404 \\d+ \\d+\\.\\d{3}ms\n"),
              text));
          ctx.completeNow();
        }));
    ctx.awaitCompletion(10, TimeUnit.SECONDS);
  }
}
