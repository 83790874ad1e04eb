package dev.mcpaudit.runtime.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request to a listener's own {@code /health/live} before the listener is handed out. Javalin
 * builds its request context lazily, without a lock, on the first request; two first requests at
 * once (two clients that finished their TLS handshakes together) can see it half built and get a
 * 500. Serving one request first builds it.
 */
final class FirstRequest {
  private static final Logger log = LoggerFactory.getLogger(FirstRequest.class);

  private FirstRequest() {}

  static void send(String host, int port, HttpSecurity security) {
    String target = "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
    try (Socket socket = open(target, port, security)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[512];
      while (in.read(buf) >= 0) {
        // read the answer to its end
      }
    } catch (IOException | GeneralSecurityException e) {
      // Not fatal: the listener is up; the race this avoids is rare.
      log.warn("first request to own listener failed port={} error={}", port, e.toString());
    }
  }

  private static Socket open(String host, int port, HttpSecurity security)
      throws IOException, GeneralSecurityException {
    if (security.tls().isEmpty()) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress(host, port), 5_000);
      return s;
    }
    // Trust exactly our own chain; the name is not checked (we know whom we are calling).
    KeyStore own = security.tls().get().keyStore();
    List<Certificate> chain = new ArrayList<>();
    for (String alias : Collections.list(own.aliases())) {
      Certificate[] c = own.getCertificateChain(alias);
      if (c != null) {
        chain.addAll(List.of(c));
      }
    }
    SSLContext ctx = TrustedCertificates.trusting(chain);
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress(host, port), 5_000);
    return ctx.getSocketFactory().createSocket(raw, host, port, true);
  }
}
