/**
 * In-memory reference implementations of the storage and transport SPIs, for tests and for
 * trying dibex out. They keep the SPI contracts exactly; the TCK proves it.
 */
package io.dibex.memory;
