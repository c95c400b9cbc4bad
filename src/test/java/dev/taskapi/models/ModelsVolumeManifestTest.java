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

/** The pod spec gives the service, uid 65532, group access to the models volume it mounts read-only. */
class ModelsVolumeManifestTest {
  static final long NONROOT = 65532;

  @Test
  void podJoinsGroup65532AndMountsTheModelsReadOnly() throws Exception {
    Deployment deployment;
    try (InputStream yaml = Files.newInputStream(Path.of("k8s/base/deployment.yaml"))) {
      deployment = Serialization.unmarshal(yaml, Deployment.class);
    }
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    PodSecurityContext security = pod.getSecurityContext();
    assertEquals(NONROOT, security.getRunAsUser());
    assertEquals(NONROOT, security.getFsGroup());
    assertEquals("OnRootMismatch", security.getFsGroupChangePolicy());
    assertTrue(pod.getContainers().get(0).getVolumeMounts().stream()
        .anyMatch(m -> m.getMountPath().equals("/app/models") && Boolean.TRUE.equals(m.getReadOnly())));
  }
}
