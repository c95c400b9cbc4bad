package dev.taskapi.models.install;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;

/**
 * Extracts the {@code models/} part of an image layer (a tar, gzip-compressed or not) into a directory, refusing
 * what could write or point outside it: absolute names, {@code ..}, entries under a symbolic link, links leading
 * out, devices and fifos, whiteouts. Entries outside {@code models/} are skipped. Blocking: call it off the event
 * loop. Regular files are synced to disk; modes are left to the caller.
 */
final class LayerExtractor {
  static final String PREFIX = "models/";
  private static final int BLOCK = 512;
  private static final int MAX_META_BYTES = 1 << 20;
  private static final int MAX_PATH = 4096;

  private final Path root;
  private final long maxEntries;
  private long entries;
  private long bytes;

  /** Extracts into {@code root} (an existing directory), at most {@code maxEntries} entries over all layers. */
  LayerExtractor(Path root, long maxEntries) {
    this.root = root;
    this.maxEntries = maxEntries;
  }

  /** Bytes of regular files written so far. */
  long bytes() {
    return bytes;
  }

  void extract(InputStream layer, boolean gzip) throws IOException {
    InputStream in = new BufferedInputStream(layer, 1 << 16);
    if (gzip) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    String longName = null;
    String longLink = null;
    String paxPath = null;
    String paxLink = null;
    Long paxSize = null;
    byte[] header = new byte[BLOCK];
    while (true) {
      if (!readBlock(in, header)) {
        return;
      }
      if (isZero(header)) {
        return;
      }
      checkChecksum(header);
      char type = (char) header[156];
      long size = paxSize != null ? paxSize : number(header, 124, 12);
      switch (type) {
        case 'x' -> {
          String pax = new String(meta(in, size), StandardCharsets.UTF_8);
          paxPath = paxValue(pax, "path");
          paxLink = paxValue(pax, "linkpath");
          String s = paxValue(pax, "size");
          paxSize = s == null ? null : Long.parseLong(s);
          continue;
        }
        case 'g' -> {
          meta(in, size);
          continue;
        }
        case 'L' -> {
          longName = cString(meta(in, size));
          continue;
        }
        case 'K' -> {
          longLink = cString(meta(in, size));
          continue;
        }
        default -> { }
      }
      String name = paxPath != null ? paxPath : longName != null ? longName : ustarName(header);
      String link = paxLink != null ? paxLink : longLink != null ? longLink : field(header, 157, 100);
      longName = longLink = paxPath = paxLink = null;
      paxSize = null;
      if (++entries > maxEntries) {
        throw new InstallException("the image has more than " + maxEntries + " entries");
      }
      entry(in, type, name, link, size);
    }
  }

