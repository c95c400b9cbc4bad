package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskapi.http.ProblemHandler;
import dev.taskapi.task.InvalidTaskException.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The field rules on parsed JSON, without HTTP. */
class TaskValidatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void newTaskIsTrimmedAndTakesDefaults() throws Exception {
        NewTask task = TaskValidator.newTask(body("{\"title\":\"  ship it  \",\"extra\":1}"));
        assertEquals(new NewTask("ship it", null, NewTask.DEFAULT_PRIORITY), task);
    }

    @Test
    void everyBrokenRuleIsReportedNotJustTheFirst() throws Exception {
        InvalidTaskException e = assertThrows(
                InvalidTaskException.class,
                () -> TaskValidator.newTask(body("{\"title\":\"\",\"description\":5,\"priority\":9}")));
        assertEquals(
                List.of("title", "description", "priority"),
                e.violations().stream().map(Violation::field).toList());
        assertEquals(422, ProblemHandler.domainProblem(e).getInteger("status"));
    }

    @Test
    void lengthsCountCharactersNotUtf16Units() throws Exception {
        String twoHundredEmoji = "😀".repeat(200);
        assertEquals(
                twoHundredEmoji,
                TaskValidator.newTask(body("{\"title\":\"" + twoHundredEmoji + "\"}"))
                        .title());
        assertThrows(
                InvalidTaskException.class,
                () -> TaskValidator.newTask(body("{\"title\":\"" + twoHundredEmoji + "😀\"}")));
    }

    @Test
    void priorityMustBeAnIntegerInRange() throws Exception {
        for (String bad : List.of("0", "6", "2.0", "1e23", "\"3\"", "true", "99999999999")) {
            assertThrows(
                    InvalidTaskException.class,
                    () -> TaskValidator.newTask(body("{\"title\":\"t\",\"priority\":" + bad + "}")),
                    "priority " + bad);
        }
        assertEquals(
                5,
                TaskValidator.newTask(body("{\"title\":\"t\",\"priority\":5}")).priority());
    }

    @Test
    void patchDistinguishesAnAbsentDescriptionFromNull() throws Exception {
        TaskPatch cleared = TaskValidator.patch(body("{\"description\":null}"));
        assertTrue(cleared.descriptionSet());
        assertNull(cleared.description());
        TaskPatch untouched = TaskValidator.patch(body("{\"completed\":true}"));
        assertFalse(untouched.descriptionSet());
        assertEquals(Boolean.TRUE, untouched.completed());
        assertNull(untouched.title());
    }

    @Test
    void patchRefusesANonBooleanCompleted() throws Exception {
        InvalidTaskException e =
                assertThrows(InvalidTaskException.class, () -> TaskValidator.patch(body("{\"completed\":\"yes\"}")));
        assertEquals("completed: must be true or false, got a string", e.getMessage());
    }
}
