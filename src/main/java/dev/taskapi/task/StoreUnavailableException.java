package dev.taskapi.task;

import dev.taskapi.http.ProblemException;

/** The store cannot be reached or did not answer in time (503): retry later. */
public final class StoreUnavailableException extends ProblemException {
  public StoreUnavailableException(String detail, Throwable cause) {
    super(503, detail, cause);
  }
}
