package dev.mcpaudit.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node OpenSearch cluster for the tests, in a child JVM built by the {@code
 * opensearch-node} module (OpenSearch's Lucene differs from the project's, so it cannot share the
 * test JVM's classpath). Started on a free port on 127.0.0.1, stopped by {@link #close()} and, if
 * the test JVM dies first, by a shutdown hook. Where a Docker engine exists the Testcontainers
 * image serves the same purpose; this needs only the artifacts from Maven Central.
 */
public final class OpenSearchNode implements AutoCloseable {
  /** How long a node may take to answer: about 5–40 s on two busy cores. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  private final Process process;
  private final Thread stopOnExit;
  private final int httpPort;

  private final boolean https;

  private OpenSearchNode(Process process, Thread stopOnExit, int httpPort, boolean https) {
    this.process = process;
    this.stopOnExit = stopOnExit;
    this.httpPort = httpPort;
    this.https = https;
  }

  /**
   * Starts a node with its data under {@code home} and waits until it answers.
   *
   * @throws IllegalStateException when the node module is not built, or the node does not start in
   *     time (its output is in {@code home/node.log})
   */
  public static OpenSearchNode start(Path home) {
    return start(home, List.of());
  }

  /**
   * Starts a node that answers 401 to every request without one of {@code authorizations} as its
   * {@code Authorization} header (none: no check), as a cluster with the security plugin does.
   */
  public static OpenSearchNode start(Path home, List<String> authorizations) {
    return start(home, authorizations, 0);
  }

  /**
   * Starts a node on {@code port} (0: a free one); a node stopped with {@link #close()} comes back
   * with its data when started again on the same home and port (outage tests).
   */
  public static OpenSearchNode start(Path home, List<String> authorizations, int port) {
    return start(home, authorizations, port, null);
  }

  /**
   * HTTPS for the node: its PKCS#12 key store and password, and, for mutual TLS, a PKCS#12 trust
   * store (same password) of the CAs whose client certificates it demands (null: none demanded).
   */
  public record Tls(Path keyStore, String password, Path clientCa) {}

  /** Starts a node that serves HTTPS with {@code tls}. */
  public static OpenSearchNode start(Path home, Tls tls) {
    return start(home, List.of(), 0, tls);
  }

  private static OpenSearchNode start(Path home, List<String> authorizations, int port, Tls tls) {
    Path module = moduleDir();
    Path classpath = module.resolve("target/classpath.txt");
    try {
      Files.createDirectories(home);
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      command.addAll(List.of("-Xms512m", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"));
      if (tls != null) {
        command.add("-Dmcpaudit.test.tls.keystore=" + tls.keyStore().toAbsolutePath());
        command.add("-Dmcpaudit.test.tls.password=" + tls.password());
        if (tls.clientCa() != null) {
          command.add("-Dmcpaudit.test.tls.client-ca=" + tls.clientCa().toAbsolutePath());
        }
      }
      command.addAll(
          List.of(
              "-cp",
              module.resolve("target/classes")
                  + java.io.File.pathSeparator
                  + Files.readString(classpath).strip(),
              "dev.mcpaudit.opensearchnode.TestNode",
              home.toString(),
              Integer.toString(port)));
      if (!authorizations.isEmpty()) {
        Path file = home.resolve("authorizations.txt");
        Files.write(file, authorizations);
        command.add(file.toString());
      }
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()))
              .start();
      Thread stop = new Thread(p::destroyForcibly, "opensearch-node-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      Path portFile = home.resolve("http.port");
      Files.deleteIfExists(portFile); // left by an earlier run on this home
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (!Files.exists(portFile)) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          Runtime.getRuntime().removeShutdownHook(stop);
          throw new IllegalStateException(
              "the OpenSearch test node did not start"
                  + (p.isAlive() ? " within " + START_TIMEOUT.toSeconds() + " s" : "")
                  + "; its output is in "
                  + home.resolve("node.log"));
        }
        p.waitFor(100, TimeUnit.MILLISECONDS);
      }
      return new OpenSearchNode(
          p, stop, Integer.parseInt(Files.readString(portFile).strip()), tls != null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the OpenSearch test node in " + home, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the OpenSearch test node", e);
    }
  }

  private static OpenSearchNode shared;

  /**
   * One node for the whole test JVM, started on first use in a temporary directory and stopped when
   * the JVM exits. Tests keep apart by index names (their own {@code opensearch.index-prefix}).
   */
  public static synchronized OpenSearchNode shared() {
    if (shared == null || !shared.process.isAlive()) {
      try {
        shared = start(Files.createTempDirectory("mcp-audit-opensearch-"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** {@code opensearch-node/} of this checkout, found from the module the tests run in. */
  private static Path moduleDir() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path module = dir.resolve("opensearch-node");
      if (Files.isRegularFile(module.resolve("target/classpath.txt"))) {
        return module;
      }
    }
    throw new IllegalStateException(
        "opensearch-node/target/classpath.txt not found above "
            + Path.of("").toAbsolutePath()
            + ": build the opensearch-node module first (it is part of the reactor)");
  }

  public int httpPort() {
    return httpPort;
  }

  /** {@code http://127.0.0.1:<port>}, or {@code https://} when the node serves TLS. */
  public String url() {
    return (https ? "https" : "http") + "://127.0.0.1:" + httpPort;
  }

  /** Stops the node and waits for its process to end. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
