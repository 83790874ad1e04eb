package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * One page of matches, newest first.
 *
 * @param total every match of the query in scope, exactly (not only this page's)
 * @param events the events as stored
 * @param last where the last event of a full page stands, to resume after it; empty when the page
 *     held fewer events than asked for (there is nothing after it)
 */
public record EventPage(long total, List<JsonNode> events, Optional<Position> last) {}
