package dev.taskapi.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pod spec gives the service, uid 65532, group access to the models volume, and every models component mounts
 * that volume read-only into the service at /app/models.
 */
class ModelsVolumeManifestTest {
    static final long NONROOT = 65532;

    static PodSpec pod(String file) throws Exception {
        try (InputStream yaml = Files.newInputStream(Path.of(file))) {
            return Serialization.unmarshal(yaml, Deployment.class)
                    .getSpec()
                    .getTemplate()
                    .getSpec();
        }
    }

    @Test
    void podJoinsGroup65532() throws Exception {
        PodSecurityContext security = pod("k8s/base/deployment.yaml").getSecurityContext();
        assertEquals(NONROOT, security.getRunAsUser());
        assertEquals(NONROOT, security.getFsGroup());
        assertEquals("OnRootMismatch", security.getFsGroupChangePolicy());
    }

    @ParameterizedTest
    @ValueSource(strings = {"models-pvc", "models-image", "models-copy"})
    void everyModelsComponentMountsTheModelsReadOnlyIntoTheService(String component) throws Exception {
        PodSpec pod = pod("k8s/components/" + component + "/deployment.yaml");
        assertEquals("task-api", pod.getContainers().get(0).getName());
        assertTrue(
                pod.getContainers().get(0).getVolumeMounts().stream()
                        .anyMatch(m -> m.getName().equals("models")
                                && m.getMountPath().equals("/app/models")
                                && Boolean.TRUE.equals(m.getReadOnly())),
                component);
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("models")), component);
    }
}
