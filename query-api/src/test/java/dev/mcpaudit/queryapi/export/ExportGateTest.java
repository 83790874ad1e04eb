package dev.mcpaudit.queryapi.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExportGateTest {
  @Test
  void perCallerAndGlobalLimitsHoldAndSlotsComeBack() {
    ExportGate gate = new ExportGate(new ExportLimits(3, 2, Duration.ofMinutes(1)));
    ExportGate.Slot a1 = gate.enter("a").slot().orElseThrow();
    ExportGate.Slot a2 = gate.enter("a").slot().orElseThrow();
    assertThat(gate.enter("a").refusal()).isEqualTo(ExportGate.Refusal.CALLER_BUSY);
    ExportGate.Slot b1 = gate.enter("b").slot().orElseThrow();
    assertThat(gate.enter("c").refusal()).isEqualTo(ExportGate.Refusal.SERVER_BUSY);
    a1.close();
    a1.close(); // twice is once
    assertThat(gate.running()).isEqualTo(2);
    ExportGate.Slot c1 = gate.enter("c").slot().orElseThrow();
    a2.close();
    b1.close();
    c1.close();
    assertThat(gate.running()).isZero();
  }

  @Test
  void racingCallersNeverGetMoreSlotsThanTheLimit() throws Exception {
    ExportGate gate = new ExportGate(new ExportLimits(4, 4, Duration.ofMinutes(1)));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> runs = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      runs.add(
          pool.submit(
              () -> {
                go.await();
                for (int i = 0; i < 2_000; i++) {
                  var r = gate.enter(i % 2 == 0 ? "x" : "y");
                  if (r.slot().isPresent()) {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    inside.decrementAndGet();
                    r.slot().get().close();
                  }
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : runs) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(most.get()).isBetween(1, 4);
    assertThat(gate.running()).isZero();
  }
}
