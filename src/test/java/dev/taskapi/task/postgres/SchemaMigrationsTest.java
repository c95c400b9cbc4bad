package dev.taskapi.task.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {
    @Test
    void everyMigrationFileIsListedInOrderAndReadable() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            List<String> onDisk = files.map(p -> p.getFileName().toString())
                    .sorted((a, b) -> Integer.compare(version(a), version(b)))
                    .toList();
            assertEquals(
                    onDisk,
                    SchemaMigrations.FILES,
                    "a new file in db/migration must be added to SchemaMigrations.FILES");
        }
        assertEquals(
                SchemaMigrations.FILES.size(), SchemaMigrations.fromClasspath().latestVersion());
    }

    @Test
    void versionsMustRunFromOneWithoutGaps() {
        assertThrows(
                IllegalStateException.class,
                () -> new SchemaMigrations(List.of(
                        new SchemaMigrations.Migration(1, "a", "SELECT 1"),
                        new SchemaMigrations.Migration(3, "c", "SELECT 1"))));
    }

    private static int version(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }
}
