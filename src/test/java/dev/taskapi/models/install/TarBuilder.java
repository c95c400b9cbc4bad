package dev.taskapi.models.install;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Writes tar archives entry by entry, including the kinds a hostile layer would carry. */
final class TarBuilder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  TarBuilder file(String name, String content) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    header(name, '0', data.length, "");
    out.writeBytes(data);
    pad(data.length);
    return this;
  }

  TarBuilder dir(String name) {
    return header(name, '5', 0, "");
  }

  TarBuilder symlink(String name, String target) {
    return header(name, '2', 0, target);
  }

  TarBuilder hardLink(String name, String target) {
    return header(name, '1', 0, target);
  }

  /** A character device, fifo...: {@code type} as tar writes it ('3', '4', '6'). */
  TarBuilder special(String name, char type) {
    return header(name, type, 0, "");
  }

  /** A pax extended header giving the next entry's path (names longer than 100 bytes). */
  TarBuilder paxPath(String path) {
    String record = " path=" + path + "\n";
    int length = record.length() + 1;
    while (length != (Integer.toString(length) + record).length()) {
      length++;
    }
    byte[] data = (length + record).getBytes(StandardCharsets.UTF_8);
    header("PaxHeader", 'x', data.length, "");
    out.writeBytes(data);
    pad(data.length);
    return this;
  }

  byte[] tar() {
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    copy.writeBytes(out.toByteArray());
    copy.writeBytes(new byte[1024]);
    return copy.toByteArray();
  }

  InputStream gzip() {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
      gz.write(tar());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ByteArrayInputStream(compressed.toByteArray());
  }

  private TarBuilder header(String name, char type, long size, String link) {
    byte[] h = new byte[512];
    put(h, 0, 100, name.length() > 100 ? name.substring(0, 100) : name);
    put(h, 100, 8, String.format("%07o", type == '5' ? 0755 : 0644));
    put(h, 108, 8, "0000000");
    put(h, 116, 8, "0000000");
    put(h, 124, 12, String.format("%011o", size));
    put(h, 136, 12, "00000000000");
    h[156] = (byte) type;
    put(h, 157, 100, link);
    put(h, 257, 6, "ustar");
    put(h, 263, 2, "00");
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, 8, String.format("%06o", sum) + "\0 ");
    out.writeBytes(h);
    return this;
  }

  private void pad(long size) {
    out.writeBytes(new byte[(int) ((512 - size % 512) % 512)]);
  }

  private static void put(byte[] h, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, h, offset, Math.min(bytes.length, length));
  }
}
