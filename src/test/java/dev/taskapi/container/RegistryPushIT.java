package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.Prerequisites;
import dev.taskapi.testing.RegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * `make push` into a real registry (Debian's docker-registry on loopback): Jib pushes the slim and distroless
 * images without a daemon, the digests it prints and records are what the registry serves, a second build of the
 * same commit pushes the same digests, and each image, pulled by digest by docker and by podman, keeps the whole
 * image contract. Both engines are mandatory in CI.
 */
@Tag("engines")
class RegistryPushIT {
    static final Map<String, String> MANIFEST_TYPES = Map.of(
            "Accept",
            "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json");
    static final Duration BUILD = Duration.ofMinutes(10);
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static RegistryServer registry;
    /** variant (slim, distroless) → REGISTRY/task-api@sha256:..., as target/push/digests.env records it. */
    static Map<String, String> pushed;

    @BeforeAll
    static void pushWithMake() throws IOException {
        RegistryServer.require();
        registry = RegistryServer.start();
        Command.Result push = Command.exec(
                        null,
                        Map.of("BASES", "debian"),
                        BUILD,
                        List.of("make", "-s", "push", "REGISTRY=" + registry.address()))
                .check("make push");
        pushed = digests(Path.of("target", "push", "digests.env"));
        assertEquals(List.of("distroless", "slim"), List.copyOf(pushed.keySet()), "target/push/digests.env");
        for (String reference : pushed.values()) {
            assertTrue(reference.matches(registry.address() + "/task-api@sha256:[0-9a-f]{64}"), reference);
            assertTrue(
                    push.out().contains("= " + reference + "\n"), "make push prints " + reference + ":\n" + push.out());
        }
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void eachTagNamesThePushedDigest() throws Exception {
        for (Map.Entry<String, String> image : pushed.entrySet()) {
            String tag = Engine.lib(null, "version") + "-" + image.getKey();
            String digest = image.getValue().substring(image.getValue().indexOf('@') + 1);
            assertEquals(digest, manifestDigest(tag), "the registry's " + tag);
            assertEquals(digest, manifestDigest(digest), "the registry serves " + digest);
        }
    }

    /** Also pins an overlay shaped like the production one (--pin, as `make push PIN=OVERLAY`). */
    @Test
    void aSecondBuildOfTheSameCommitPushesTheSameDigests() throws Exception {
        Path out = Path.of("target", "push-again");
        Path overlay = Files.createTempDirectory(Path.of("target"), "overlay-");
        String models =
                "  - name: task-api-models\n    newName: registry.example.com/task-api-models\n    digest: sha256:"
                        + "2".repeat(64) + "\n";
        Files.writeString(
                overlay.resolve("kustomization.yaml"),
                "resources:\n  - ../../base\nimages:\n"
                        + "  - name: task-api\n    newName: registry.example.com/task-api\n    digest: sha256:"
                        + "1".repeat(64)
                        + "\n" + models);
        Command.exec(Duration.ofMinutes(1), List.of("rm", "-rf", out.toString()))
                .check("removing " + out);
        // The Debian bases are shared (hard links; ReproducibleImageIT rebuilds those): the jlink runtime, the jar and
        // the images are built again from nothing.
        Command.exec(
                        Duration.ofMinutes(1),
                        List.of("bash", "-c", "mkdir -p " + out + " && cp -al target/bases " + out + "/bases"))
                .check("sharing target/bases");
        Command.exec(
                        null,
                        Map.of("BASES", "debian"),
                        BUILD,
                        List.of(
                                "bash",
                                "src/scripts/push-images.sh",
                                "--out",
                                out.toString(),
                                "--pin",
                                overlay.toString(),
                                registry.address()))
                .check("a second build and push from scratch into " + out);
        assertEquals(pushed, digests(out.resolve("push").resolve("digests.env")));
        String slim = pushed.get("slim");
        assertEquals(
                "resources:\n  - ../../base\nimages:\n  - name: task-api\n    newName: "
                        + slim.substring(0, slim.indexOf('@')) + "\n    digest: "
                        + slim.substring(slim.indexOf('@') + 1) + "\n" + models,
                Files.readString(overlay.resolve("kustomization.yaml")));
    }

    /** Pulls the pushed image by digest with one engine, then runs it under the image contract. */
    abstract static class PulledByDigest extends ImageContract {
        @Override
        String provideImage() {
            Prerequisites.require(
                    Command.works(engine(), "info"),
                    engine()
                            + " is not installed or does not answer (podman: src/scripts/podman-setup.sh; docker: start dockerd)");
            String reference = pushed.get(variant());
            List<String> pull = new ArrayList<>(List.of("pull"));
            pull.addAll(Engine.pullFlags(engine(), reference));
            pull.add(reference);
            run(Duration.ofMinutes(5), pull.toArray(String[]::new)).check("pulling " + reference);
            return reference;
        }
    }

    @Nested
    class SlimPulledByDocker extends PulledByDigest {
        @Override
        String engine() {
            return "docker";
        }

        @Override
        String variant() {
            return "slim";
        }
    }

    @Nested
    class DistrolessPulledByDocker extends PulledByDigest {
        @Override
        String engine() {
            return "docker";
        }

        @Override
        String variant() {
            return "distroless";
        }
    }

    @Nested
    class SlimPulledByPodman extends PulledByDigest {
        @Override
        String engine() {
            return "podman";
        }

        @Override
        String variant() {
            return "slim";
        }
    }

    @Nested
    class DistrolessPulledByPodman extends PulledByDigest {
        @Override
        String engine() {
            return "podman";
        }

        @Override
        String variant() {
            return "distroless";
        }
    }

    static Map<String, String> digests(Path env) throws IOException {
        Map<String, String> byVariant = new TreeMap<>();
        for (String line : Files.readAllLines(env)) {
            String[] pair = line.split("=", 2);
            byVariant.put(pair[0].replaceFirst("^TASK_API_", "").toLowerCase(Locale.ROOT), pair[1]);
        }
        return byVariant;
    }

    /** The Docker-Content-Digest with which the registry answers for task-api's manifest {@code reference}. */
    static String manifestDigest(String reference) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://" + registry.address() + "/v2/task-api/manifests/" + reference))
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        MANIFEST_TYPES.forEach(request::header);
        HttpResponse<Void> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, r.statusCode(), "HEAD manifest " + reference);
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }
}
