package dev.mcpaudit.schema.event;

/** The server-side policy, version and rule that produced the decision. */
public record Policy(String id, String version, String rule) {}
