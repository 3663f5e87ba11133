/**
 * Contract tests for the SPIs and the multi-node scenario suite.
 */
package io.dibex.tck;
