/**
 * The streaming XML codec ({@link io.dibex.xml.XmlCodec}) in the seed and the 1C v8msg dialects,
 * and the reader of 1C upload files. Everything else in this package is internal.
 */
package io.dibex.xml;
