package dev.mcpaudit.opensearchnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.opensearch.Version;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.Node;
import org.opensearch.plugins.PluginInfo;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * One single-node OpenSearch cluster on 127.0.0.1, for the tests: {@code TestNode HOME HTTP_PORT}
 * starts it (port 0 picks a free one), writes the bound HTTP port to {@code HOME/http.port} once it
 * answers, and runs until the process is stopped. Started as a child JVM by the test kit's {@code
 * OpenSearchNode}; no security plugin, so plain HTTP. With a third argument, a file of accepted
 * {@code Authorization} header values, every request must carry one ({@link RequireAuthorization});
 * with the system properties of {@link ServeTls}, it serves HTTPS (and may demand a client
 * certificate).
 */
public final class TestNode extends Node {
  private TestNode(Environment environment, List<PluginInfo> plugins) {
    super(environment, plugins, true);
  }

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]).toAbsolutePath();
    int httpPort = Integer.parseInt(args[1]);
    Files.createDirectories(home.resolve("config"));
    Settings settings =
        Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("cluster.name", "mcp-audit-test")
            .put("node.name", "test-node")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", 0)
            .put("http.type", System.getProperty(ServeTls.KEYSTORE) == null ? "netty4" : "netty4-secure")
            .put("transport.type", "netty4")
            .build();
    // The HTTP and transport layers are a module of OpenSearch's own: loaded as a plugin.
    PluginInfo netty =
        new PluginInfo(
            "transport-netty4",
            "netty4 transport",
            "na",
            Version.CURRENT,
            "21",
            Netty4ModulePlugin.class.getName(),
            null,
            List.of(),
            false);
    List<PluginInfo> plugins = new java.util.ArrayList<>(List.of(netty));
    if (args.length > 2) {
      System.setProperty(RequireAuthorization.PROPERTY, Path.of(args[2]).toAbsolutePath().toString());
      plugins.add(
          new PluginInfo(
              "require-authorization",
              "401 without an accepted Authorization header",
              "na",
              Version.CURRENT,
              "21",
              RequireAuthorization.class.getName(),
              null,
              List.of(),
              false));
    }
    if (System.getProperty(ServeTls.KEYSTORE) != null) {
      plugins.add(
          new PluginInfo(
              "serve-tls",
              "HTTPS with a key store of the test's own",
              "na",
              Version.CURRENT,
              "21",
              ServeTls.class.getName(),
              null,
              List.of(),
              false));
    }
    TestNode node = new TestNode(new Environment(settings, home.resolve("config")), plugins);
    node.start();
    int port =
        node.injector()
            .getInstance(HttpServerTransport.class)
            .boundAddress()
            .publishAddress()
            .getPort();
    // Written whole, then moved: a reader never sees half a number.
    Path tmp = home.resolve("http.port.tmp");
    Files.writeString(tmp, Integer.toString(port));
    Files.move(tmp, home.resolve("http.port"), StandardCopyOption.ATOMIC_MOVE);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    node.close();
                  } catch (Exception e) {
                    // stopping anyway
                  }
                }));
    // OpenSearch's own threads are daemons: this one keeps the process alive.
    new CountDownLatch(1).await();
  }
}
