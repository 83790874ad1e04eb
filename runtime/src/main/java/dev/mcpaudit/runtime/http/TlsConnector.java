package dev.mcpaudit.runtime.http;

import io.javalin.config.JavalinConfig;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The HTTPS connector a listener gets instead of Javalin's plain one: TLS 1.2 and 1.3 only, the
 * JDK's default cipher suites, and {@code Strict-Transport-Security} on every answer so a browser
 * that once reached the UI over HTTPS does not fall back to plain HTTP.
 */
final class TlsConnector {
  private static final long HSTS_SECONDS = 365L * 24 * 3600;

  private TlsConnector() {}

  static void install(JavalinConfig cfg, HttpTls tls, String host, int port) {
    cfg.jetty.addConnector(
        (server, httpConfig) -> {
          SslContextFactory.Server ssl = new SslContextFactory.Server();
          ssl.setKeyStore(tls.keyStore());
          ssl.setKeyStorePassword(new String(tls.password()));
          ssl.setKeyManagerPassword(new String(tls.password()));
          ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
          HttpConfiguration https = new HttpConfiguration(httpConfig);
          SecureRequestCustomizer secure = new SecureRequestCustomizer();
          // Clients behind load balancers reach us by many names; the certificate is checked by
          // the client, the Host header is not ours to police.
          secure.setSniHostCheck(false);
          secure.setStsMaxAge(HSTS_SECONDS);
          https.addCustomizer(secure);
          ServerConnector connector =
              new ServerConnector(
                  server,
                  new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                  new HttpConnectionFactory(https));
          connector.setHost(host);
          connector.setPort(port);
          return connector;
        });
  }
}
