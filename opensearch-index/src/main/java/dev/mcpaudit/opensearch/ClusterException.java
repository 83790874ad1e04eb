package dev.mcpaudit.opensearch;

/** The cluster could not be reached, refused the client, or refused a request. */
public final class ClusterException extends RuntimeException {
  public ClusterException(String message) {
    super(message);
  }

  public ClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
