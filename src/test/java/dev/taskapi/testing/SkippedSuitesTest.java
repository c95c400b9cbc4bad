package dev.taskapi.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class SkippedSuitesTest {
    @TempDir
    Path dir;

    /** Runs {@code classes} in a launcher of their own with the listener; the file it writes. */
    List<String> run(Class<?>... classes) throws Exception {
        Path file = dir.resolve("skipped.tsv");
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (Class<?> c : classes) {
            request.selectors(selectClass(c));
        }
        LauncherConfig config = LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false)
                .addTestExecutionListeners(new SkippedSuites(file.toString()))
                .build();
        LauncherFactory.create(config).execute(request.build());
        return Files.readAllLines(file);
    }

    @Test
    void aClassSkippedBeforeItsTestsCountsEveryTestWithTheReason() throws Exception {
        assertEquals(List.of("SkippedSuitesTest\t2\tno container engine: install podman"), run(NoEngine.class));
    }

    @Test
    void testsSkippedOneByOneAddUpUnderTheirClassWithTheFirstReason() throws Exception {
        assertEquals(
                List.of("SkippedSuitesTest\t2\tno PostgreSQL: apt-get install postgresql-15"), run(SomeSkipped.class));
    }

    @Test
    void aDisabledTestIsListedWithItsReasonAndTestsThatRanAreNot() throws Exception {
        assertEquals(List.of("SkippedSuitesTest\t1\tnot on this machine"), run(OneDisabled.class));
    }

    @Test
    void nothingSkippedWritesAnEmptyFile() throws Exception {
        assertEquals(List.of(), run(AllRun.class));
    }

    // The classes below are run only by the launcher above (Surefire leaves nested classes out).

    static class NoEngine {
        @BeforeAll
        static void engine() {
            Assumptions.assumeTrue(false, "no container engine:\n install podman");
        }

        @Test
        void one() {}

        @Test
        void two() {}
    }

    static class SomeSkipped {
        @Test
        void one() {
            Assumptions.assumeTrue(false, "no PostgreSQL: apt-get install postgresql-15");
        }

        @Test
        void two() {
            Assumptions.assumeTrue(false, "another reason");
        }

        @Test
        void runs() {}
    }

    static class OneDisabled {
        @Test
        @Disabled("not on this machine")
        void disabled() {}

        @Test
        void runs() {}
    }

    static class AllRun {
        @Test
        void runs() {}
    }
}
