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

    public Future<Void> stop() {
        client.close();
        return app.stop();
    }
}
