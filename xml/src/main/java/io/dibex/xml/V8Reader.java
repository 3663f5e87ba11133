package io.dibex.xml;

import io.dibex.ExchangePlan;
import io.dibex.codec.Limits;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;

/**
 * Reads a message in the {@code v8msg} dialect: {@code Message} with {@code Header} and
 * {@code Body} in 1C's message namespace, whatever their prefix; the body by {@link V8Body}.
 */
final class V8Reader extends XmlMessageReader {

    private final V8Body body;
    private boolean inBody;

    V8Reader(XmlInput in, ExchangePlan plan, Limits limits, String source) {
        super(in, source);
        this.body = new V8Body(in, new V8Fields(plan), limits);
        start();
    }

    @Override
    MessageHeader readHeader() {
        if (in.namespace().equals(Wire.UPLOAD) && in.localName().equals("_1CV8DtUD")) {
            throw in.malformed("this is a 1C upload file (_1CV8DtUD), not an exchange message: read it with"
                    + " XmlCodec.readUpload");
        }
        if (!in.namespace().equals(Wire.V8MSG) || !in.localName().equals("Message")) {
            throw in.malformed("the root element is " + in.qualifiedName() + ", not {" + Wire.V8MSG + "}Message:"
                    + " this is not a v8msg message");
        }
        Headers.checkFormat(in);
        if (!in.nextChild() || !in.namespace().equals(Wire.V8MSG) || !in.localName().equals("Header")) {
            throw in.malformed("the message must start with its Header");
        }
        MessageHeader header = Headers.read(in, V8Writer.HEADER);
        if (in.nextChild()) {
            if (!in.namespace().equals(Wire.V8MSG) || !in.localName().equals("Body")) {
                throw in.malformed("unexpected element " + in.qualifiedName() + " after the Header: expected the Body");
            }
            inBody = true;
        } else {
            in.finish();
        }
        return header;
    }

    @Override
    MessageItem readItem() {
        if (!inBody) {
            return null;
        }
        MessageItem item = body.next();
        if (item == null) {
            inBody = false;
            if (in.nextChild()) {
                throw in.malformed("unexpected element " + in.qualifiedName() + " after the Body");
            }
            in.finish();
        }
        return item;
    }
}
