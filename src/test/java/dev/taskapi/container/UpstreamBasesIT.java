package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.FreePort;
import dev.taskapi.testing.Prerequisites;
import dev.taskapi.testing.RegistryServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BASES=upstream, the path taken wherever gcr.io answers, exercised without it: the Debian-built bases are pushed
 * into a local registry under the upstream distroless names, the images are built from there (the reachability
 * probe and Jib both talking plain HTTP to a loopback registry), and the slim image keeps the image contract.
 * And BASES=upstream with a registry that does not answer stops within seconds, pointing at BASES=debian.
 */
@Tag("container")
class UpstreamBasesIT {
    static final Path OUT = Path.of("target", "upstream-bases", "jib");

    static Stream<String> registriesThatDoNotAnswer() throws IOException {
        // A loopback port nobody listens on (refused at once), and TEST-NET-1 (RFC 5737: never routed, so the probe
        // meets either "unreachable" or its own time limit).
        return Stream.of("127.0.0.1:" + FreePort.pick(), "192.0.2.1:5000");
    }

    @ParameterizedTest
    @MethodSource("registriesThatDoNotAnswer")
    void basesUpstreamFailsWithinSecondsWhenTheirRegistryDoesNotAnswer(String registry) {
        long started = System.nanoTime();
        Command.Result r = Command.exec(
                null,
                Map.of(
                        "BASES",
                        "upstream",
                        "UPSTREAM_BASE_SLIM",
                        registry + "/distroless/base-nossl-debian12:nonroot",
                        "UPSTREAM_BASE_JAVA",
                        registry + "/distroless/java21-debian12:nonroot",
                        "JIB_OUT",
                        OUT.toString()),
                Duration.ofMinutes(1),
                List.of("bash", "src/scripts/build-images.sh", "slim"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertNotEquals(0, r.code(), r.out());
        assertTrue(
                r.err().contains("BASES=upstream but " + registry + " cannot be reached")
                        && r.err().contains("BASES=debian"),
                r.err());
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "gave up after " + took);
    }

    /** The slim image built on the upstream-shaped bases of a local registry, loaded into lib.sh's engine. */
    @Nested
    class SlimOnUpstreamShapedBases extends ImageContract {
        RegistryServer registry;

        @Override
        String variant() {
            return "slim";
        }

        @Override
        Path tarDirectory() {
            return OUT;
        }

        @Override
        String provideImage() {
            RegistryServer.require();
            Prerequisites.require(
                    Command.works("skopeo", "--version"), "skopeo is not installed (apt-get install skopeo)");
            registry = RegistryServer.start();
            Command.exec(
                            Duration.ofMinutes(10),
                            List.of("bash", "src/scripts/bases.sh", "--out", "target/bases", "base-nossl", "java17"))
                    .check("building the Debian bases");
            String slim = push("base-nossl", "distroless/base-nossl-debian12:nonroot");
            String java = push("java17", "distroless/java21-debian12:nonroot");
            Command.Result build = Command.exec(
                            null,
                            Map.of(
                                    "BASES",
                                    "upstream",
                                    "UPSTREAM_BASE_SLIM",
                                    slim,
                                    "UPSTREAM_BASE_JAVA",
                                    java,
                                    "JIB_OUT",
                                    OUT.toString()),
                            Duration.ofMinutes(10),
                            List.of("bash", "src/scripts/build-images.sh", "slim", "distroless"))
                    .check("building slim and distroless on " + slim + " and " + java);
            assertTrue(
                    build.out()
                            .contains("bases (BASES=upstream): slim, slim-aot <- " + slim + "; distroless <- " + java),
                    build.out());
            return super.provideImage();
        }

        @AfterAll
        void stopRegistry() {
            if (registry != null) {
                registry.close();
            }
        }

        private String push(String base, String name) {
            String reference = registry.address() + "/" + name;
            Command.exec(
                            Duration.ofMinutes(5),
                            List.of(
                                    "skopeo",
                                    "copy",
                                    "-q",
                                    "--dest-tls-verify=false",
                                    "docker-archive:target/bases/" + base + ".tar",
                                    "docker://" + reference))
                    .check("pushing " + base);
            return reference;
        }
    }
}
