package io.dibex.xml;

import io.dibex.MalformedMessageException;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;

/**
 * What both dialects' readers share: the header read when the reader is made, items one at a
 * time, the end of the message checked before {@code next()} returns null, and once a failure is
 * thrown, every later {@code next()} throws it again.
 */
abstract class XmlMessageReader implements MessageReader {

    /** The parser. */
    final XmlInput in;
    /** The message's name. */
    final String source;
    private MessageHeader header;
    private MalformedMessageException failure;
    private boolean ended;
    private boolean closed;

    XmlMessageReader(XmlInput in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Reads the header; a subclass calls it last in its constructor. */
    final void start() {
        try {
            header = readHeader();
        } catch (MalformedMessageException e) {
            in.close();
            throw e;
        } catch (IllegalArgumentException e) {
            // MessageHeader's own checks; the readers check first, so this is a defect kept inside the API.
            in.close();
            throw in.malformed("invalid header: " + e.getMessage(), e);
        }
    }

    @Override
    public final MessageHeader header() {
        return header;
    }

    @Override
    public final MessageItem next() {
        if (closed) {
            throw new IllegalStateException("the reader of " + source + " is closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            return null;
        }
        try {
            MessageItem item = readItem();
            if (item == null) {
                ended = true;
            }
            return item;
        } catch (MalformedMessageException e) {
            failure = e;
            throw e;
        } catch (IllegalArgumentException e) {
            // A model constructor refused a value the reader let through: still the message's fault.
            failure = in.malformed(e.getMessage(), e);
            throw failure;
        }
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            in.close();
        }
    }

    abstract MessageHeader readHeader();

    /** The next item, or null after checking that the message ends properly. */
    abstract MessageItem readItem();
}
