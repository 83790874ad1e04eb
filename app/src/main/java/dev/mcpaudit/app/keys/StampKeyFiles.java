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
    writeSecret(file, key.encode());
  }

  /** Writes a secret to {@code file}, owner-only, which must not exist yet. */
  public static void writeSecret(Path file, String secret) throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(
          file.toString(), null, "a key file is never overwritten");
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".stamp-key", ".tmp");
    try {
      ownerOnly(tmp);
      Files.writeString(tmp, secret, StandardCharsets.US_ASCII);
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

  /**
   * The evidence signing key in {@code file}, made first with its public key beside it ({@code
   * <file>.pub}) if it does not exist (the quickstart's own).
   */
  public static dev.mcpaudit.schema.evidence.SigningKey evidenceKey(Path file, String name)
      throws IOException {
    if (!Files.exists(file)) {
      writeEvidenceKey(file, dev.mcpaudit.schema.evidence.SigningKey.generate(name));
    }
    return dev.mcpaudit.schema.evidence.SigningKey.parse(Files.readString(file));
  }

  /** Writes an evidence key: the private key owner-only, its public key to {@code <file>.pub}. */
  public static Path writeEvidenceKey(Path file, dev.mcpaudit.schema.evidence.SigningKey key)
      throws IOException {
    Path pub = publicKeyFile(file);
    if (Files.exists(pub)) {
      throw new FileAlreadyExistsException(pub.toString(), null, "a key file is never overwritten");
    }
    writeSecret(file, key.text() + "\n");
    dev.mcpaudit.schema.evidence.VerifierKey v = key.verifier();
    Files.writeString(
        pub,
        "# mcp-audit evidence key; a retired key keeps a not_after=<instant> and stays listed\n"
            + dev.mcpaudit.schema.evidence.KeySet.line(
                dev.mcpaudit.schema.evidence.VerifierKey.of(
                    v.name(), v.key(), java.time.Instant.now(), null))
            + "\n");
    return pub;
  }

  public static Path publicKeyFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".pub");
  }

  private static void ownerOnly(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory's own protection applies.
    }
  }
}
