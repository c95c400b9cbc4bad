package dev.taskapi.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where failures become responses: every error is {@code application/problem+json}
 * (RFC 9457) with {@code title}, {@code status} and a human {@code detail}. Only server faults are logged
 * with a stack trace; client errors are the access log's business.
 */
public final class ProblemHandler implements Handler<RoutingContext> {
  public static final String PROBLEM_JSON = "application/problem+json";
  private static final Logger LOG = Logger.getLogger(ProblemHandler.class.getName());

  private final Router router;

  public ProblemHandler(Router router) {
    this.router = router;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    JsonObject problem = problemFor(ctx);
    if (problem.getInteger("status") == 405) {
      response.putHeader("Allow", allowedMethods(ctx));
    }
    response.setStatusCode(problem.getInteger("status"))
        .putHeader("Content-Type", PROBLEM_JSON)
        .end(problem.toBuffer());
  }

  private static JsonObject problemFor(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ProblemException p) {
      return problem(p.status(), p.getMessage()).mergeIn(p.extensions());
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    return switch (status) {
      case 400 -> problem(400, "the request could not be read");
      case 404 -> problem(404, "no resource at " + ctx.request().path());
      case 405 -> problem(405, ctx.request().method() + " is not supported on " + ctx.request().path());
      case 413 -> problem(413, "the request body is larger than " + JsonBody.LIMIT_BYTES / 1024 + " KiB");
      case 415 -> problem(415, "the request body must be application/json");
      default -> otherStatus(ctx, status, failure);
    };
  }

  /** A status the router set (a 4xx keeps its reason phrase) or an unexpected failure (logged, 500). */
  private static JsonObject otherStatus(RoutingContext ctx, int status, Throwable failure) {
    if (status >= 400 && status < 500) {
      return problem(status, HttpResponseStatus.valueOf(status).reasonPhrase());
    }
    LOG.log(Level.SEVERE, "request " + ctx.request().method() + " " + ctx.request().path() + " failed", failure);
    int code = status >= 500 ? status : 500;
    return problem(code, "the server failed to handle this request; the failure is in its log");
  }

  /** RFC 9110 wants a 405 to say which methods the resource does support. */
  private String allowedMethods(RoutingContext ctx) {
    Set<String> allowed = new TreeSet<>();
    String path = ctx.request().path();
    for (Route route : router.getRoutes()) {
      String pattern = route.getPath();
      if (pattern != null && route.methods() != null && path.matches(pattern.replaceAll(":[A-Za-z]+", "[^/]+"))) {
        route.methods().forEach(m -> allowed.add(m.name()));
      }
    }
    return String.join(", ", allowed);
  }

  static JsonObject problem(int status, String detail) {
    return new JsonObject()
        .put("title", HttpResponseStatus.valueOf(status).reasonPhrase())
        .put("status", status)
        .put("detail", detail);
  }
}
