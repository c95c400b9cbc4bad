package dev.taskapi.testing;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the base Deployment (k8s/base/deployment.yaml) gives the task-api container, for tests that run it so. */
public final class DeploymentLimits {
    public static final Path DEPLOYMENT = Path.of("k8s", "base", "deployment.yaml");

    private DeploymentLimits() {}

    /** The task-api container's memory limit, in bytes (256Mi: 268435456). */
    public static long memoryBytes() {
        return Quantity.getAmountInBytes(limit("memory")).longValueExact();
    }

    /** The task-api container's CPU limit, in CPUs as an engine's {@code --cpus} takes them ("1", "0.5"). */
    public static String cpus() {
        return Quantity.getAmountInBytes(limit("cpu")).stripTrailingZeros().toPlainString();
    }

    private static Quantity limit(String resource) {
        try (InputStream in = Files.newInputStream(DEPLOYMENT)) {
            Deployment deployment = Serialization.unmarshal(in, Deployment.class);
            return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                    .filter(c -> c.getName().equals("task-api"))
                    .findFirst()
                    .orElseThrow()
                    .getResources()
                    .getLimits()
                    .get(resource);
        } catch (IOException e) {
            throw new UncheckedIOException(DEPLOYMENT + ": " + e.getMessage(), e);
        }
    }
}
