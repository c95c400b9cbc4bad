package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.Prerequisites;
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
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker's legacy builder (DOCKER_BUILDKIT=0), which rejects every {@code RUN --mount}: src/scripts/lib.sh build
 * gives it the Dockerfile without its cache mounts, so one set of Dockerfiles builds with BuildKit and without.
 * On the Debian-built JRE base (make bases-dockerfiles). A docker test: skipped when ENGINE is podman.
 */
@Tag("container")
class LegacyBuilderIT {
    static final String JRE = "localhost/task-api-base/jre17:bookworm";
    static final Path JRE_TAR = Path.of("target", "bases", "jre17.tar");
    static final String TAG = "localhost/task-api:legacy-builder-test";
    static final List<String> removeAfter = new ArrayList<>();

    @BeforeAll
    static void dockerWithTheJreBase() {
        Prerequisites.require(Engine.present(), Prerequisites.NO_CONTAINER_ENGINE);
        Assumptions.assumeTrue(
                Engine.kind().equals("docker"), "the legacy builder is docker's; ENGINE=" + Engine.name());
        if (!exists(JRE)) {
            Prerequisites.require(
                    Files.isRegularFile(JRE_TAR),
                    JRE + " is not in " + Engine.name() + " and " + JRE_TAR + " is missing: make bases-dockerfiles");
            Engine.lib(null, "load", JRE_TAR.toString());
        }
    }

    @AfterAll
    static void removeImages() {
        if (!Engine.present()) {
            return;
        }
        for (String ref : removeAfter) {
            Engine.run(Duration.ofSeconds(60), "rm", "-f", ref);
        }
        Engine.run(Duration.ofSeconds(60), "rmi", "-f", TAG);
    }

    @Test
    void theJreIterationBuildsAndServesRequests() throws Exception {
        Path jar = Path.of("target", "task-api-" + Engine.lib(null, "version") + ".jar");
        Prerequisites.require(Files.isRegularFile(jar), jar + " is missing: mvn package (Dockerfile.v1-jre copies it)");
        long t0 = System.nanoTime();
        build("--no-cache", "-f", "dockerfiles/Dockerfile.v1-jre", "--build-arg", "JRE_IMAGE=" + JRE, "-t", TAG, ".");
        System.out.printf(
                "[%s, legacy builder] dockerfiles/Dockerfile.v1-jre built in %.1f s%n",
                Engine.name(), (System.nanoTime() - t0) / 1e9);

        String name = "task-api-legacy-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(Engine.runFlags(ImageContract.MODELS));
        args.add(TAG);
        removeAfter.add(name);
        Engine.run(Duration.ofMinutes(2), args.toArray(String[]::new)).check("starting " + TAG);
        assertEquals(200, awaitOk("http://" + ImageContract.hostPort(Engine.name(), name) + "/health/ready", name));
    }

    @Test
    void aCacheMountIsLeftOutAndTheRunStillRuns(@TempDir Path context) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), """
        FROM %s
        RUN --mount=type=cache,id=task-api-legacy-test,target=/cache,sharing=locked \\
            test ! -e /cache && echo built without a cache mount > /tmp/result
        """.formatted(JRE));
        build("--no-cache", "-t", TAG, context.toString());
        String out = Engine.run(Duration.ofMinutes(1), "run", "--rm", "--entrypoint", "cat", TAG, "/tmp/result")
                .check("reading the RUN's result")
                .out();
        assertEquals("built without a cache mount", out.strip());
    }

    static void build(String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", Engine.LIB.toString(), "build", "--no-pull"));
        cmd.addAll(List.of(args));
        Command.Result r = Command.exec(
                null, Map.of("ENGINE", Engine.name(), "DOCKER_BUILDKIT", "0"), Duration.ofMinutes(10), cmd);
        assertEquals(0, r.code(), "lib.sh build with DOCKER_BUILDKIT=0:\n" + r.out() + r.err());
    }

    static boolean exists(String image) {
        return Engine.run(Duration.ofSeconds(30), "image", "inspect", image).code() == 0;
    }

    static int awaitOk(String url, String container) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status = 0;
        while (status != 200 && System.nanoTime() < deadline) {
            try {
                status = http.send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        if (status != 200) {
            System.err.println(
                    Engine.run(Duration.ofSeconds(30), "logs", container).out());
        }
        return status;
    }
}
