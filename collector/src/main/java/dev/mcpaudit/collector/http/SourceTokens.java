package dev.mcpaudit.collector.http;

import dev.mcpaudit.runtime.auth.BearerToken;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.http.ProblemException;
import java.util.Map;

/**
 * Who is publishing: the bearer token of each request, looked up by its SHA-256 digest. Looking up
 * a digest leaks nothing through timing: an attacker cannot steer the digest of a guess.
 */
final class SourceTokens {
  private final Map<String, SourceGrant> grantByDigest;

  SourceTokens(Map<String, SourceGrant> grantByDigest) {
    this.grantByDigest = Map.copyOf(grantByDigest);
  }

  /**
   * Who the request's token stands for and what it may write, or a 401 that does not say which part
   * was wrong.
   */
  SourceGrant authenticate(String authorizationHeader) {
    String token =
        BearerToken.from(authorizationHeader)
            .orElseThrow(
                () -> ProblemException.unauthorized("send Authorization: Bearer <source token>"));
    SourceGrant grant = grantByDigest.get(TokenDigest.of(token));
    if (grant == null) {
      throw ProblemException.unauthorized("the source token is not valid");
    }
    return grant;
  }
}
