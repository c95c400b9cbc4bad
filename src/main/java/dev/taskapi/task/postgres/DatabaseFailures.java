package dev.taskapi.task.postgres;

import dev.taskapi.task.StoreUnavailableException;
import io.vertx.pgclient.PgException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Which database failures a client should see as 503 (the database is down, restarting, overloaded, slow, or
 * refuses us) and which are faults of this service (a statement the database rejects: left as they are, so
 * they become a logged 500).
 */
final class DatabaseFailures {
  /** SQLSTATE classes of statements this service got wrong: data exceptions, integrity, syntax or access rule. */
  private static final Set<String> OWN_FAULT_CLASSES = Set.of("22", "23", "42");

  private DatabaseFailures() {}

  /**
   * The failure as clients should see it: a 503 whose detail says what kind of trouble, without the
   * database's address or messages (those are for readiness and the log), or the failure itself if it is ours.
   */
  static Throwable toProblem(Throwable failure, long boundMillis) {
    if (failure instanceof PgException pg && OWN_FAULT_CLASSES.contains(classOf(pg.getSqlState()))) {
      return failure;
    }
    String kind = failure instanceof PgException pg ? "it refused the request, SQLSTATE " + pg.getSqlState()
        : isTimeout(failure) ? "no answer within " + boundMillis + " ms"
        : "cannot reach it";
    return new StoreUnavailableException("the task database is unavailable (" + kind + "); retry later", failure);
  }

  /** A short reason for readiness and the log. */
  static String reason(Throwable failure, long boundMillis) {
    if (failure instanceof PgException pg) {
      return pg.getErrorMessage() + " [SQLSTATE " + pg.getSqlState() + "]";
    }
    if (isTimeout(failure)) {
      return "no answer within " + boundMillis + " ms";
    }
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  /** Our own bound ({@code Future.timeout}) or the pool's wait for a connection ("Timeout"). */
  private static boolean isTimeout(Throwable failure) {
    return failure instanceof TimeoutException || failure.getClass().getSimpleName().contains("Timeout")
        || "Timeout".equals(failure.getMessage());
  }

  private static String classOf(String sqlState) {
    return sqlState == null || sqlState.length() < 2 ? "" : sqlState.substring(0, 2);
  }
}
