package dev.taskapi.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import javax.tools.ToolProvider;

/** The Java programs in src/scripts, which run as single-file sources, compiled once for a test's many runs. */
public final class ScriptPrograms {
    private ScriptPrograms() {}

    /**
     * Compiles {@code program} against {@code classpath} into {@code classes} with {@code --release 17} (so it also
     * checks that the program stays Java 17 source, as the scripts run it on Java 17 or newer).
     */
    public static void compile(Path program, String classpath, Path classes) {
        int javac = ToolProvider.getSystemJavaCompiler()
                .run(
                        null,
                        null,
                        null,
                        "--release",
                        "17",
                        "-cp",
                        classpath,
                        "-d",
                        classes.toString(),
                        program.toString());
        assertEquals(0, javac, "javac --release 17 " + program);
    }
}
