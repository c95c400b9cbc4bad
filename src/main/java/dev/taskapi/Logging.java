package dev.taskapi;

import dev.taskapi.config.LogFormat;
import dev.taskapi.http.JsonText;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.temporal.ChronoUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The service's own log on stderr, one record per line, at TASK_API_LOG_LEVEL, as text or JSON (LOG_FORMAT). */
final class Logging {
    private Logging() {}

    static void configure(Level level, LogFormat format) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(level);
        console.setFormatter(format == LogFormat.JSON ? new JsonFormatter() : new TextFormatter());
        root.addHandler(console);
        root.setLevel(level);
    }

    /** {@code 2026-11-29T14:20:01.123Z INFO    TaskApp message}, then the stack trace if there is one. */
    static final class TextFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            String line = String.format(
                    "%s %-7s %s %s%n",
                    r.getInstant().truncatedTo(ChronoUnit.MILLIS),
                    r.getLevel().getName(),
                    shortName(r.getLoggerName()),
                    formatMessage(r));
            return r.getThrown() == null ? line : line + stackTrace(r.getThrown());
        }
    }

    /** {@code {"timestamp":…,"level":…,"logger":…,"message":…,"error":…}}: the stack trace stays inside the line. */
    static final class JsonFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder line = new StringBuilder(160)
                    .append("{\"timestamp\":\"")
                    .append(r.getInstant().truncatedTo(ChronoUnit.MILLIS))
                    .append("\",\"level\":\"")
                    .append(r.getLevel().getName())
                    .append("\",\"logger\":");
            JsonText.quote(line, r.getLoggerName()).append(",\"message\":");
            JsonText.quote(line, formatMessage(r));
            if (r.getThrown() != null) {
                JsonText.quote(line.append(",\"error\":"), stackTrace(r.getThrown()));
            }
            return line.append("}\n").toString();
        }
    }

    private static String stackTrace(Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    private static String shortName(String name) {
        if (name == null) {
            return "-";
        }
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(dot + 1);
    }
}
