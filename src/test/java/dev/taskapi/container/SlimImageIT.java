package dev.taskapi.container;

/** The {@code task-api:<version>-slim} image (target/jib/task-api-slim.tar). */
class SlimImageIT extends ImageContract {
  @Override
  String variant() {
    return "slim";
  }
}
