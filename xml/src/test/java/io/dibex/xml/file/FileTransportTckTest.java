package io.dibex.xml.file;

import io.dibex.spi.Transport;
import io.dibex.tck.TransportContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file transport passes the transport contract. It keeps only the newest message per
 * (sender, recipient), as SPEC §4 asks of an outbox, and a folder listing has no order.
 */
class FileTransportTckTest extends TransportContract {

    @TempDir
    Path folder;

    @Override
    protected Transport newTransport() {
        return FileTransport.builder(folder.resolve("exchange")).build();
    }

    @Override
    protected boolean keepsEveryMessage() {
        return false;
    }

    @Override
    protected boolean deliversInOrder() {
        return false;
    }
}
