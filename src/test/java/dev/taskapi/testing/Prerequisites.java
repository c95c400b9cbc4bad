package dev.taskapi.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need something outside the JVM (a container engine, built images, PostgreSQL, kubectl, a browser,
 * a cluster) call {@link #require}: on a developer machine a missing prerequisite skips the test with the reason,
 * which names what to install ({@link SkippedSuites} lists every skipped suite at the end of the run); in CI
 * ({@code CI=true}) it fails it, so such tests can never pass by being skipped there.
 */
public final class Prerequisites {
    /** Why the container tests cannot run, and how to give them an engine. */
    public static final String NO_CONTAINER_ENGINE = "no container engine answers (ENGINE=none, or neither podman nor"
            + " docker's daemon): install podman (src/scripts/podman-setup.sh) or docker (apt-get install docker.io) and"
            + " start its daemon (src/scripts/dockerd.sh start)";
    /** Why the manifest tests cannot run. */
    public static final String NO_KUBECTL = "kubectl is not installed (it renders the kustomize overlays):"
            + " https://kubernetes.io/docs/tasks/tools/";

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
