package dev.taskapi.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskIdTest {
    @Test
    void roundTrips() {
        assertEquals("task_42", TaskId.format(42));
        assertEquals(OptionalLong.of(42), TaskId.parse("task_42"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "task_",
                "task_0",
                "task_01",
                "task_-1",
                "task_1a",
                "TASK_1",
                "1",
                "task_9999999999999999999",
                "task_1 "
            })
    void rejectsWhatThisServiceNeverIssues(String id) {
        assertTrue(TaskId.parse(id).isEmpty(), id);
    }
}
