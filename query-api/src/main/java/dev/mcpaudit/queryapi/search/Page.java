package dev.mcpaudit.queryapi.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One page of {@code GET /decisions}: newest first; {@code next_cursor} null on the last page. */
public record Page(
    long total,
    @JsonProperty("total_relation") String totalRelation,
    List<JsonNode> events,
    @JsonProperty("next_cursor") @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {}
