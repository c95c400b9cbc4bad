package dev.taskapi.models.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A layer's models/ lands in the staging directory; anything that could reach outside it is refused. */
class LayerExtractorTest {
  @TempDir Path volume;
  Path staging;
  Path outside;

  @BeforeEach
  void setUp() throws IOException {
    staging = Files.createDirectory(volume.resolve("staging"));
    outside = Files.createDirectory(volume.resolve("outside"));
  }

  void extract(TarBuilder tar) throws IOException {
    new LayerExtractor(staging, 1000).extract(tar.gzip(), true);
  }

  String refused(TarBuilder tar) {
    return assertThrows(InstallException.class, () -> extract(tar)).getMessage();
  }

  @Test
  void extractsTheModelsFolderOfAGzipLayerAndSkipsTheRest() throws IOException {
    extract(new TarBuilder().dir("models/").file("models/SHA256SUMS", "sums").dir("models/example/")
        .file("models/example/m.json", "{}").file("etc/passwd", "root").file("./models/top.bin", "x"));
    assertEquals("{}", Files.readString(staging.resolve("example/m.json")));
    assertEquals("x", Files.readString(staging.resolve("top.bin")));
    assertFalse(Files.exists(staging.resolve("etc")));
    assertFalse(Files.exists(volume.resolve("etc")));
  }

  @Test
  void readsAnUncompressedLayerAndPaxLongNames() throws IOException {
    String deep = "models/" + "d".repeat(80) + "/" + "f".repeat(80) + ".bin";
    new LayerExtractor(staging, 1000).extract(new ByteArrayInputStream(new TarBuilder().paxPath(deep).file("ignored", "long").tar()), false);
    assertEquals("long", Files.readString(staging.resolve(deep.substring("models/".length()))));
  }

  @Test
  void dotDotIsRefused() {
    assertTrue(refused(new TarBuilder().file("models/../outside/x", "evil")).contains("'..'"));
    assertFalse(Files.exists(outside.resolve("x")));
  }

  @Test
  void absoluteNamesAreRefused() {
    assertTrue(refused(new TarBuilder().file("/models/x", "evil")).contains("absolute"));
  }

  @Test
  void aSymbolicLinkLeadingOutIsRefused() {
    assertTrue(refused(new TarBuilder().symlink("models/escape", "../outside")).contains("leads outside"));
    assertTrue(refused(new TarBuilder().symlink("models/abs", "/etc/passwd")).contains("absolute"));
  }

  @Test
  void nothingIsWrittenThroughASymbolicLink() {
    String message = refused(new TarBuilder().dir("models/sub/").symlink("models/link", "sub").file("models/link/x", "y"));
    assertTrue(message.contains("under a symbolic link"), message);
  }

  @Test
  void aSymbolicLinkInsideIsKept() throws IOException {
    extract(new TarBuilder().file("models/real.bin", "r").symlink("models/alias.bin", "real.bin"));
    assertEquals("r", Files.readString(staging.resolve("alias.bin")));
    assertTrue(Files.isSymbolicLink(staging.resolve("alias.bin")));
  }

  @Test
  void devicesAndFifosAreRefused() {
    assertTrue(refused(new TarBuilder().special("models/tty", '3')).contains("device, fifo"));
    assertTrue(refused(new TarBuilder().special("models/pipe", '6')).contains("device, fifo"));
  }

  @Test
  void hardLinksAreCopiesOfFilesInside() throws IOException {
    extract(new TarBuilder().file("models/a.bin", "a").hardLink("models/b.bin", "models/a.bin"));
    assertEquals("a", Files.readString(staging.resolve("b.bin")));
    assertTrue(refused(new TarBuilder().hardLink("models/c", "etc/shadow")).contains("outside models/"));
  }

  @Test
  void whiteoutsAreRefused() {
    assertTrue(refused(new TarBuilder().file("models/.wh.old.bin", "")).contains("whiteout"));
  }

  @Test
  void tooManyEntriesAreRefused() {
    TarBuilder tar = new TarBuilder();
    for (int i = 0; i < 5; i++) {
      tar.file("models/f" + i, "x");
    }
    InstallException e = assertThrows(InstallException.class, () -> new LayerExtractor(staging, 3).extract(tar.gzip(), true));
    assertTrue(e.getMessage().contains("more than 3 entries"), e.getMessage());
  }

  @Test
  void aCorruptHeaderIsRefused() {
    byte[] tar = new TarBuilder().file("models/x", "y").tar();
    tar[10] ^= 1;
    assertThrows(InstallException.class,
        () -> new LayerExtractor(staging, 10).extract(new ByteArrayInputStream(tar), false));
  }
}
