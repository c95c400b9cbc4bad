package dev.taskapi.http;

import io.vertx.core.json.JsonObject;

/**
 * A request the service refuses or cannot serve: the HTTP status and a human explanation, rendered as
 * {@code application/problem+json} by the {@link ProblemHandler}. Features extend it with their own types.
 */
public class ProblemException extends RuntimeException {
    private final int status;

    public ProblemException(int status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    public ProblemException(int status, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Extension members of the problem document (RFC 9457 §3.2), beside title, status and detail. */
    public JsonObject extensions() {
        return new JsonObject();
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, detail);
    }
}
