package io.dibex.internal;

import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.ImportResult;
import io.dibex.Node;
import io.dibex.codec.MessageCodec;
import io.dibex.spi.ExchangeListener;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.PeerState;
import io.dibex.spi.Storage;
import io.dibex.spi.Transport;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The exchange engine behind {@link Node}. */
public final class Engine {
    private final ExchangePlan plan;
    private final String name;

    public Engine(ExchangePlan plan, String name, Storage storage, Transport transport, MessageCodec codec,
            Clock clock, ExchangeListener listener) {
        this.plan = plan;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public ExchangePlan plan() {
        return plan;
    }

    public <T> T inTransaction(Node.Work<T> work) {
        throw new UnsupportedOperationException();
    }

    public Optional<ExportResult> exportTo(String peer) {
        throw new UnsupportedOperationException();
    }

    public List<ExportResult> exportAll() {
        throw new UnsupportedOperationException();
    }

    public ImportResult importMessage(IncomingMessage message) {
        throw new UnsupportedOperationException();
    }

    public List<ImportResult> importAll() {
        throw new UnsupportedOperationException();
    }

    public PeerState peerState(String peer) {
        throw new UnsupportedOperationException();
    }

    public long pendingRegistrations(String peer) {
        throw new UnsupportedOperationException();
    }

    public List<JournalEntry> journal() {
        throw new UnsupportedOperationException();
    }

    public long pruneJournal() {
        throw new UnsupportedOperationException();
    }
}
