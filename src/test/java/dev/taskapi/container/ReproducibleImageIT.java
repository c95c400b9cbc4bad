package dev.taskapi.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskapi.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A second build of the same commit gives the same image: `make images-repro` rebuilds the Debian bases, the
 * jlink runtime and the images from scratch into target/repro/, and both builds must agree on the image ID
 * (the config digest) and the manifest digest, and the engine must load the image under that same ID.
 */
@Tag("container")
class ReproducibleImageIT {
    @ParameterizedTest
    @ValueSource(strings = {"slim", "distroless"})
    void aSecondBuildOfTheSameCommitHasTheSameDigest(String variant) throws Exception {
        Path first = ImageTars.tar(ImageTars.JIB, variant);
        Path second = ImageTars.tar(ImageTars.REPRO_JIB, variant);
        Prerequisites.require(
                Files.isRegularFile(first) && Files.isRegularFile(second),
                first + " and " + second
                        + " are built by `make images images-repro` (`make test` does so first when a container engine exists)");
        assertEquals(
                ImageTars.jibOutput(ImageTars.JIB, variant, "digest"),
                ImageTars.jibOutput(ImageTars.REPRO_JIB, variant, "digest"),
                "manifest digest of " + variant);
        String id = ImageTars.jibOutput(ImageTars.JIB, variant, "id");
        assertEquals(id, ImageTars.jibOutput(ImageTars.REPRO_JIB, variant, "id"), "image ID of " + variant);
        assertEquals(id, ImageTars.imageId(first), "image ID in " + first);
        assertEquals(id, ImageTars.imageId(second), "image ID in " + second);

        Prerequisites.require(Engine.present(), Prerequisites.NO_CONTAINER_ENGINE + " (to load " + second + ")");
        Engine.run(Duration.ofMinutes(5), "load", "-i", second.toString()).check("loading " + second);
        String loaded = Engine.run(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Id}}", id)
                .check("inspect " + id)
                .out()
                .strip();
        assertEquals(id.replaceFirst("^sha256:", ""), loaded.replaceFirst("^sha256:", ""));
    }
}
