package dev.mcpaudit.publisher.spool;

/**
 * When the spool forces appended records to the disk. The spool survives a process crash under
 * every policy (the page cache outlives the process); the policy decides what survives a power or
 * kernel failure, at the price of latency.
 */
public enum FsyncPolicy {
  /** Force after every append: nothing acknowledged to the caller is lost, slowest. */
  ALWAYS,
  /** Force at most every interval (default 200 ms): the last interval may be lost on power loss. */
  INTERVAL,
  /** Leave it to the operating system. */
  NEVER
}
