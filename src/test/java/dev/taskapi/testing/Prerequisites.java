package dev.taskapi.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need something outside the JVM (a container engine, built images, a cluster) call
 * {@link #require}: on a developer machine a missing prerequisite skips the test with the reason;
 * in CI ({@code CI=true}) it fails it, so such tests can never pass by being skipped there.
 */
public final class Prerequisites {
  private Prerequisites() {}

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  public static void require(boolean present, String reason) {
    if (present) {
      return;
    }
    if (inCi()) {
      Assertions.fail("mandatory in CI (CI=true), but " + reason);
    }
    System.err.println("[skipped] " + reason);
    Assumptions.assumeTrue(false, reason);
  }
}
