package dev.taskapi.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.config.AppConfig;
import dev.taskapi.docs.DocsAssets;
import dev.taskapi.health.Lifecycle;
import dev.taskapi.http.OpenApi;
import dev.taskapi.models.ModelRegistry;
import dev.taskapi.models.ModelScanner;
import dev.taskapi.task.InMemoryTaskStore;
import dev.taskapi.testing.RunningService;
import dev.taskapi.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document and the router describe the same operations, no more and no fewer, but for the API docs
 * pages: pages for people over the document, left out of it as FastAPI leaves out its own.
 */
@ExtendWith(VertxExtension.class)
class OpenApiTest {
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "patch", "delete", "head", "options");
    private static final Set<String> DOCS_PAGES = Set.of("GET /docs", "GET /docs/swagger-init.js", "GET /redoc");

    @TempDir
    Path models;

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted(Vertx vertx) {
        Routes.Deps deps = new Routes.Deps(
                new InMemoryTaskStore(10, 1 << 20),
                new ModelRegistry(vertx, new ModelScanner(models, false), Duration.ofSeconds(1)),
                new Lifecycle(),
                null,
                DocsAssets.at(URI.create(AppConfig.Docs.DEFAULT_ASSETS_URL)));
        Set<String> routed = new TreeSet<>();
        for (Route route : Routes.create(vertx, deps).getRoutes()) {
            if (route.getPath() != null && route.methods() != null) {
                for (HttpMethod method : route.methods()) {
                    routed.add(method.name() + " " + route.getPath().replaceAll(":([a-z]+)", "{$1}"));
                }
            }
        }
        assertTrue(routed.containsAll(DOCS_PAGES), routed.toString());
        routed.removeAll(DOCS_PAGES);
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
    }

    @Test
    void documentIsServedAsOpenApi3() {
        RunningService service = RunningService.start(TestConfig.of(models)).await();
        try {
            var response = service.get("/openapi.json").await();
            assertEquals(200, response.statusCode());
            assertEquals("3.0.3", response.bodyAsJsonObject().getString("openapi"));
        } finally {
            service.stop().await();
        }
    }
}
