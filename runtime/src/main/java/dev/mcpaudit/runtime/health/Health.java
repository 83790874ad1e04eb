package dev.mcpaudit.runtime.health;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whether a part of a role can do its work now, and if not, why: what {@code /health/ready}
 * answers.
 */
public sealed interface Health {
  Health READY = new Ready();

  /** Can do its work. */
  record Ready() implements Health {}

  /** Cannot, for {@code reason} (shown to operators: no secrets, no event data). */
  record NotReady(String reason) implements Health {
    public NotReady {
      Objects.requireNonNull(reason);
    }
  }

  static Health notReady(String reason) {
    return new NotReady(reason);
  }

  default boolean ready() {
    return this instanceof Ready;
  }

  /** The first part that is not ready, else ready: a role is ready when all of its parts are. */
  @SafeVarargs
  static Health all(Supplier<Health>... parts) {
    for (Supplier<Health> part : parts) {
      Health h = part.get();
      if (!h.ready()) {
        return h;
      }
    }
    return READY;
  }
}