  private void entry(InputStream in, char type, String name, String link, long size) throws IOException {
    String relative = relative(name);
    boolean data = type == '0' || type == '\0' || type == '7';
    if (relative == null) {
      skip(in, data ? size + padding(size) : 0);
      return;
    }
    if (relative.isEmpty()) {
      if (type != '5') {
        throw new InstallException("tar entry '" + name + "' is not a directory");
      }
      return;
    }
    Path target = root.resolve(relative);
    createParents(name, relative);
    switch (type) {
      case '0', '\0', '7' -> file(in, name, target, size);
      case '5' -> {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          return;
        }
        removeExisting(name, target);
        Files.createDirectory(target);
      }
      case '2' -> symlink(name, relative, target, link);
      case '1' -> hardLink(name, target, link);
      default -> throw new InstallException("tar entry '" + name + "' is of type '" + type
          + "' (device, fifo or unknown): not extracted");
    }
  }

  /** The path below models/, "" for models/ itself, null for an entry outside it; throws for an unsafe name. */
  static String relative(String name) {
    if (name.length() > MAX_PATH || name.indexOf('\0') >= 0) {
      throw new InstallException("tar entry name is too long or has a NUL byte");
    }
    if (name.startsWith("/")) {
      throw new InstallException("tar entry '" + name + "' has an absolute name");
    }
    String n = name.startsWith("./") ? name.substring(2) : name;
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    for (String segment : n.split("/", -1)) {
      if (segment.equals("..")) {
        throw new InstallException("tar entry '" + name + "' has a '..' component");
      }
      if (segment.startsWith(".wh.")) {
        throw new InstallException("tar entry '" + name + "' is a whiteout: layers that delete files are not supported");
      }
      if ((segment.isEmpty() || segment.equals(".")) && !n.isEmpty()) {
        throw new InstallException("tar entry '" + name + "' has an empty or '.' component");
      }
    }
    if (n.equals("models")) {
      return "";
    }
    return n.startsWith(PREFIX) ? n.substring(PREFIX.length()) : null;
  }

  /** Creates missing parent directories; fails when one exists as anything but a real directory. */
  private void createParents(String name, String relative) throws IOException {
    Path dir = root;
    String[] segments = relative.split("/");
    for (int i = 0; i < segments.length - 1; i++) {
      dir = dir.resolve(segments[i]);
      if (Files.isSymbolicLink(dir)) {
        throw new InstallException("tar entry '" + name + "' lies under a symbolic link");
      }
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir);
      } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new InstallException("tar entry '" + name + "' lies under a file that is not a directory");
      }
    }
  }

  private void file(InputStream in, String name, Path target, long size) throws IOException {
    removeExisting(name, target);
    long usable = Files.getFileStore(root).getUsableSpace();
    if (size > usable) {
      throw new InstallException("no space for '" + name + "' (" + size + " bytes, " + usable + " free on the volume)");
    }
    byte[] buffer = new byte[1 << 16];
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long left = size;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new InstallException("layer ends inside '" + name + "'");
        }
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
        left -= n;
      }
      out.force(true);
    }
    bytes += size;
    skip(in, padding(size));
  }

  private void symlink(String name, String relative, Path target, String link) throws IOException {
    if (link.isEmpty() || link.startsWith("/")) {
      throw new InstallException("symbolic link '" + name + "' -> '" + link + "' is absolute or empty");
    }
    Path resolved = root.resolve(relative).getParent().resolve(link).normalize();
    if (!resolved.startsWith(root)) {
      throw new InstallException("symbolic link '" + name + "' -> '" + link + "' leads outside models/");
    }
    removeExisting(name, target);
    Files.createSymbolicLink(target, Path.of(link));
  }

  private void hardLink(String name, Path target, String link) throws IOException {
    String from = relative(link);
    if (from == null || from.isEmpty()) {
      throw new InstallException("hard link '" + name + "' -> '" + link + "' leads outside models/");
    }
    Path source = root.resolve(from);
    for (Path p = source.getParent(); p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
      if (Files.isSymbolicLink(p)) {
        throw new InstallException("hard link '" + name + "' -> '" + link + "' lies under a symbolic link");
      }
    }
    if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
      throw new InstallException("hard link '" + name + "' -> '" + link + "' names no file extracted before it");
    }
    removeExisting(name, target);
    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
    bytes += Files.size(target);
  }

  /** A later layer's entry replaces an earlier file or link, never a directory. */
  private static void removeExisting(String name, Path target) throws IOException {
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new InstallException("tar entry '" + name + "' would replace a directory");
    }
    Files.deleteIfExists(target);
  }

  private static String ustarName(byte[] header) {
    String name = field(header, 0, 100);
    boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    String prefix = ustar ? field(header, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  /** A numeric field: octal text, or base-256 (high bit set) for large values. */
  private static long number(byte[] header, int offset, int length) {
    if ((header[offset] & 0x80) != 0) {
      long value = header[offset] & 0x7f;
      for (int i = offset + 1; i < offset + length; i++) {
        if (value > (Long.MAX_VALUE >> 8)) {
          throw new InstallException("tar size field is too large");
        }
        value = (value << 8) | (header[i] & 0xff);
      }
      return value;
    }
    String text = field(header, offset, length).strip();
    try {
      return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw new InstallException("tar header has a malformed number '" + text + "'");
    }
  }

  private static void checkChecksum(byte[] header) {
    long expected = number(header, 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
    }
    if (sum != expected) {
      throw new InstallException("a tar header's checksum is wrong: the layer is not a tar archive");
    }
  }

  private static byte[] meta(InputStream in, long size) throws IOException {
    if (size < 0 || size > MAX_META_BYTES) {
      throw new InstallException("a tar extended header is " + size + " bytes, more than " + MAX_META_BYTES);
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length != size) {
      throw new EOFException("layer ends inside a tar extended header");
    }
    skip(in, padding(size));
    return data;
  }

  /** A pax extended header's value for {@code key}: records are "LENGTH key=value\n". */
  private static String paxValue(String pax, String key) {
    String value = null;
    for (String record : pax.split("\n")) {
      int space = record.indexOf(' ');
      int eq = record.indexOf('=');
      if (space > 0 && eq > space && record.substring(space + 1, eq).equals(key)) {
        value = record.substring(eq + 1);
      }
    }
    return value;
  }

  private static String cString(byte[] data) {
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return new String(data, 0, end, StandardCharsets.UTF_8);
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static void skip(InputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("layer ends inside an entry");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  private static boolean readBlock(InputStream in, byte[] block) throws IOException {
    int n = in.readNBytes(block, 0, BLOCK);
    if (n == 0) {
      return false;
    }
    if (n < BLOCK) {
      throw new EOFException("layer ends inside a tar header");
    }
    return true;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
