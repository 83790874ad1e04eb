package dev.mcpaudit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  @Test
  void readsHelpTypeLabelsAndHistogramSamples() {
    Map<String, PrometheusText.Family> f =
        PrometheusText.parse(
            """
        # HELP x_requests_total requests by status\\nsecond line \\\\ done
        # TYPE x_requests_total counter
        x_requests_total{status="202",path="/v1/\\"d\\""} 3.0
        x_requests_total{status="400"} 1 1700000000000
        # a comment
        # TYPE x_latency_seconds histogram
        x_latency_seconds_bucket{le="+Inf"} 2
        x_latency_seconds_count 2
        x_latency_seconds_sum 0.5
        x_untyped NaN
        """);
    assertThat(f.keySet()).containsExactly("x_requests_total", "x_latency_seconds", "x_untyped");
    assertThat(f.get("x_requests_total").help())
        .isEqualTo("requests by status\nsecond line \\ done");
    assertThat(f.get("x_requests_total").samples())
        .extracting(PrometheusText.Sample::labels)
        .containsExactly(Map.of("status", "202", "path", "/v1/\"d\""), Map.of("status", "400"));
    assertThat(f.get("x_latency_seconds").samples()).hasSize(3);
    assertThat(PrometheusText.withoutHelpOrType(f, "x_"))
        .containsExactly("x_latency_seconds: no HELP", "x_untyped: no HELP", "x_untyped: no TYPE");
    assertThat(PrometheusText.withoutHelpOrType(f, "y_")).isEmpty();
  }

  @Test
  void refusesWhatAScraperWouldRefuse() {
    for (String bad :
        new String[] {
          "x{a=\"1\" 1\n",
          "x{a=1} 1\n",
          "x{1a=\"v\"} 1\n",
          "x 1 2 3\n",
          "x one\n",
          "9x 1\n",
          "# TYPE x counter\n# TYPE x gauge\n",
          "x 1\n# TYPE x counter\n",
          "x 1\ny 1\nx{a=\"b\"} 2\n",
          "x 1\nx 2\n",
          "# TYPE x countr\n",
          "x{a=\"\\t\"} 1\n"
        }) {
      assertThatThrownBy(() -> PrometheusText.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("line ");
    }
  }
}
