package io.dibex.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dibex.spi.IncomingMessage;
import io.dibex.spi.OutgoingMessage;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the TCK cannot express about {@link InMemoryTransport}: misuse is refused, names and counts. */
class InMemoryTransportTest {

    private final InMemoryTransport transport = new InMemoryTransport();

    @Test
    void sendingTwiceOrWritingAfterSendingIsRefused() throws IOException {
        try (OutgoingMessage out = transport.create("a", "b")) {
            out.stream().write(1);
            out.send();
            assertThatThrownBy(out::send).isInstanceOf(IllegalStateException.class).hasMessageContaining("already sent");
            assertThatThrownBy(() -> out.stream().write(2)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> out.stream().write(new byte[3], 0, 3)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(transport.waiting("b")).isOne();
    }

    @Test
    void sendingOrWritingAfterCloseIsRefused() {
        OutgoingMessage out = transport.create("a", "b");
        out.close();
        assertThatThrownBy(out::send).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> out.stream().write(1)).isInstanceOf(IllegalStateException.class);
        assertThat(transport.waiting("b")).isZero();
    }

    @Test
    void aClaimedMessageEndsOnceAndIsThenRefused() {
        send("a", "b");
        IncomingMessage m = transport.receive("b").get(0);
        m.commit();
        assertThatThrownBy(m::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("committed");
        assertThatThrownBy(m::release).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(m::open).isInstanceOf(IllegalStateException.class);

        send("a", "b");
        IncomingMessage r = transport.receive("b").get(0);
        r.release();
        assertThatThrownBy(r::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
        assertThatThrownBy(r::commit).isInstanceOf(IllegalStateException.class);
        assertThat(transport.waiting("b")).as("a stale handle did not remove the released message").isOne();
    }

    @Test
    void namesSaySenderRecipientAndSequence() {
        send("a", "b");
        send("c", "b");
        assertThat(transport.receive("b")).extracting(IncomingMessage::name)
                .containsExactly("Message_a_b#1", "Message_c_b#2");
    }

    @Test
    void waitingCountsUnclaimedMessagesOfOneRecipient() {
        send("a", "b");
        send("a", "b");
        send("b", "a");
        assertThat(List.of(transport.waiting("b"), transport.waiting("a"), transport.waiting("c")))
                .containsExactly(2, 1, 0);
        List<IncomingMessage> claimed = transport.receive("b");
        assertThat(transport.waiting("b")).isZero();
        claimed.get(1).release();
        assertThat(transport.waiting("b")).isOne();
        claimed.get(0).commit();
        assertThat(transport.waiting("b")).isOne();
    }

    private void send(String from, String to) {
        try (OutgoingMessage out = transport.create(from, to)) {
            out.send();
        }
    }
}
