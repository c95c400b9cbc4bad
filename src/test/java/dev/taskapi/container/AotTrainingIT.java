package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scripts' container path on each engine that answers here, not only the one the build chose:
 * src/scripts/aot-train.sh loads the slim tar, runs it hardened (lib.sh run-flags), waits for it, drives it,
 * stops it and collects the AOT cache. Under docker this used to fail at once on podman-only flags. The engine
 * ENGINE names is mandatory (under CI=true); the other runs too when it answers, except in CI, which runs the
 * container tests once under each engine (make container-test).
 */
@Tag("container")
class AotTrainingIT {
    @TempDir
    Path out;

    @ParameterizedTest
    @ValueSource(strings = {"podman", "docker"})
    void theAotCacheIsTrainedOnEachEngine(String engine) {
        Prerequisites.require(Engine.present(), Prerequisites.NO_CONTAINER_ENGINE);
        boolean chosen = Path.of(Engine.name()).getFileName().toString().equals(engine);
        boolean answers = Command.works(engine, "info");
        if (chosen) {
            Prerequisites.require(answers, engine + " (ENGINE) does not answer '" + engine + " info'");
        } else {
            Assumptions.assumeTrue(answers, engine + " does not answer here (not ENGINE, so optional)");
            Assumptions.assumeFalse(
                    Prerequisites.inCi(), engine + " is not ENGINE: CI runs the container tests once per engine");
        }
        Path tar = ImageTars.tar(ImageTars.JIB, "slim");
        Prerequisites.require(Files.isRegularFile(tar), tar + " is missing: `make images` builds it");
        Command.Result r = Command.exec(
                null,
                Map.of("ENGINE", engine),
                Duration.ofMinutes(5),
                List.of("src/scripts/aot-train.sh", tar.toString(), out.toString(), ImageContract.MODELS.toString()));
        assertEquals(0, r.code(), "aot-train.sh under " + engine + ":\n" + r.out() + r.err());
        Path cache = out.resolve("app/aot/task-api.aot");
        assertTrue(Files.isRegularFile(cache), cache + " written");
        System.out.println("[" + engine + "] " + r.out().strip());
    }
}
