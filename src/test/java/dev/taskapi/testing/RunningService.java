package dev.taskapi.testing;

import dev.taskapi.app.TaskApp;
import dev.taskapi.config.AppConfig;
import dev.taskapi.http.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;

/**
 * The service as tests use it: its own Vert.x (with metrics, as in production), started on a free loopback
 * port exactly as Main starts it, and a client pointed at it.
 */
public final class RunningService {
    public final Vertx vertx;
    public final TaskApp app;
    public final WebClient client;

    private RunningService(Vertx vertx, TaskApp app) {
        this.vertx = vertx;
        this.app = app;
        this.client = WebClient.create(
                vertx,
                new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.port()),
                new PoolOptions().setHttp1MaxSize(64));
    }

    public static Future<RunningService> start(AppConfig config) {
        Vertx vertx = Vertx.vertx(Metrics.vertxOptions());
        TaskApp app = new TaskApp(vertx, config);
        return app.start()
                .map(started -> new RunningService(vertx, started))
                .recover(e -> vertx.close().transform(ignored -> Future.failedFuture(e)));
    }

    public int port() {
        return app.port();
    }

    public Future<HttpResponse<Buffer>> get(String uri) {
        return client.get(uri).send();
    }

    public Future<HttpResponse<Buffer>> post(String uri, JsonObject body) {
        return client.post(uri).sendJsonObject(body);
    }

    public Future<HttpResponse<Buffer>> patch(String uri, JsonObject body) {
        return client.patch(uri).sendJsonObject(body);
    }

    /** The reason readiness check {@code id} gives for being DOWN; fails if readiness is UP or the check is not DOWN. */
    public String notReadyReason(String id) {
        HttpResponse<Buffer> ready = get("/health/ready").await();
        JsonObject check = ready.statusCode() != 503
                ? null
                : ready.bodyAsJsonObject().getJsonArray("checks").stream()
                        .map(JsonObject.class::cast)
                        .filter(c -> id.equals(c.getString("id")) && "DOWN".equals(c.getString("status")))
                        .findFirst()
                        .orElse(null);
        if (check == null) {
            throw new AssertionError(
                    "readiness check " + id + " should be DOWN: " + ready.statusCode() + " " + ready.bodyAsString());
        }
        return check.getJsonObject("data").getString("reason");
    }

    /** Waits, polling every 100 ms on the service's own timer, until readiness is UP; fails after {@code timeout}. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<Buffer> ready;
        do {
            ready = get("/health/ready").await();
            if (ready.statusCode() == 200) {
                return;
            }
            vertx.timer(100).await();
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not ready within " + timeout + ": " + ready.bodyAsString());
    }

    public Future<Void> stop() {
        client.close();
        return app.stop();
    }
}
