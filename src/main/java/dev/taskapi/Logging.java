package dev.taskapi;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.temporal.ChronoUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line log records on stderr at the configured level (TASK_API_LOG_LEVEL). */
final class Logging {
  private Logging() {}

  static void configure(Level level) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(level);
    console.setFormatter(new OneLineFormatter());
    root.addHandler(console);
    root.setLevel(level);
  }

  private static final class OneLineFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      String line = String.format("%s %-7s %s %s%n", r.getInstant().truncatedTo(ChronoUnit.MILLIS),
          r.getLevel().getName(), shortName(r.getLoggerName()), formatMessage(r));
      if (r.getThrown() == null) {
        return line;
      }
      StringWriter trace = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(trace));
      return line + trace;
    }

    private static String shortName(String name) {
      if (name == null) {
        return "-";
      }
      int dot = name.lastIndexOf('.');
      return dot < 0 ? name : name.substring(dot + 1);
    }
  }
}
