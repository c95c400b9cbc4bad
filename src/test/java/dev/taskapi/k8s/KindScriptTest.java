package dev.taskapi.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.testing.Command;
import dev.taskapi.testing.Command.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** src/scripts/kind.sh's checks that need bash only: the models' permissions and failsafe's summary. */
class KindScriptTest {
    static final Path SCRIPT = Path.of("src", "scripts", "kind.sh").toAbsolutePath();

    @TempDir
    Path dir;

    static Result kindSh(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return Command.exec(null, env, Duration.ofMinutes(1), cmd);
    }

    Path models(String fileMode, String dirMode) throws IOException {
        Path models = Files.createDirectories(dir.resolve("models/example"));
        Path file = Files.writeString(models.resolve("sentiment.json"), "{}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(fileMode));
        Files.setPosixFilePermissions(models, PosixFilePermissions.fromString(dirMode));
        return dir.resolve("models");
    }

    @Test
    void worldReadableModelsPass() throws IOException {
        Path models = models("rw-r--r--", "rwxr-xr-x");
        kindSh(Map.of(), "check-models", models.toString()).check("check-models");
    }

    @Test
    void aFileWrittenUnderUmask077IsRefusedWithTheChmodToRun() throws IOException {
        Path models = models("rw-------", "rwxr-xr-x");
        Result r = kindSh(Map.of(), "check-models", models.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("example/sentiment.json"), r.err());
        assertTrue(r.err().contains("chmod -R o+rX " + models), r.err());
    }

    @Test
    void aDirectoryOthersCannotEnterIsRefused() throws IOException {
        Path models = models("rw-r--r--", "rwxr-x---");
        Result r = kindSh(Map.of(), "check-models", models.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("models/example "), r.err());
    }

    Result testsRan(String completed, String skipped) throws IOException {
        Path summary = dir.resolve("failsafe-summary.xml");
        Files.writeString(summary, """
        <?xml version="1.0" encoding="UTF-8"?>
        <failsafe-summary xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" result="254" timeout="false">
            <completed>%s</completed>
            <errors>0</errors>
            <failures>0</failures>
            <skipped>%s</skipped>
            <failureMessage xsi:nil="true" />
        </failsafe-summary>
        """.formatted(completed, skipped));
        return kindSh(Map.of(), "tests-ran", summary.toString());
    }

    @Test
    void aKindTestRunWithNoTestIsAFailure() throws IOException {
        Result r = testsRan("0", "0");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no kind test ran"), r.err());
    }

    @Test
    void aKindTestRunWithSkippedTestsIsAFailure() throws IOException {
        Result r = testsRan("6", "6");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("6 of 6 kind tests were skipped"), r.err());
    }

    @Test
    void aKindTestRunThatRanPasses() throws IOException {
        testsRan("6", "0").check("tests-ran");
        assertEquals(
                1,
                kindSh(Map.of(), "tests-ran", dir.resolve("absent.xml").toString())
                        .code());
    }
}
