package io.dibex.tck;

import io.dibex.spi.Transport;

/** With every rate at 0 and nothing scripted, {@link FlakyTransport} is a faithful transport: it passes the contract. */
class FlakyTransportTckTest extends TransportContract {

    @Override
    protected Transport newTransport() {
        return FlakyTransport.builder().seed(1).build();
    }
}
