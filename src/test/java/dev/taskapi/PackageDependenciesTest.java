package dev.taskapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: Main → app (assembly, routes) → features (task, model, health, docs) → shared HTTP
 * pieces (http); Main also dispatches to the models check (models.verify, the `verify-models` command), which builds on model only; config is read by Main and app, and by the stores that take its settings. No package imports
 * one above it, so the graph has no cycle.
 */
class PackageDependenciesTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern PACKAGE = Pattern.compile("^package (dev\\.taskapi[\\w.]*);", Pattern.MULTILINE);
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.taskapi(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);

  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "dev.taskapi", Set.of("dev.taskapi.app", "dev.taskapi.config", "dev.taskapi.http", "dev.taskapi.models.verify"),
      "dev.taskapi.app", Set.of("dev.taskapi.config", "dev.taskapi.task", "dev.taskapi.task.postgres",
          "dev.taskapi.models", "dev.taskapi.health", "dev.taskapi.docs", "dev.taskapi.http"),
      "dev.taskapi.task", Set.of("dev.taskapi.http"),
      "dev.taskapi.task.postgres", Set.of("dev.taskapi.task", "dev.taskapi.config", "dev.taskapi.http"),
      "dev.taskapi.models", Set.of("dev.taskapi.http"),
      "dev.taskapi.models.verify", Set.of("dev.taskapi.models"),
      "dev.taskapi.health", Set.of("dev.taskapi.http"),
      "dev.taskapi.docs", Set.of("dev.taskapi.http"),
      "dev.taskapi.http", Set.of(),
      "dev.taskapi.config", Set.of());

  @Test
  void everyPackageImportsOnlyPackagesBelowIt() throws IOException {
    Set<String> violations = new TreeSet<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
        String source = read(file);
        Matcher pkg = PACKAGE.matcher(source);
        String own = pkg.find() ? pkg.group(1) : "?";
        Set<String> allowed = ALLOWED.get(own);
        if (allowed == null) {
          violations.add(own + " (" + file + ") is not in the package graph of this test: place it");
          return;
        }
        Matcher imports = IMPORT.matcher(source);
        while (imports.find()) {
          String used = imports.group(1);
          if (!used.equals(own) && !allowed.contains(used)) {
            violations.add(file + " imports " + used);
          }
        }
      });
    }
    assertEquals(Set.of(), violations);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
