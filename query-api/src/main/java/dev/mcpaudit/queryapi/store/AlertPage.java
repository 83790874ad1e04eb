package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * @param total every alert the query matches in scope
 * @param alerts the newest of them, each as stored with its workflow {@code state} and the {@code
 *     previous} alert of the same type and subject ({@link AlertView})
 * @param facets how many alerts per status and per assignee match the query without its status and
 *     assignee filters
 */
public record AlertPage(long total, List<JsonNode> alerts, AlertFacets facets) {}
