/**
 * dibex's XML codec and file transport. Exports only its API packages; the parser (Woodstox) is
 * an implementation detail that no public type shows.
 */
module io.dibex.xml {
    requires transitive io.dibex.core;
    requires com.ctc.wstx;
    requires org.codehaus.stax2;
    requires java.xml;

    uses javax.xml.stream.XMLInputFactory;

    exports io.dibex.xml;
    exports io.dibex.xml.file;
}
