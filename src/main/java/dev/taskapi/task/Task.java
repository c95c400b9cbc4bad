package dev.taskapi.task;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;

/**
 * An immutable task. Its JSON form is rendered once, when the task is created or changed, so that reads
 * (the hot path) only copy bytes.
 */
@JsonPropertyOrder({"id", "title", "description", "priority", "created_at", "completed"})
public final class Task {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Object headers, references, three String objects and their arrays, the JSON buffer's wrappers, a map entry. */
    private static final long OVERHEAD_BYTES = 400;

    private final long number;
    private final String title;
    private final String description;
    private final int priority;
    private final String createdAt;
    private final boolean completed;
    private final Buffer json;

    public Task(long number, String title, String description, int priority, String createdAt, boolean completed) {
        this.number = number;
        this.title = title;
        this.description = description;
        this.priority = priority;
        this.createdAt = createdAt;
        this.completed = completed;
        try {
            this.json = Buffer.buffer(MAPPER.writeValueAsBytes(this));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render task " + number, e);
        }
    }

    Task with(TaskPatch patch) {
        return new Task(
                number,
                patch.title() != null ? patch.title() : title,
                patch.descriptionSet() ? patch.description() : description,
                patch.priority() != null ? patch.priority() : priority,
                createdAt,
                patch.completed() != null ? patch.completed() : completed);
    }

    /**
     * About how many bytes of heap this task holds (its fields, its JSON, a map entry): an upper estimate, for
     * the in-memory store's budget. Strings count two bytes a character, as non-Latin-1 strings take.
     */
    @JsonIgnore
    public long estimatedBytes() {
        long chars = title.length() + (description == null ? 0 : description.length()) + createdAt.length();
        return OVERHEAD_BYTES + 2 * chars + json.length();
    }

    @JsonProperty("id")
    public String id() {
        return TaskId.format(number);
    }

    @JsonIgnore
    public long number() {
        return number;
    }

    @JsonProperty("title")
    public String title() {
        return title;
    }

    @JsonProperty("description")
    public String description() {
        return description;
    }

    @JsonProperty("priority")
    public int priority() {
        return priority;
    }

    @JsonProperty("created_at")
    public String createdAt() {
        return createdAt;
    }

    @JsonProperty("completed")
    public boolean completed() {
        return completed;
    }

    /** The task as JSON; a shared read-only buffer, copy it before changing it. */
    @JsonIgnore
    public Buffer json() {
        return json;
    }
}
