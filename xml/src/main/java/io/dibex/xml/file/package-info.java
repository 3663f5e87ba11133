/**
 * The file transport: messages as files in a folder, as 1C and offline SymmetricDS exchange them.
 */
package io.dibex.xml.file;
