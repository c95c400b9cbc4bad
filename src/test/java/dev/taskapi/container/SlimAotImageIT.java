package dev.taskapi.container;

/** The {@code task-api:<version>-slim-aot} image (target/jib/task-api-slim-aot.tar): slim plus its AOT cache. */
class SlimAotImageIT extends ImageContract {
    /** AOTMode=on makes the JVM refuse to start unless the image's AOT cache matches its runtime and classpath. */
    @Override
    java.util.Map<String, String> extraEnv() {
        return java.util.Map.of("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on");
    }

    @Override
    String variant() {
        return "slim-aot";
    }
}
