package dev.mcpaudit.runtime.http;

/**
 * A value from a request made safe for one log line: control and line-separator characters escaped
 * (a newline in a path or a principal would forge a log line), and cut to a length.
 */
public final class LogText {
  private LogText() {}

  public static String of(String text, int max) {
    if (text == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(text.length(), max) + 16);
    int i = 0;
    while (i < text.length() && b.length() < max) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c < 0x20
          || (c >= 0x7f && c <= 0x9f)
          || c == 0x2028
          || c == 0x2029
          || Character.getType(c) == Character.FORMAT
          || Character.getType(c) == Character.SURROGATE) {
        b.append(String.format("\\u%04x", c));
      } else {
        b.appendCodePoint(c);
      }
    }
    if (i < text.length()) {
      b.append("...(").append(text.length()).append(" chars)");
    }
    return b.toString();
  }
}
