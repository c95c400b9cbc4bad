package dev.taskapi.http;

import dev.taskapi.task.InvalidTaskException;
import dev.taskapi.task.StoreFullException;
import dev.taskapi.task.StoreUnavailableException;
import dev.taskapi.task.TaskNotFoundException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
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

    /**
     * What clients are told of the domain's failures, one row per kind: the status (its reason phrase is the
     * title), the detail and any extension members. The first row whose type the failure is an instance of wins.
     */
    static final List<DomainProblem<?>> DOMAIN_PROBLEMS = List.of(
            // The original FastAPI app's detail, which its clients match on.
            DomainProblem.of(TaskNotFoundException.class, 404, e -> "Task not found"),
            DomainProblem.of(InvalidTaskException.class, 422, Throwable::getMessage, ProblemHandler::fieldErrors),
            DomainProblem.of(StoreFullException.class, 507, Throwable::getMessage),
            DomainProblem.of(StoreUnavailableException.class, 503, Throwable::getMessage));

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
        JsonObject domain = domainProblem(failure);
        if (domain != null) {
            return domain;
        }
        int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
        return switch (status) {
            case 400 -> problem(400, "the request could not be read");
            case 404 -> problem(404, "no resource at " + ctx.request().path());
            case 405 ->
                problem(
                        405,
                        ctx.request().method() + " is not supported on "
                                + ctx.request().path());
            case 413 -> problem(413, "the request body is larger than " + JsonBody.LIMIT_BYTES / 1024 + " KiB");
            case 415 -> problem(415, "the request body must be application/json");
            default -> otherStatus(ctx, status, failure);
        };
    }

    /** The problem document of a domain failure, from its row of {@link #DOMAIN_PROBLEMS}; null if it has none. */
    public static JsonObject domainProblem(Throwable failure) {
        for (DomainProblem<?> row : DOMAIN_PROBLEMS) {
            if (row.type().isInstance(failure)) {
                return row.render(failure);
            }
        }
        return null;
    }

    /** RFC 9457 §3.2 extension member: each broken rule by field, {@code errors: [{field, detail}]}. */
    private static JsonObject fieldErrors(InvalidTaskException invalid) {
        JsonArray errors = new JsonArray();
        invalid.violations()
                .forEach(
                        v -> errors.add(new JsonObject().put("field", v.field()).put("detail", v.message())));
        return new JsonObject().put("errors", errors);
    }

    /** A status the router set (a 4xx keeps its reason phrase) or an unexpected failure (logged, 500). */
    private static JsonObject otherStatus(RoutingContext ctx, int status, Throwable failure) {
        if (status >= 400 && status < 500) {
            return problem(status, HttpResponseStatus.valueOf(status).reasonPhrase());
        }
        LOG.log(
                Level.SEVERE,
                "request " + ctx.request().method() + " " + ctx.request().path() + " failed",
                failure);
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

    /** One row of the domain table: failures of {@code type} become {@code status} with this detail and members. */
    record DomainProblem<T extends Throwable>(
            Class<T> type, int status, Function<T, String> detail, Function<T, JsonObject> extensions) {

        static <T extends Throwable> DomainProblem<T> of(Class<T> type, int status, Function<T, String> detail) {
            return new DomainProblem<>(type, status, detail, failure -> new JsonObject());
        }

        static <T extends Throwable> DomainProblem<T> of(
                Class<T> type, int status, Function<T, String> detail, Function<T, JsonObject> extensions) {
            return new DomainProblem<>(type, status, detail, extensions);
        }

        JsonObject render(Throwable failure) {
            T typed = type.cast(failure);
            return problem(status, detail.apply(typed)).mergeIn(extensions.apply(typed));
        }
    }
}
