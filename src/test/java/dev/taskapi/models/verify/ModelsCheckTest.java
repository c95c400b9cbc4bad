package dev.taskapi.models.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskapi.models.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models pass only if they are a directory whose files are exactly those of its SHA256SUMS, all matching. */
class ModelsCheckTest {
    @TempDir
    Path dir;

    void write(String name, String content) throws IOException {
        Files.createDirectories(dir.resolve(name).getParent());
        Files.writeString(dir.resolve(name), content);
    }

    void sums(String... names) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            text.append(Sha256.hex(Files.readAllBytes(dir.resolve(name))))
                    .append("  ")
                    .append(name)
                    .append('\n');
        }
        Files.writeString(dir.resolve("SHA256SUMS"), text, StandardCharsets.UTF_8);
    }

    String refused() {
        return assertThrows(ModelsRefusedException.class, () -> ModelsCheck.verify(dir))
                .getMessage();
    }

    @Test
    void matchingFilesPass() throws IOException {
        write("a/model.bin", "weights");
        write("b.json", "{}");
        sums("a/model.bin", "b.json");
        ModelsCheck.Summary summary = ModelsCheck.verify(dir);
        assertEquals(2, summary.files());
        assertEquals(9, summary.bytes());
        assertEquals(Sha256.ofFile(dir.resolve("SHA256SUMS")), summary.id(), "the id names the listed content");
    }

    @Test
    void aChangedFileFailsNamingIt() throws IOException {
        write("model.bin", "weights");
        sums("model.bin");
        write("model.bin", "tampered");
        String message = refused();
        assertTrue(message.startsWith("model.bin: sha256 ") && message.contains("differs from SHA256SUMS"), message);
    }

    @Test
    void aListedFileThatIsMissingFails() throws IOException {
        write("model.bin", "weights");
        sums("model.bin");
        Files.delete(dir.resolve("model.bin"));
        assertTrue(refused().contains("listed in SHA256SUMS but missing"));
    }

    @Test
    void anUnlistedFileFails() throws IOException {
        write("model.bin", "weights");
        sums("model.bin");
        write("extra.bin", "?");
        assertEquals("extra.bin is not listed in SHA256SUMS", refused());
    }

    @Test
    void noManifestOrAMalformedOneFails() throws IOException {
        write("model.bin", "weights");
        assertEquals("no SHA256SUMS in " + dir, refused());
        Files.writeString(dir.resolve("SHA256SUMS"), "not a checksum line\n");
        assertTrue(refused().contains("line 1"));
    }
}
