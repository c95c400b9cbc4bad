package dev.taskapi;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Dependencies point one way: Main → app (assembly, routes) → the HTTP side (the task endpoints in task.web,
 * health, docs, and the shared HTTP pieces in http, whose ProblemHandler renders the domain's failures) → the
 * domain (task, task.postgres, models), which knows neither HTTP nor the health-check library. Main also
 * dispatches to the one-shot commands: the models check (models.verify, `verify-models`), which builds on models
 * only, and the schema migration (task.postgres, `migrate`); config is read by Main and
 * app, and by the stores that take its settings. No package imports one above it, so the graph has no cycle.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package (dev\\.taskapi[\\w.]*);", Pattern.MULTILINE);
    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?(dev\\.taskapi(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);

    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            entry(
                    "dev.taskapi",
                    Set.of(
                            "dev.taskapi.app",
                            "dev.taskapi.config",
                            "dev.taskapi.http",
                            "dev.taskapi.models.verify",
                            "dev.taskapi.task.postgres")),
            entry(
                    "dev.taskapi.app",
                    Set.of(
                            "dev.taskapi.config",
                            "dev.taskapi.task",
                            "dev.taskapi.task.postgres",
                            "dev.taskapi.task.web",
                            "dev.taskapi.models",
                            "dev.taskapi.health",
                            "dev.taskapi.docs",
                            "dev.taskapi.http")),
            entry("dev.taskapi.task.web", Set.of("dev.taskapi.task", "dev.taskapi.http")),
            entry("dev.taskapi.task", Set.of()),
            entry("dev.taskapi.task.postgres", Set.of("dev.taskapi.task", "dev.taskapi.config")),
            entry("dev.taskapi.models", Set.of()),
            entry("dev.taskapi.models.verify", Set.of("dev.taskapi.models")),
            entry("dev.taskapi.health", Set.of("dev.taskapi.task", "dev.taskapi.models", "dev.taskapi.http")),
            entry("dev.taskapi.docs", Set.of("dev.taskapi.http")),
            entry("dev.taskapi.http", Set.of("dev.taskapi.task")),
            entry("dev.taskapi.config", Set.of()));

    /** The domain: what tasks and models are and where they live, whoever asks. */
    private static final Set<String> DOMAIN =
            Set.of("dev.taskapi.task", "dev.taskapi.task.postgres", "dev.taskapi.models");
    /**
     * What the domain must not mention, imported or spelled out in full: the service's HTTP layer, the web
     * framework, HTTP itself and the health-check library (readiness is adapted to it in the health package).
     */
    private static final Pattern NOT_IN_DOMAIN = Pattern.compile(
            "\\b(dev\\.taskapi\\.http|io\\.vertx\\.ext\\.healthchecks|io\\.vertx\\.ext\\.web|io\\.vertx\\.core\\.http)\\.");
    /**
     * Files of a domain package that are HTTP all the same: the models listing endpoint, which lives beside the
     * registry it reads. It needs the web framework only, not the service's HTTP layer.
     */
    private static final Map<Path, Set<String>> HTTP_IN_DOMAIN =
            Map.of(SOURCES.resolve("dev/taskapi/models/ModelHandlers.java"), Set.of("io.vertx.ext.web"));

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

    @Test
    void theDomainKnowsNeitherHttpNorTheHealthCheckLibrary() throws IOException {
        Set<String> violations = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
                String source = read(file);
                Matcher pkg = PACKAGE.matcher(source);
                if (!pkg.find() || !DOMAIN.contains(pkg.group(1))) {
                    return;
                }
                Set<String> exempt = HTTP_IN_DOMAIN.getOrDefault(file, Set.of());
                Matcher used = NOT_IN_DOMAIN.matcher(source);
                while (used.find()) {
                    if (!exempt.contains(used.group(1))) {
                        violations.add(file + " uses " + used.group(1));
                    }
                }
            });
        }
        assertEquals(Set.of(), violations);
    }

    @Test
    void theHttpFilesInTheDomainStillExist() {
        HTTP_IN_DOMAIN
                .keySet()
                .forEach(file -> assertTrue(Files.isRegularFile(file), file + " is gone: drop its exemption"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
