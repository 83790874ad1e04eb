package dev.mcpaudit.schema.event;

/**
 * Where the decision was made, as the publisher claims it. {@code authenticated} is stamped by the
 * collector from the credential that published the event and is never trusted from a client.
 */
public record Source(String gateway, String worker, String region, String authenticated) {

  public Source withAuthenticated(String principal) {
    return new Source(gateway, worker, region, principal);
  }
}
