package dev.mcpaudit.queryapi.auth;

import java.util.Optional;

/**
 * Turns a request's bearer token into a {@link Caller}: JWTs go to the OIDC verifier (when one is
 * configured), other tokens to the static table. Either way the answer is made from this token
 * alone; nothing is remembered between requests.
 */
public final class Authenticator {
  /** The token was refused; {@code reason} is safe to show. */
  public record Refusal(String reason) {}

  private final StaticTokens tokens;
  private final Optional<OidcTokens> oidc;

  public Authenticator(StaticTokens tokens, Optional<OidcTokens> oidc) {
    this.tokens = tokens;
    this.oidc = oidc;
  }

  public static Authenticator staticOnly(StaticTokens tokens) {
    return new Authenticator(tokens, Optional.empty());
  }

  /** The caller, or why not. */
  public Result authenticate(String token) {
    if (oidc.isPresent() && OidcTokens.looksLikeJwt(token)) {
      try {
        return new Result(oidc.get().verify(token), null);
      } catch (OidcTokens.Refused e) {
        return new Result(null, new Refusal(e.getMessage()));
      }
    }
    return tokens
        .lookup(token)
        .map(c -> new Result(c, null))
        .orElseGet(() -> new Result(null, new Refusal("the token is not valid")));
  }

  public boolean hasAnyCredential() {
    return tokens.size() > 0 || oidc.isPresent();
  }

  public record Result(Caller caller, Refusal refusal) {}
}
