package dev.mcpaudit.app.role;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a role running until SIGTERM or Ctrl-C, then closes it inside the shutdown hook, so the JVM
 * exits only after the role flushed and released what it holds (graceful shutdown).
 */
final class RoleLifecycle {
  private static final Logger log = LoggerFactory.getLogger(RoleLifecycle.class);

  private RoleLifecycle() {}

  static void runUntilStopped(String role, AutoCloseable running) throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("mcp-audit-shutdown")
                .unstarted(
                    () -> {
                      log.info("{} stopping", role);
                      try {
                        running.close();
                      } catch (Exception e) {
                        log.warn("{} did not stop cleanly error={}", role, e.toString());
                      } finally {
                        closed.countDown();
                      }
                    }));
    closed.await();
  }
}
