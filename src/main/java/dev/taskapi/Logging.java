package dev.taskapi;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line log records on stderr; level from TASK_API_LOG_LEVEL (a java.util.logging level, default INFO). */
final class Logging {
  private Logging() {}

  static void configure() {
    Level level = Level.parse(System.getenv().getOrDefault("TASK_API_LOG_LEVEL", "INFO"));
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(level);
    console.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        String line = String.format("%s %-7s %s %s%n",
            r.getInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), r.getLevel().getName(), shortName(r.getLoggerName()), formatMessage(r));
        if (r.getThrown() != null) {
          java.io.StringWriter trace = new java.io.StringWriter();
          r.getThrown().printStackTrace(new java.io.PrintWriter(trace));
          line += trace;
        }
        return line;
      }
    });
    root.addHandler(console);
    root.setLevel(level);
  }

  private static String shortName(String name) {
    if (name == null) {
      return "-";
    }
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(dot + 1);
  }
}
