/**
 * The analyst's questions over the index, each request authorized on its own bearer token.
 * Contract: DESIGN.md §7. Built by issue 5.
 */
package dev.mcpaudit.queryapi;
