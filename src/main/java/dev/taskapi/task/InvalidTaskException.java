package dev.taskapi.task;

import java.util.List;

/** A task body broke one or more rules; each violation names its field. */
public final class InvalidTaskException extends RuntimeException {
  private final List<Violation> violations;

  public InvalidTaskException(List<Violation> violations) {
    super(summary(violations));
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }

  private static String summary(List<Violation> violations) {
    StringBuilder sb = new StringBuilder();
    for (Violation v : violations) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(v.field()).append(": ").append(v.message());
    }
    return sb.toString();
  }

  public record Violation(String field, String message) {}
}
