/**
 * The streaming XML codec and the file transport (being written).
 */
package io.dibex.xml;
