package dev.taskapi.task;

import java.util.List;
import java.util.stream.Collectors;

/** A task broke one or more rules; each violation names its field. The message lists them all. */
public final class InvalidTaskException extends TaskException {
    private final List<Violation> violations;

    public InvalidTaskException(List<Violation> violations) {
        super(violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; ")), null);
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }

    public record Violation(String field, String message) {}
}
