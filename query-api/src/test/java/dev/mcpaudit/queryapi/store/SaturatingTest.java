package dev.mcpaudit.queryapi.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SaturatingTest {
  @Test
  void stopsAtTheEndsOfTheLongRangeInsteadOfWrapping() {
    assertThat(Saturating.add(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.add(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
    assertThat(Saturating.add(-5, 7)).isEqualTo(2);
    assertThat(Saturating.subtract(Long.MAX_VALUE, Long.MIN_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.subtract(Long.MIN_VALUE, 1)).isEqualTo(Long.MIN_VALUE);
    assertThat(Saturating.subtract(5, 7)).isEqualTo(-2);
    assertThat(Saturating.multiply(Long.MAX_VALUE / 8 + 1, 8)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.multiply(1L << 32, 1L << 32)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.multiply(Long.MAX_VALUE / 8, 8)).isEqualTo(Long.MAX_VALUE / 8 * 8);
    assertThat(Saturating.multiply(0, Long.MAX_VALUE)).isZero();
  }
}
