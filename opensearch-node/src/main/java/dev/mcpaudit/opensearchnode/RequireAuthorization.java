package dev.mcpaudit.opensearchnode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.rest.BytesRestResponse;
import org.opensearch.rest.RestHandler;

/**
 * Makes the test node answer 401 to any request whose {@code Authorization} header is not one of
 * those listed (one per line) in the file named by the system property {@value #PROPERTY}: the
 * same REST hook the security plugin uses, so clients meet a real refusal. Loaded only when the
 * property is set.
 */
public final class RequireAuthorization extends Plugin implements ActionPlugin {
  static final String PROPERTY = "mcpaudit.test.authorizations";

  private final Set<String> accepted;

  public RequireAuthorization() throws IOException {
    this.accepted =
        Set.copyOf(Files.readAllLines(Path.of(System.getProperty(PROPERTY))).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .toList());
  }

  @Override
  public UnaryOperator<RestHandler> getRestHandlerWrapper(ThreadContext threadContext) {
    return handler ->
        (request, channel, client) -> {
          String given = request.header("Authorization");
          if (given != null && accepted.contains(given)) {
            handler.handleRequest(request, channel, client);
            return;
          }
          BytesRestResponse refused =
              new BytesRestResponse(
                  RestStatus.UNAUTHORIZED,
                  "application/json",
                  "{\"error\":{\"type\":\"security_exception\",\"reason\":\"missing or wrong"
                      + " authentication credentials\"},\"status\":401}");
          refused.addHeader("WWW-Authenticate", "Basic realm=\"mcp-audit-test\"");
          channel.sendResponse(refused);
        };
  }
}
