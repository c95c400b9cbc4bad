package dev.taskapi.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

public final class ModelHandlers {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ModelRegistry registry;

    public ModelHandlers(ModelRegistry registry) {
        this.registry = registry;
    }

    public void listModels(RoutingContext ctx) {
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(registry.snapshot().models());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the model list", e);
        }
        ctx.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(body));
    }
}
