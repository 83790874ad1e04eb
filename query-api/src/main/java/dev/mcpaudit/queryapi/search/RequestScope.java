package dev.mcpaudit.queryapi.search;

/**
 * When the request on this thread arrived and who it is from, for the search admission: the
 * deadline counts from arrival, not from when work starts, and limits are per caller. Set by the
 * HTTP edge around each request (each request has a thread of its own); absent outside one.
 */
public final class RequestScope {
  private static final ThreadLocal<RequestScope> CURRENT = new ThreadLocal<>();

  private final long arrivalNanos;
  private volatile String principal;

  private RequestScope(long arrivalNanos) {
    this.arrivalNanos = arrivalNanos;
  }

  /** Called first thing for every API request. */
  public static void begin() {
    CURRENT.set(new RequestScope(System.nanoTime()));
  }

  /** Called once the request's caller is authenticated. */
  public static void caller(String principal) {
    RequestScope s = CURRENT.get();
    if (s != null) {
      s.principal = principal;
    }
  }

  public static void end() {
    CURRENT.remove();
  }

  /** The request on this thread, or null outside one. */
  public static RequestScope current() {
    return CURRENT.get();
  }

  public long arrivalNanos() {
    return arrivalNanos;
  }

  /** The authenticated caller, or null until authenticated. */
  public String principal() {
    return principal;
  }
}
