package dev.mcpaudit.opensearchnode;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.opensearch.common.settings.Settings;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SecureAuxTransportSettingsProvider;
import org.opensearch.plugins.SecureHttpTransportSettingsProvider;
import org.opensearch.plugins.SecureSettingsFactory;
import org.opensearch.plugins.SecureTransportSettingsProvider;
import org.opensearch.plugins.TransportExceptionHandler;

/**
 * Makes the test node serve HTTPS with the PKCS#12 key store named by {@value #KEYSTORE} (password
 * {@value #PASSWORD}), and, when {@value #CLIENT_CA} names a PKCS#12 trust store, demand a client
 * certificate it signed: OpenSearch's own secure-transport hook, the one the security plugin fills.
 */
public final class ServeTls extends Plugin {
  static final String KEYSTORE = "mcpaudit.test.tls.keystore";
  static final String PASSWORD = "mcpaudit.test.tls.password";
  static final String CLIENT_CA = "mcpaudit.test.tls.client-ca";

  private final SSLContext context;
  private final boolean mutual;

  public ServeTls() throws Exception {
    char[] password = System.getProperty(PASSWORD).toCharArray();
    KeyStore keys = load(Path.of(System.getProperty(KEYSTORE)), password);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    String clientCa = System.getProperty(CLIENT_CA);
    this.mutual = clientCa != null;
    TrustManagerFactory tmf = null;
    if (mutual) {
      tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(load(Path.of(clientCa), password));
    }
    this.context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
  }

  private static KeyStore load(Path file, char[] password) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, password);
    }
    return ks;
  }

  @Override
  public Optional<SecureSettingsFactory> getSecureSettingFactory(Settings settings) {
    SecureHttpTransportSettingsProvider http =
        new SecureHttpTransportSettingsProvider() {
          @Override
          public Optional<TransportExceptionHandler> buildHttpServerExceptionHandler(
              Settings s, HttpServerTransport transport) {
            return Optional.of(TransportExceptionHandler.NOOP);
          }

          @Override
          public Optional<SSLEngine> buildSecureHttpServerEngine(
              Settings s, HttpServerTransport transport) {
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(false);
            engine.setNeedClientAuth(mutual);
            return Optional.of(engine);
          }
        };
    return Optional.of(
        new SecureSettingsFactory() {
          @Override
          public Optional<SecureTransportSettingsProvider> getSecureTransportSettingsProvider(
              Settings s) {
            return Optional.empty();
          }

          @Override
          public Optional<SecureHttpTransportSettingsProvider> getSecureHttpTransportSettingsProvider(
              Settings s) {
            return Optional.of(http);
          }

          @Override
          public Optional<SecureAuxTransportSettingsProvider> getSecureAuxTransportSettingsProvider(
              Settings s) {
            return Optional.empty();
          }
        });
  }
}
