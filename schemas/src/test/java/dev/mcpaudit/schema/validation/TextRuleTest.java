package dev.mcpaudit.schema.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each character loop answers as the regular expression it replaced, for every UTF-16 unit. */
class TextRuleTest {
  private static final Map<TextRule.Allowed, Pattern> REPLACED =
      Map.of(
          TextRule.NO_SPACE, Pattern.compile("^[^\\s\\x00-\\x1F\\x7F-\\x9F]+$"),
          TextRule.PRINTABLE, Pattern.compile("^[^\\x00-\\x1F\\x7F-\\x9F]+$"),
          TextRule.EVENT_ID_CHARS, Pattern.compile("^[A-Za-z0-9._:-]+$"));

  @Test
  void everyCharacterIsJudgedAsTheExpressionJudgedIt() {
    List<String> inputs = new ArrayList<>();
    for (int c = 0; c <= 0xFFFF; c++) {
      inputs.add(String.valueOf((char) c));
      inputs.add("a" + (char) c + "b");
    }
    inputs.add("spiffe://example.org/agent/a-1");
    inputs.add("ev-1:2.3_x");
    inputs.add("emoji \uD83D\uDE00 pair");
    inputs.add("\uD83D\uDE00");
    inputs.add("lone \uD800 surrogate");
    for (var e : REPLACED.entrySet()) {
      for (String s : inputs) {
        assertThat(e.getKey().matches(s))
            .as("%s on %s", e.getValue(), s.codePoints().boxed().toList())
            .isEqualTo(e.getValue().matcher(s).matches());
      }
    }
  }
}
