package dev.mcpaudit.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP endpoint on loopback that reads each body, counts its lines as accepted events and drops
 * it: what a load generator can offer when nothing behind it is slow.
 */
final class DiscardingCollector implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService pool;

  DiscardingCollector(int threads) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    pool = Executors.newFixedThreadPool(threads);
    server.createContext(
        "/",
        x -> {
          long lines = 0;
          byte[] buf = new byte[64 * 1024];
          try (InputStream in = x.getRequestBody()) {
            for (int n; (n = in.read(buf)) > 0; ) {
              for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                  lines++;
                }
              }
            }
          }
          byte[] answer =
              ("{\"accepted\":" + lines + ",\"rejected\":[]}").getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(202, answer.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(answer);
          }
        });
    server.setExecutor(pool);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/decisions");
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
