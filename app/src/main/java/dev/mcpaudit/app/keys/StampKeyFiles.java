package dev.mcpaudit.app.keys;

import dev.mcpaudit.kafka.stamp.StampKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes stamp key files readable by their owner only, and never over an existing one. */
public final class StampKeyFiles {
  private StampKeyFiles() {}

  /**
   * Writes {@code key} to {@code file}, which must not exist yet.
   *
   * @throws FileAlreadyExistsException rather than replace a key the roles may still verify with
   */
  public static void write(Path file, StampKey key) throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(
          file.toString(), null, "a key file is never overwritten");
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".stamp-key", ".tmp");
    try {
      ownerOnly(tmp);
      Files.writeString(tmp, key.encode(), StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The key in {@code file}, made first if the file does not exist (the quickstart's own). */
  public static StampKey loadOrCreate(Path file, String id) throws IOException {
    if (!Files.exists(file)) {
      write(file, StampKey.generate(id, StampKey.Scope.ROLES));
    }
    return StampKey.read(file);
  }

  private static void ownerOnly(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory's own protection applies.
    }
  }
}
