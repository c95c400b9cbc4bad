package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskapi.AppConfig;
import dev.taskapi.testing.RunningService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAPI document and the router describe the same operations, no more and no fewer. */
@ExtendWith(VertxExtension.class)
class OpenApiTest {
  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "patch", "delete", "head", "options");
  @TempDir Path models;

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted(Vertx vertx, VertxTestContext ctx) {
    RunningService.start(AppConfig.forTests(models)).onComplete(ctx.succeeding(service -> {
      ctx.verify(() -> {
        Set<String> routed = new TreeSet<>();
        for (Route route : TaskRoutes.create(vertx, service.app.deps()).getRoutes()) {
          if (route.getPath() == null || route.methods() == null) {
            continue;
          }
          for (HttpMethod method : route.methods()) {
            routed.add(method.name() + " " + route.getPath().replaceAll(":([a-z]+)", "{$1}"));
          }
        }
        Set<String> documented = new TreeSet<>();
        JsonObject paths = new JsonObject(OpenApi.document()).getJsonObject("paths");
        for (String path : paths.fieldNames()) {
          for (String key : paths.getJsonObject(path).fieldNames()) {
            if (HTTP_METHODS.contains(key)) {
              documented.add(key.toUpperCase() + " " + path);
            }
          }
        }
        assertEquals(documented, routed);
      });
      service.stop().onComplete(ctx.succeedingThenComplete());
    }));
  }

  @Test
  void documentIsServedAsOpenApi3(VertxTestContext ctx) {
    RunningService.start(AppConfig.forTests(models)).onComplete(ctx.succeeding(service ->
        service.get("/openapi.json").onComplete(ctx.succeeding(r -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode());
            assertEquals("3.0.3", r.bodyAsJsonObject().getString("openapi"));
          });
          service.stop().onComplete(ctx.succeedingThenComplete());
        }))));
  }
}
