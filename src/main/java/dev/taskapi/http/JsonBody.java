package dev.taskapi.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;

/**
 * Guards routes that take a JSON body: the content type must be JSON (415), the body at most the limit
 * (413, enforced while reading), and {@link #object} parses it strictly (400 for anything but one object).
 */
public final class JsonBody implements Handler<RoutingContext> {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The largest body a route accepts; a larger one is refused with 413 while it is still arriving. */
    public static final int LIMIT_BYTES = 64 * 1024;

    private final BodyHandler bodyHandler = BodyHandler.create(false).setBodyLimit(LIMIT_BYTES);

    @Override
    public void handle(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (!isJson(contentType)) {
            ctx.fail(new ProblemException(
                    415,
                    "the request body must be application/json, got "
                            + (contentType == null ? "no Content-Type" : "'" + contentType + "'")));
            return;
        }
        bodyHandler.handle(ctx);
    }

    /** The body as one JSON object. */
    public static ObjectNode object(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw ProblemException.badRequest("the request body is empty; expected a JSON object");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest("the request body could not be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ProblemException.badRequest("the request body must be a JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
        }
        return (ObjectNode) node;
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim()
                .toLowerCase();
        return mediaType.equals("application/json")
                || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    }
}
