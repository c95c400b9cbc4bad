package dev.taskapi.task.postgres;

import dev.taskapi.task.StoreUnavailableException;
import io.vertx.pgclient.PgException;
import java.util.Set;

/**
 * Which database failures a client should see as 503 (the database is down, restarting, overloaded, slow, or
 * refuses us) and which are faults of this service (a statement the database rejects: left as they are, so
 * they become a logged 500).
 */
final class DatabaseFailures {
  /** SQLSTATE classes of statements this service got wrong: data exceptions, integrity, syntax or access rule. */
  private static final Set<String> OWN_FAULT_CLASSES = Set.of("22", "23", "42");

  private DatabaseFailures() {}

  static Throwable toProblem(Throwable failure, long boundMillis) {
    if (failure instanceof PgException pg && OWN_FAULT_CLASSES.contains(classOf(pg.getSqlState()))) {
      return failure;
    }
    return new StoreUnavailableException("the task database is unavailable (" + reason(failure, boundMillis)
        + "); retry later", failure);
  }

  /** A short human reason, for problem details and readiness. */
  static String reason(Throwable failure, long boundMillis) {
    if (failure instanceof PgException pg) {
      return pg.getErrorMessage() + " [SQLSTATE " + pg.getSqlState() + "]";
    }
    if (failure instanceof java.util.concurrent.TimeoutException || isTimeout(failure)) {
      return "no answer within " + boundMillis + " ms";
    }
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  private static boolean isTimeout(Throwable failure) {
    return failure.getClass().getSimpleName().contains("Timeout");
  }

  private static String classOf(String sqlState) {
    return sqlState == null || sqlState.length() < 2 ? "" : sqlState.substring(0, 2);
  }
}
