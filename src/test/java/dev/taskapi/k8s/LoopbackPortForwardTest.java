package dev.taskapi.k8s;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import org.junit.jupiter.api.Test;

/** Where the forward listens is decided before any cluster is contacted: checked with an API server that is not there. */
class LoopbackPortForwardTest {
    static KubernetesClient nowhere() {
        return new KubernetesClientBuilder()
                .withConfig(
                        new ConfigBuilder().withMasterUrl("http://127.0.0.1:9").build())
                .build();
    }

    @Test
    void theForwardListensOnLoopbackOnly() throws Exception {
        try (KubernetesClient client = nowhere();
                LocalPortForward forward =
                        LoopbackPortForward.open(client.pods().inNamespace("ns").withName("pod"), 8080)) {
            assertTrue(
                    forward.getLocalAddress().isLoopbackAddress(),
                    forward.getLocalAddress().toString());
            assertTrue(forward.getLocalPort() > 0);
        }
    }

    /** Why: fabric8's one-argument portForward listens on the wildcard address, reachable from the network. */
    @Test
    void fabric8sPlainPortForwardListensOnEveryInterface() throws Exception {
        try (KubernetesClient client = nowhere();
                LocalPortForward forward =
                        client.pods().inNamespace("ns").withName("pod").portForward(8080)) {
            assertTrue(
                    forward.getLocalAddress().isAnyLocalAddress(),
                    forward.getLocalAddress().toString());
        }
    }
}
