/**
 * The verifiable-evidence format: RFC 9162 Merkle hashing, the tree's roots and proofs, and their
 * offline checks. What the per-tenant evidence log is built on; an auditor's verifier needs only
 * this package and the public keys.
 */
package dev.mcpaudit.schema.evidence;
