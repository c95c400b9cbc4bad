package dev.taskapi.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.taskapi.task.InvalidTaskException;
import dev.taskapi.task.InvalidTaskException.Violation;
import dev.taskapi.task.StoreFullException;
import dev.taskapi.task.StoreUnavailableException;
import dev.taskapi.task.TaskException;
import dev.taskapi.task.TaskNotFoundException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The table of domain failures: each kind has its row, with the status, title and detail clients have always seen. */
class ProblemHandlerTest {
    /** One of each kind of domain failure, and the problem document a client gets for it. */
    private static final Map<TaskException, JsonObject> EXPECTED = Map.of(
            new TaskNotFoundException("task_42"),
            problem(404, "Not Found", "Task not found"),
            new InvalidTaskException(
                    List.of(new Violation("title", "is required"), new Violation("priority", "too high"))),
            problem(422, "Unprocessable Entity", "title: is required; priority: too high")
                    .put(
                            "errors",
                            new JsonArray()
                                    .add(new JsonObject().put("field", "title").put("detail", "is required"))
                                    .add(new JsonObject()
                                            .put("field", "priority")
                                            .put("detail", "too high"))),
            new StoreFullException("the task store is full"),
            problem(507, "Insufficient Storage", "the task store is full"),
            new StoreUnavailableException(
                    "the task database is unavailable; retry later", new RuntimeException("down")),
            problem(503, "Service Unavailable", "the task database is unavailable; retry later"));

    @Test
    void eachDomainFailureBecomesItsProblemDocument() {
        EXPECTED.forEach((failure, expected) -> assertEquals(
                expected,
                ProblemHandler.domainProblem(failure),
                failure.getClass().getSimpleName()));
    }

    @Test
    void everyKindOfDomainFailureHasARow() {
        Set<String> kinds = names(TaskException.class.getPermittedSubclasses());
        assertEquals(
                kinds,
                names(EXPECTED.keySet().stream().map(Object::getClass).toArray(Class<?>[]::new)),
                "a kind of task failure this test has no example of");
        for (TaskException failure : EXPECTED.keySet()) {
            assertNotNull(
                    ProblemHandler.domainProblem(failure), failure.getClass().getSimpleName() + " has no row");
        }
    }

    @Test
    void otherFailuresHaveNoRowAndStayTheRoutersBusiness() {
        assertNull(ProblemHandler.domainProblem(new IllegalStateException("a bug")));
        assertNull(ProblemHandler.domainProblem(ProblemException.badRequest("bad JSON")));
    }

    private static JsonObject problem(int status, String title, String detail) {
        return new JsonObject().put("title", title).put("status", status).put("detail", detail);
    }

    private static Set<String> names(Class<?>[] classes) {
        return Arrays.stream(classes).map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
    }
}
