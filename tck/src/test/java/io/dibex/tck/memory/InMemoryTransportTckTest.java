package io.dibex.tck.memory;

import io.dibex.memory.InMemoryTransport;
import io.dibex.spi.Transport;
import io.dibex.tck.TransportContract;

/** The reference transport passes the transport contract, order and every message kept included. */
class InMemoryTransportTckTest extends TransportContract {

    @Override
    protected Transport newTransport() {
        return new InMemoryTransport();
    }
}
