package dev.taskapi.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MODELS_DIR as the models installer leaves it: {@code current}, a symbolic link to {@code versions/<digest>/},
 * switched by a rename. The service reads through the link and sees a switch at the next polls.
 */
class ModelsDirLinkTest {
    static final Duration POLL = Duration.ofMillis(50);
    static final FileTime SAME_TIME = FileTime.fromMillis(1_000);

    @TempDir
    Path volume;

    Vertx vertx;
    ModelRegistry registry;

    @BeforeEach
    void setUp() throws IOException {
        version("a", "weights-a");
        version("b", "weights-b");
        switchTo("a");
        vertx = Vertx.vertx();
        registry = new ModelRegistry(vertx, new ModelScanner(volume.resolve("current"), true), POLL);
    }

    @AfterEach
    void tearDown() {
        registry.stop().await();
        vertx.close().await();
    }

    /** A version whose model has the same name, size and modification time in every version: only its bytes differ. */
    void version(String name, String content) throws IOException {
        Path dir =
                Files.createDirectories(volume.resolve("versions").resolve(name).resolve("example"));
        Files.writeString(dir.resolve("model.bin"), content);
        Files.setLastModifiedTime(dir.resolve("model.bin"), SAME_TIME);
        Files.writeString(dir.getParent().resolve("SHA256SUMS"), sha256(content) + "  example/model.bin\n");
        Files.setLastModifiedTime(dir.getParent().resolve("SHA256SUMS"), SAME_TIME);
    }

    void switchTo(String name) throws IOException {
        Path temporary = volume.resolve(".current-new");
        Files.createSymbolicLink(temporary, Path.of("versions", name));
        Files.move(temporary, volume.resolve("current"), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void modelsAreReadThroughTheCurrentLink() {
        ModelSnapshot first = registry.start().await();
        assertTrue(first.ready(), first.problems().toString());
        assertEquals(sha256("weights-a"), first.models().get(0).sha256());
        assertEquals("example/model.bin", first.models().get(0).name());
    }

    @Test
    void aSwitchOfTheLinkIsSeenAtTheNextPolls() throws Exception {
        registry.start().await();
        switchTo("b");
        ModelSnapshot switched = eventually(s -> s.models().size() == 1
                && sha256("weights-b").equals(s.models().get(0).sha256()));
        assertTrue(switched.ready(), switched.problems().toString());
        switchTo("a");
        eventually(s -> s.models().size() == 1
                && sha256("weights-a").equals(s.models().get(0).sha256()));
    }

    ModelSnapshot eventually(Predicate<ModelSnapshot> condition) throws InterruptedException {
        return ModelRegistryTest.eventually(registry, condition);
    }

    static String sha256(String content) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
