package dev.taskapi.task;

import dev.taskapi.http.ProblemException;

/** The store cannot take more (507 Insufficient Storage): the request changed nothing. */
public final class StoreFullException extends ProblemException {
  public StoreFullException(String detail) {
    super(507, detail);
  }
}
