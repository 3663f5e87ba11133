/**
 * Runnable examples.
 */
package io.dibex.examples;
