package dev.taskapi.models.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The volume's layout: versions/HEX sealed read-only, current switched by rename, old versions pruned. */
class ModelsVolumeTest {
    @TempDir
    Path dir;

    String publish(String hex, String content) throws IOException {
        ModelsVolume volume = new ModelsVolume(dir);
        Path staging = Files.createDirectories(volume.incoming());
        Files.createDirectory(staging.resolve("sub"));
        Files.writeString(staging.resolve("sub/model.bin"), content);
        volume.publish(staging, hex);
        return hex;
    }

    Set<String> versions() throws IOException {
        try (Stream<Path> list = Files.list(dir.resolve("versions"))) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void aPublishedVersionIsReadOnlyAndCurrentIsARelativeLinkToIt() throws IOException {
        ModelsVolume volume = new ModelsVolume(dir);
        publish("aaa", "one");
        volume.switchTo("aaa");
        assertEquals(Path.of("versions/aaa"), Files.readSymbolicLink(dir.resolve("current")));
        assertEquals("one", Files.readString(dir.resolve("current/sub/model.bin")));
        assertEquals(
                "r--r--r--",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve("versions/aaa/sub/model.bin"))));
        assertEquals(
                "r-xr-xr-x",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("versions/aaa/sub"))));
        assertEquals(
                "r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("versions/aaa"))));
        assertEquals(Optional.of("aaa"), volume.currentVersion());
    }

    @Test
    void switchingReplacesTheLinkAndPruningKeepsOnlyCurrentAndPrevious() throws IOException {
        ModelsVolume volume = new ModelsVolume(dir);
        publish("aaa", "one");
        volume.switchTo("aaa");
        publish("bbb", "two");
        volume.switchTo("bbb");
        volume.prune("bbb", Optional.of("aaa"));
        assertEquals(Set.of("aaa", "bbb"), versions());
        publish("ccc", "three");
        volume.switchTo("ccc");
        volume.prune("ccc", Optional.of("bbb"));
        assertEquals(Set.of("bbb", "ccc"), versions());
        assertEquals("three", Files.readString(dir.resolve("current/sub/model.bin")));
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(
                    Set.of("current", "versions"),
                    list.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "no temporary link is left");
        }
    }

    @Test
    void aTemporaryLinkOfAnInterruptedSwitchIsRemoved() throws IOException {
        ModelsVolume volume = new ModelsVolume(dir);
        Files.createSymbolicLink(dir.resolve(".current-1234"), Path.of("versions/aaa"));
        Files.createDirectory(volume.incoming());
        volume.removeLeftovers();
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(
                    Set.of(".incoming"),
                    list.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "the incoming copy is the copy step's, not a leftover");
        }
    }

    @Test
    void aCurrentThatIsNotALinkIsNeverReplaced() throws IOException {
        Files.createDirectory(dir.resolve("current"));
        ModelsRefusedException e =
                assertThrows(ModelsRefusedException.class, () -> new ModelsVolume(dir).currentVersion());
        assertTrue(e.getMessage().contains("is not a symbolic link"));
        assertFalse(Files.isSymbolicLink(dir.resolve("current")));
    }
}
