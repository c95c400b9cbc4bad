package dev.taskapi.container;

/** The {@code task-api:<version>-distroless} image (target/jib/task-api-distroless.tar). */
class DistrolessImageTest extends ImageContractTest {
  @Override
  String variant() {
    return "distroless";
  }
}
