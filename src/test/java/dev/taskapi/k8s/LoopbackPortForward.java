package dev.taskapi.k8s;

import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.PortForwardable;
import java.net.InetAddress;

/** fabric8's {@code portForward(port)} listens on every interface; the tests' forwards listen on loopback only. */
final class LoopbackPortForward {
    private LoopbackPortForward() {}

    /** Forwards a free loopback port to {@code port} of {@code target}. */
    static LocalPortForward open(PortForwardable target, int port) {
        return target.portForward(port, InetAddress.getLoopbackAddress(), 0);
    }
}
