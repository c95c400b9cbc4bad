package dev.taskapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LoggingTest {
    @Test
    void jsonRecordIsOneParsableLineEvenWithAStackTrace() {
        LogRecord record = new LogRecord(Level.SEVERE, "request \"GET /x\" failed\ttab");
        record.setLoggerName("dev.taskapi.http.ProblemHandler");
        record.setThrown(new IllegalStateException("boom"));

        String line = new Logging.JsonFormatter().format(record);

        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        JsonObject json = new JsonObject(line);
        Instant.parse(json.getString("timestamp"));
        assertEquals("SEVERE", json.getString("level"));
        assertEquals("dev.taskapi.http.ProblemHandler", json.getString("logger"));
        assertEquals("request \"GET /x\" failed\ttab", json.getString("message"));
        assertTrue(
                json.getString("error").startsWith("java.lang.IllegalStateException: boom\n"), json.getString("error"));
    }

    @Test
    void textRecordIsOneLineWithLevelAndShortLoggerName() {
        LogRecord record = new LogRecord(Level.INFO, "task-api listening");
        record.setLoggerName("dev.taskapi.app.TaskApp");
        String line = new Logging.TextFormatter().format(record);
        assertTrue(line.matches("\\S+Z INFO    TaskApp task-api listening\\R"), line);
    }
}
