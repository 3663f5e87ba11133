/** Benchmarks of the XML codec and of the canonical digest. */
package io.dibex.bench;
