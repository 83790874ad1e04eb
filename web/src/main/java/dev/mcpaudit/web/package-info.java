/**
 * The analyst UI, shipped as static assets under {@code /public} in this jar and served by the
 * query API. Contract: DESIGN.md §9. Built by issue 6.
 */
package dev.mcpaudit.web;
