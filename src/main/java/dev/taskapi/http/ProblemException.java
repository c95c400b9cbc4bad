package dev.taskapi.http;

/** A request the service refuses for an HTTP-level reason: the status and a human explanation. */
public final class ProblemException extends RuntimeException {
  private final int status;

  public ProblemException(int status, String detail) {
    super(detail);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, detail);
  }
}
