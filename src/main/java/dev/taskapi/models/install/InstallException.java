package dev.taskapi.models.install;

/** The install cannot go on; the message is the one line the installer prints, naming the cause. */
final class InstallException extends RuntimeException {
  InstallException(String message) {
    super(message);
  }

  InstallException(String message, Throwable cause) {
    super(message, cause);
  }
}
