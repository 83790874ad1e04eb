package dev.mcpaudit.schema.event;

/**
 * What was called: the MCP server, the MCP method ({@code tools/call}, {@code resources/read}, ...)
 * and the tool name or resource URI.
 */
public record Tool(String server, String name, String method, String resource) {

  /** The tool name, or the resource when the call named no tool (resources/read). */
  public String displayName() {
    return name != null ? name : resource;
  }
}
