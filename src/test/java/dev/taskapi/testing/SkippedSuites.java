package dev.taskapi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Records which test classes were skipped and why (a missing prerequisite: {@link Prerequisites}), and writes
 * them, one line per class, to the file named by the system property {@code taskapi.skipped.file}: `make test`
 * prints the lines of the unit and the integration run together at its end, so a machine without an engine,
 * PostgreSQL or kubectl says what it did not run and what each suite needs. Registered with the JUnit Platform
 * through META-INF/services.
 */
public final class SkippedSuites implements TestExecutionListener {
    static final String FILE_PROPERTY = "taskapi.skipped.file";

    /** A skipped class: how many of its tests did not run, and the first reason given. */
    record Skip(int tests, String reason) {}

    private final Map<String, Skip> skipped = new LinkedHashMap<>();
    private final String file;
    private TestPlan plan;

    /** As the JUnit Platform creates it: the file from {@code taskapi.skipped.file}, if set. */
    public SkippedSuites() {
        this(System.getProperty(FILE_PROPERTY));
    }

    SkippedSuites(String file) {
        this.file = file;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        skipped.clear();
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        record(id, reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(id, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (file == null || file.isBlank()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        skipped.forEach((suite, skip) -> lines.append(line(suite, skip)).append('\n'));
        try {
            Path path = Path.of(file);
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code SlimImageIT	12	no container engine answers …}: tab-separated, reasons on one line. */
    static String line(String suite, Skip skip) {
        return suite + "\t" + skip.tests() + "\t"
                + skip.reason().replaceAll("\\s+", " ").strip();
    }

    void record(TestIdentifier id, String reason) {
        Optional<String> suite = suite(id.getSource().orElse(null));
        if (suite.isEmpty()) {
            return;
        }
        int tests = id.isTest()
                ? 1
                : (int) plan.getDescendants(id).stream()
                        .filter(TestIdentifier::isTest)
                        .count();
        String why = reason == null || reason.isBlank() ? "skipped" : reason.replaceFirst("^Assumption failed: ", "");
        skipped.merge(
                suite.get(),
                new Skip(Math.max(tests, 1), why),
                (first, more) -> new Skip(first.tests() + more.tests(), first.reason()));
    }

    /** The top-level class a test or container belongs to, by its simple name. */
    static Optional<String> suite(TestSource source) {
        String className;
        if (source instanceof ClassSource c) {
            className = c.getClassName();
        } else if (source instanceof MethodSource m) {
            className = m.getClassName();
        } else {
            return Optional.empty();
        }
        String topLevel = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        return Optional.of(topLevel.substring(topLevel.lastIndexOf('.') + 1));
    }
}
