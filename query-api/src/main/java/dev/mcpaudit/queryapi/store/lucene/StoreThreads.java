package dev.mcpaudit.queryapi.store.lucene;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The threads the Lucene store reads stored events on, made by the composition root and shut down
 * with it. Plain platform threads, never interrupted: an interrupt inside Lucene's file reads would
 * close the index's channels.
 *
 * @param pages help load a page's stored events (decompressing them is most of a page's cost)
 * @param exports read an export's events ahead while the request's thread formats them
 * @param freeExportThreads one permit per export thread, so an export that gets one never waits for
 *     a thread
 */
public record StoreThreads(
    ExecutorService pages, ExecutorService exports, Semaphore freeExportThreads, int size)
    implements AutoCloseable {

  /** As many threads of each kind as there are cores. */
  public static StoreThreads start() {
    return start(Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  public static StoreThreads start(int size) {
    return new StoreThreads(
        pool("mcp-audit-stored-fields", size),
        pool("mcp-audit-export-loader", size),
        new Semaphore(size),
        size);
  }

  private static ExecutorService pool(String name, int size) {
    return Executors.newFixedThreadPool(
        size, r -> Thread.ofPlatform().name(name).daemon(true).unstarted(r));
  }

  /** Lets running work finish; no new work is taken. */
  @Override
  public void close() {
    pages.shutdown();
    exports.shutdown();
  }
}
