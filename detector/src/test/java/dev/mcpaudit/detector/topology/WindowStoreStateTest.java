package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;

/**
 * Every rule case again with the repartitioned rules' state in window stores ({@code
 * detector.backlog-proof-state=false}): without partition skew they judge as the time-keyed stores
 * do.
 */
class WindowStoreStateTest extends DetectionTopologyTest {
  @Override
  Rules rules() {
    return Rules.defaults().withBacklogProofState(false);
  }
}
