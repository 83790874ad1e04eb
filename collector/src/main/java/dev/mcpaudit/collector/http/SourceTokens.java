package dev.mcpaudit.collector.http;

import dev.mcpaudit.runtime.auth.BearerToken;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.http.ProblemException;
import java.util.Map;

/**
 * Who is publishing: the bearer token of each request, looked up by its SHA-256 digest. Looking
 * up a digest leaks nothing through timing: an attacker cannot steer the digest of a guess.
 */
final class SourceTokens {
  private final Map<String, String> principalByDigest;

  SourceTokens(Map<String, String> principalByDigest) {
    this.principalByDigest = Map.copyOf(principalByDigest);
  }

  /** The principal of the request's token, or a 401 that does not say which part was wrong. */
  String authenticate(String authorizationHeader) {
    String token = BearerToken.from(authorizationHeader)
        .orElseThrow(() -> ProblemException.unauthorized("send Authorization: Bearer <source token>"));
    String principal = principalByDigest.get(TokenDigest.of(token));
    if (principal == null) {
      throw ProblemException.unauthorized("the source token is not valid");
    }
    return principal;
  }
}
