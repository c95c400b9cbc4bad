package dev.taskapi.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the OpenAPI document bundled at {@code /openapi.json}; a test keeps it and the routes in step. */
public final class OpenApi {
    public static final String RESOURCE = "/openapi.json";

    private OpenApi() {}

    public static Buffer document() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Handler<RoutingContext> handler() {
        Buffer document = document();
        return ctx ->
                ctx.response().putHeader("Content-Type", "application/json").end(document);
    }
}
