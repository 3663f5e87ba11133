/** Benchmarks of the XML codec. */
package io.dibex.bench;
