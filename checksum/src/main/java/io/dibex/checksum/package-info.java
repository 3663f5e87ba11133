/**
 * Document reconciliation between the office and its branches (SPEC §5). So far:
 * {@link io.dibex.checksum.DocumentDigests}, the (key, digest) entries of a set of documents and
 * their comparison in one pass, the building block of the naive request; and
 * {@link io.dibex.checksum.CompactReconciliation}, the compact request, whose messages grow with
 * the number of differences rather than documents ({@code docs/reconciliation-compact.md}). The
 * canonical encoding behind every digest is specified in {@code docs/canonical-digest.md}.
 */
package io.dibex.checksum;
