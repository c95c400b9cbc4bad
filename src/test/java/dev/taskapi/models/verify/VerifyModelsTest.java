package dev.taskapi.models.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.models.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify-models} as the init container runs it: in place on a read-only directory, or publishing the copy
 * step's {@code .incoming} into a volume's versions and switching {@code current}.
 */
class VerifyModelsTest {
    @TempDir
    Path volume;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = VerifyModels.run(
                List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Writes {@code model.bin} with {@code content} and its SHA256SUMS into DIR, as the models image holds them. */
    static Path models(Path dir, String content) throws IOException {
        Files.createDirectories(dir.resolve("example"));
        Files.writeString(dir.resolve("example/model.bin"), content);
        Files.writeString(
                dir.resolve("SHA256SUMS"),
                Sha256.hex(content.getBytes(StandardCharsets.UTF_8)) + "  example/model.bin\n");
        return dir;
    }

    Path incoming(String content) throws IOException {
        return models(volume.resolve(".incoming"), content);
    }

    String id(String content) {
        String sums = Sha256.hex(content.getBytes(StandardCharsets.UTF_8)) + "  example/model.bin\n";
        return Sha256.hex(sums.getBytes(StandardCharsets.UTF_8));
    }

    Set<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void verifiesADirectoryInPlaceWithoutWritingToIt() throws IOException {
        Path dir = models(volume.resolve("image"), "weights");
        Run run = run(dir.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(
                run.out().startsWith("verify-models: " + dir + ": 1 file(s), 7 bytes verified against SHA256SUMS"),
                run.out());
        assertEquals(Set.of("example", "SHA256SUMS"), names(dir));
    }

    @Test
    void aMismatchInPlaceIsRefusedNamingTheFile() throws IOException {
        Path dir = models(volume.resolve("image"), "weights");
        Files.writeString(dir.resolve("example/model.bin"), "tampered");
        Run run = run(dir.toString());
        assertEquals(1, run.code());
        assertTrue(
                run.err().startsWith("verify-models: refused: example/model.bin: sha256 ")
                        && run.err().contains("differs from SHA256SUMS"),
                run.err());
        assertEquals("", run.out());
    }

    @Test
    void publishesTheIncomingCopyAsAVersionAndSwitchesCurrentToIt() throws IOException {
        incoming("weights");
        Run run = run("--publish", volume.toString());
        assertEquals(0, run.code(), run.err());
        String id = id("weights");
        assertEquals(Path.of("versions", id), Files.readSymbolicLink(volume.resolve("current")));
        assertEquals("weights", Files.readString(volume.resolve("current/example/model.bin")));
        assertEquals(Set.of(".lock", "current", "versions"), names(volume), "the incoming copy became the version");
        assertTrue(run.out().contains("-> versions/" + id), run.out());
    }

    @Test
    void theSameModelsAgainSwitchToTheKeptVersionAndANewOneKeepsThePrevious() throws IOException {
        incoming("one");
        assertEquals(0, run("--publish", volume.toString()).code());
        incoming("one");
        Run again = run("--publish", volume.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("(already current)"), again.out());
        incoming("two");
        assertEquals(0, run("--publish", volume.toString()).code());
        incoming("three");
        assertEquals(0, run("--publish", volume.toString()).code());
        assertEquals(Set.of(id("two"), id("three")), names(volume.resolve("versions")), "current and previous kept");
        assertEquals(Path.of("versions", id("three")), Files.readSymbolicLink(volume.resolve("current")));
    }

    @Test
    void aTamperedCopyIsRefusedNothingIsPublishedAndTheCopyIsRemoved() throws IOException {
        incoming("weights");
        assertEquals(0, run("--publish", volume.toString()).code());
        Path bad = incoming("other");
        Files.writeString(bad.resolve("example/model.bin"), "tampered");
        Run run = run("--publish", volume.toString());
        assertEquals(1, run.code(), run.out());
        assertTrue(run.err().startsWith("verify-models: refused: example/model.bin: sha256 "), run.err());
        assertEquals(
                Path.of("versions", id("weights")), Files.readSymbolicLink(volume.resolve("current")), "unchanged");
        assertEquals(Set.of(id("weights")), names(volume.resolve("versions")));
        assertFalse(Files.exists(bad), "the next copy starts clean");
    }

    @Test
    void anUnlistedFileInTheCopyIsRefused() throws IOException {
        Path copy = incoming("weights");
        Files.writeString(copy.resolve("extra.sh"), "#!/bin/sh\n");
        Run run = run("--publish", volume.toString());
        assertEquals(1, run.code());
        assertEquals(
                "verify-models: refused: extra.sh is not listed in SHA256SUMS",
                run.err().strip());
    }

    @Test
    void noCopyOrNoDirectoryIsRefusedSayingWhatIsMissing() {
        Run noCopy = run("--publish", volume.toString());
        assertEquals(1, noCopy.code());
        assertTrue(
                noCopy.err()
                        .contains(".incoming is not a directory: the models image's copy step writes its files there"),
                noCopy.err());
        Run noDir = run(volume.resolve("absent").toString());
        assertEquals(1, noDir.code());
        assertTrue(noDir.err().contains("absent is not a directory"), noDir.err());
    }

    @Test
    void wrongArgumentsPrintTheUsage() {
        for (List<String> args :
                List.of(List.<String>of(), List.of("--publish"), List.of("--verbose", "/m"), List.of("a", "b"))) {
            Run run = run(args.toArray(String[]::new));
            assertEquals(2, run.code(), args.toString());
            assertTrue(run.err().startsWith("usage: verify-models DIR"), run.err());
        }
    }
}
