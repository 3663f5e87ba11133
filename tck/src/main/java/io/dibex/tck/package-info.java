/**
 * Contract tests for the SPIs and the multi-node scenario suite: abstract JUnit 5 suites that check
 * an implementation of the SPIs against the contracts their javadoc states, and the fakes for
 * multi-node tests.
 *
 * <p>To check a storage, extend {@link io.dibex.tck.ExchangeStoreContract} and
 * {@link io.dibex.tck.ObjectStoreContract} in your tests and return a new, empty storage from
 * {@code newStorage()}; to check a transport, extend {@link io.dibex.tck.TransportContract}. The
 * suites need {@code junit-jupiter} and {@code assertj-core}, which this artifact brings.
 *
 * <p>{@link io.dibex.tck.FailingStorage} fails any store call on demand and
 * {@link io.dibex.tck.FlakyTransport} loses, duplicates, delays and reorders messages, for crash
 * and convergence tests.
 */
package io.dibex.tck;
