package dev.taskapi.container;

/** The {@code task-api:<version>-distroless} image (target/jib/task-api-distroless.tar). */
class DistrolessImageIT extends ImageContract {
    @Override
    String variant() {
        return "distroless";
    }
}
