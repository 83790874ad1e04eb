/**
 * The analyst's questions over the index, each request authorized on its own bearer token.
 * Reference: README, "The query API".
 */
package dev.mcpaudit.queryapi;
