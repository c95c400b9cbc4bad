package dev.taskapi.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.models.ModelFile.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner on its own, on real directories. What a non-root process cannot open is denied through
 * {@link FaultyFileSystem}, since permission bits do not stop root.
 */
class ModelScannerTest {
    @TempDir
    Path dir;

    @TempDir
    Path elsewhere;

    final FaultyFileSystem fs = new FaultyFileSystem();

    ModelSnapshot scan(Path root) {
        ModelScanner scanner = new ModelScanner(root, false);
        return scanner.scan(scanner.list(), ModelSnapshot.NOT_SCANNED, Map.of());
    }

    static Map<String, Status> statuses(ModelSnapshot snapshot) {
        Map<String, Status> statuses = new TreeMap<>();
        snapshot.models().forEach(m -> statuses.put(m.name(), m.status()));
        return statuses;
    }

    static ModelFile model(ModelSnapshot snapshot, String name) {
        return snapshot.models().stream()
                .filter(m -> m.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    void write(String name, String text) throws Exception {
        Files.createDirectories(dir.resolve(name).getParent());
        Files.writeString(dir.resolve(name), text);
    }

    @Test
    void lostAndFoundDoesNotHideModels() throws Exception {
        write("model.bin", "weights");
        Files.createDirectory(dir.resolve("lost+found"));
        fs.deny(dir.resolve("lost+found"));

        ModelSnapshot snapshot = scan(fs.view(dir));

        assertEquals(Map.of("model.bin", Status.UNCHECKED), statuses(snapshot));
        assertTrue(snapshot.ready(), snapshot.problems().toString());
        assertEquals(List.of(), snapshot.skipped());
    }

    @Test
    void unreadableDirectoryIsReportedWithoutHidingTheOthersOrFailingReadiness() throws Exception {
        write("public.bin", "public");
        write("private/secret.bin", "secret");
        write("SHA256SUMS", sha256("public") + "  public.bin\n");
        fs.deny(dir.resolve("private"));

        ModelSnapshot snapshot = scan(fs.view(dir));

        assertEquals(Map.of("public.bin", Status.VERIFIED, "private", Status.UNREADABLE), statuses(snapshot));
        assertTrue(snapshot.ready(), snapshot.problems().toString());
        assertEquals(List.of("private: cannot be read"), snapshot.skipped());
    }

    @Test
    void modelListedInSha256sumsInsideAnUnreadableDirectoryFailsReadiness() throws Exception {
        write("private/model.bin", "weights");
        write("SHA256SUMS", sha256("weights") + "  private/model.bin\n");
        fs.deny(dir.resolve("private"));

        ModelSnapshot snapshot = scan(fs.view(dir));

        assertEquals(Status.UNREADABLE, model(snapshot, "private/model.bin").status());
        assertEquals(List.of("private/model.bin: cannot be read"), snapshot.problems());
    }

    @Test
    void unreadableFileFailsReadinessOnlyWhenSha256sumsListsIt() throws Exception {
        write("locked.bin", "weights");
        write("open.bin", "open");
        fs.deny(dir.resolve("locked.bin"));

        ModelSnapshot unlisted = scan(fs.view(dir));
        assertEquals(Map.of("locked.bin", Status.UNREADABLE, "open.bin", Status.UNCHECKED), statuses(unlisted));
        assertTrue(unlisted.ready(), unlisted.problems().toString());

        write("SHA256SUMS", sha256("weights") + "  locked.bin\n");
        ModelSnapshot listed = scan(fs.view(dir));
        assertEquals(List.of("locked.bin: cannot be read"), listed.problems());
    }

    @Test
    void symlinkLoopsAreReportedWithoutFailingTheListing() throws Exception {
        write("llm/model.bin", "weights");
        Files.createSymbolicLink(dir.resolve("llm/parent"), Path.of(".."));
        Files.createSymbolicLink(dir.resolve("self"), Path.of("self"));

        ModelSnapshot snapshot = scan(dir);

        assertEquals(
                Map.of("llm/model.bin", Status.UNCHECKED, "llm/parent", Status.LOOP, "self", Status.LOOP),
                statuses(snapshot));
        assertTrue(snapshot.ready(), snapshot.problems().toString());
    }

    @Test
    void symlinksLeavingTheDirectoryAreNeitherFollowedNorHashed() throws Exception {
        Files.writeString(elsewhere.resolve("shadow"), "root:secret");
        Files.createSymbolicLink(dir.resolve("shadow"), elsewhere.resolve("shadow"));
        Files.createSymbolicLink(dir.resolve("etc"), elsewhere);
        write("model.bin", "weights");

        ModelSnapshot snapshot = scan(dir);

        assertEquals(
                Map.of("model.bin", Status.UNCHECKED, "shadow", Status.OUTSIDE, "etc", Status.OUTSIDE),
                statuses(snapshot));
        assertNull(model(snapshot, "shadow").sha256());
        assertTrue(snapshot.ready(), snapshot.problems().toString());
    }

    @Test
    void symlinkLeavingTheDirectoryFailsReadinessWhenSha256sumsListsIt() throws Exception {
        Files.writeString(elsewhere.resolve("model.bin"), "weights");
        Files.createSymbolicLink(dir.resolve("model.bin"), elsewhere.resolve("model.bin"));
        write("SHA256SUMS", sha256("weights") + "  model.bin\n");

        ModelSnapshot snapshot = scan(dir);

        assertEquals(Status.OUTSIDE, model(snapshot, "model.bin").status());
        assertEquals(List.of("model.bin: symbolic link to outside MODELS_DIR, not followed"), snapshot.problems());
    }

    @Test
    void danglingSymlinkIsReportedAsBroken() throws Exception {
        write("model.bin", "weights");
        Files.createSymbolicLink(dir.resolve("old.bin"), Path.of("removed.bin"));

        ModelSnapshot snapshot = scan(dir);

        assertEquals(Map.of("model.bin", Status.UNCHECKED, "old.bin", Status.BROKEN), statuses(snapshot));
        assertTrue(snapshot.ready(), snapshot.problems().toString());
    }

    @Test
    void symlinksStayingInsideAreFollowedAsInAConfigMapVolume() throws Exception {
        write("..2026_01_01_00_00_00.1/model.bin", "weights");
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_01_01_00_00_00.1"));
        Files.createSymbolicLink(dir.resolve("model.bin"), Path.of("..data/model.bin"));
        write("v2/vocab.txt", "a b c");
        Files.createSymbolicLink(dir.resolve("latest"), Path.of("v2"));
        write("SHA256SUMS", sha256("weights") + "  model.bin\n" + sha256("a b c") + "  latest/vocab.txt\n");

        ModelSnapshot snapshot = scan(dir);

        assertEquals(
                Map.of(
                        "model.bin",
                        Status.VERIFIED,
                        "latest/vocab.txt",
                        Status.VERIFIED,
                        "v2/vocab.txt",
                        Status.UNLISTED),
                statuses(snapshot));
        assertEquals(sha256("weights"), model(snapshot, "model.bin").sha256());
        assertTrue(snapshot.ready(), snapshot.problems().toString());
    }

    @Test
    void aSymlinkedModelsDirectoryIsItsOwnInside() throws Exception {
        write("model.bin", "weights");
        Path link = elsewhere.resolve("models");
        Files.createSymbolicLink(link, dir);

        ModelSnapshot snapshot = scan(link);

        assertEquals(Map.of("model.bin", Status.UNCHECKED), statuses(snapshot));
        assertTrue(snapshot.ready(), snapshot.problems().toString());
    }
}
