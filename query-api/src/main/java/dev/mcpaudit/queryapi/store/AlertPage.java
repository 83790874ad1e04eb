package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * @param total every alert the query matches in scope
 * @param alerts the newest of them, as stored, each with its evidence event ids
 */
public record AlertPage(long total, List<JsonNode> alerts) {}
