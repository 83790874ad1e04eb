package dev.mcpaudit.schema.validation;

/** How a value from the input is echoed in an error message. */
final class Texts {
  private Texts() {}

  /**
   * Quoted, at most 64 characters, control characters escaped: a message must not carry a forged
   * log line.
   */
  static String quote(String s) {
    String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    StringBuilder b = new StringBuilder("\"");
    shown
        .chars()
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", c));
              } else if (c == '"' || c == '\\') {
                b.append('\\').append((char) c);
              } else {
                b.append((char) c);
              }
            });
    return b.append('"').toString();
  }
}
