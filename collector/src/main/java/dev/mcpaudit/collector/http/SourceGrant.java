package dev.mcpaudit.collector.http;

import dev.mcpaudit.schema.validation.SourceScope;
import java.util.Objects;

/**
 * One configured source: the principal its token authenticates and what that principal may write.
 */
public record SourceGrant(String principal, SourceScope scope) {
  public SourceGrant {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(scope, "scope");
  }
}
