package io.dibex.xml;

import io.dibex.MalformedMessageException;
import io.dibex.codec.MessageItem;

/**
 * Reads a file of 1C's XML upload tool ({@code V8Exch:_1CV8DtUD / V8Exch:Data}) as a plain
 * object stream; a {@code PredefinedData} element after the data, which lists the
 * configuration's predefined items, is skipped.
 */
final class UploadReader implements ItemReader {

    private final XmlInput in;
    private final V8Body body;
    private final String source;
    private MalformedMessageException failure;
    private boolean ended;
    private boolean closed;

    UploadReader(XmlInput in, V8Body body, String source) {
        this.in = in;
        this.body = body;
        this.source = source;
        try {
            if (!in.namespace().equals(Wire.UPLOAD) || !in.localName().equals("_1CV8DtUD")) {
                throw in.malformed("the root element is " + in.qualifiedName() + ", not {" + Wire.UPLOAD
                        + "}_1CV8DtUD: this is not a 1C upload file");
            }
            if (!in.nextChild() || !in.namespace().equals(Wire.UPLOAD) || !in.localName().equals("Data")) {
                throw in.malformed("a 1C upload file starts with its Data element");
            }
        } catch (MalformedMessageException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public MessageItem next() {
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
            MessageItem item = body.next();
            if (item == null) {
                ended = true;
                while (in.nextChild()) {
                    if (!in.localName().equals("PredefinedData")) {
                        throw in.malformed("unexpected element " + in.qualifiedName() + " after the Data");
                    }
                    in.skip();
                }
                in.finish();
            }
            return item;
        } catch (MalformedMessageException e) {
            failure = e;
            throw e;
        } catch (IllegalArgumentException e) {
            failure = in.malformed(e.getMessage(), e);
            throw failure;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            in.close();
        }
    }
}
