package dev.mcpaudit.schema.event;

/**
 * Identifies the request a decision was about. {@code nonce} (or jti) is what replay detection keys
 * on; {@code argsHmac} lets two calls be compared without logging their arguments.
 */
public record RequestInfo(
    String id, String nonce, String traceId, String spanId, String argsHmac) {}
