package io.dibex.xml.file;

import io.dibex.spi.Transport;

/** The file transport passes the transport contract with every message a zip file. */
class ZipFileTransportTckTest extends FileTransportTckTest {

    @Override
    protected Transport newTransport() {
        return FileTransport.builder(folder.resolve("zipped")).compress(true).build();
    }
}
