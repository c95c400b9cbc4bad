package dev.taskapi.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskapi.task.InvalidTaskException.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules for a task's fields, applied to a parsed JSON object. Unknown fields are ignored; every
 * broken rule is reported, not just the first.
 */
public final class TaskValidator {
    public static final int TITLE_MAX = 200;
    public static final int DESCRIPTION_MAX = 2000;
    public static final int PRIORITY_MIN = 1;
    public static final int PRIORITY_MAX = 5;

    private TaskValidator() {}

    public static NewTask newTask(ObjectNode body) {
        List<Violation> violations = new ArrayList<>();
        String title = body.has("title") ? title(body.get("title"), violations) : missingTitle(violations);
        String description = description(body.get("description"), violations);
        Integer priority = body.has("priority")
                ? priority(body.get("priority"), violations)
                : Integer.valueOf(NewTask.DEFAULT_PRIORITY);
        if (!violations.isEmpty()) {
            throw new InvalidTaskException(violations);
        }
        return new NewTask(title, description, priority);
    }

    public static TaskPatch patch(ObjectNode body) {
        List<Violation> violations = new ArrayList<>();
        String title = body.has("title") ? title(body.get("title"), violations) : null;
        boolean descriptionSet = body.has("description");
        String description = description(body.get("description"), violations);
        Integer priority = body.has("priority") ? priority(body.get("priority"), violations) : null;
        Boolean completed = body.has("completed") ? completed(body.get("completed"), violations) : null;
        if (!violations.isEmpty()) {
            throw new InvalidTaskException(violations);
        }
        return new TaskPatch(title, descriptionSet, description, priority, completed);
    }

    private static String missingTitle(List<Violation> violations) {
        violations.add(new Violation("title", "is required"));
        return null;
    }

    private static String title(JsonNode node, List<Violation> violations) {
        if (!node.isTextual()) {
            violations.add(new Violation("title", "must be a string, got " + kind(node)));
            return null;
        }
        String title = node.textValue().strip();
        if (title.isEmpty()) {
            violations.add(new Violation("title", "must not be empty or blank"));
        } else if (title.codePointCount(0, title.length()) > TITLE_MAX) {
            violations.add(new Violation(
                    "title",
                    "must be at most " + TITLE_MAX + " characters, got " + title.codePointCount(0, title.length())));
        } else {
            storableTextProblem(title).ifPresent(problem -> violations.add(new Violation("title", problem)));
        }
        return title;
    }

    private static String description(JsonNode node, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            violations.add(new Violation("description", "must be a string or null, got " + kind(node)));
            return null;
        }
        String description = node.textValue();
        int length = description.codePointCount(0, description.length());
        if (length > DESCRIPTION_MAX) {
            violations.add(
                    new Violation("description", "must be at most " + DESCRIPTION_MAX + " characters, got " + length));
        } else {
            storableTextProblem(description)
                    .ifPresent(problem -> violations.add(new Violation("description", problem)));
        }
        return description;
    }

    private static Integer priority(JsonNode node, List<Violation> violations) {
        String rule = "must be an integer from " + PRIORITY_MIN + " to " + PRIORITY_MAX;
        if (!node.isIntegralNumber()) {
            violations.add(new Violation("priority", rule + ", got " + kind(node)));
            return null;
        }
        if (!node.canConvertToInt() || node.intValue() < PRIORITY_MIN || node.intValue() > PRIORITY_MAX) {
            violations.add(new Violation("priority", rule + ", got " + abbreviate(node.asText())));
            return null;
        }
        return node.intValue();
    }

    private static Boolean completed(JsonNode node, List<Violation> violations) {
        if (!node.isBoolean()) {
            violations.add(new Violation("completed", "must be true or false, got " + kind(node)));
            return null;
        }
        return node.booleanValue();
    }

    /**
     * Text every store keeps as it was given: valid Unicode (JSON escapes can carry an unpaired surrogate, which
     * UTF-8 cannot encode) without U+0000 (PostgreSQL's text type cannot hold it).
     */
    private static Optional<String> storableTextProblem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return Optional.of("must not contain the NUL character (U+0000)");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("must be valid Unicode text, got an unpaired surrogate (U+"
                        + Integer.toHexString(c).toUpperCase() + ")");
            }
        }
        return Optional.empty();
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal number";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    /** The text itself if short, else its start: enough to recognise a value in a message without echoing it all. */
    public static String abbreviate(String text) {
        return text.length() <= 24 ? text : text.substring(0, 20) + "...";
    }
}
