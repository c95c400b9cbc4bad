package dev.taskapi.task;

import dev.taskapi.http.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Collectors;

/** A task body broke one or more rules (422); each violation names its field, in {@code errors[]}. */
public final class InvalidTaskException extends ProblemException {
  private final List<Violation> violations;

  public InvalidTaskException(List<Violation> violations) {
    super(422, violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }

  @Override
  public JsonObject extensions() {
    JsonArray errors = new JsonArray();
    violations.forEach(v -> errors.add(new JsonObject().put("field", v.field()).put("detail", v.message())));
    return new JsonObject().put("errors", errors);
  }

  public record Violation(String field, String message) {}
}
