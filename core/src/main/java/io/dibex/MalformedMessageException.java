package io.dibex;

/**
 * A message's bytes are not a valid message: bad syntax, a forbidden construct, a value that
 * does not parse, a truncated or oversized message (R16). Names the message and the position.
 * Nothing was changed by it.
 */
public class MalformedMessageException extends DibexException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String position;

    /**
     * @param source the message's name (a file name, a message id)
     * @param position where in the message: "line 3, column 17" or "byte 1024"
     * @param problem what is wrong
     */
    public MalformedMessageException(String source, String position, String problem) {
        this(source, position, problem, null);
    }

    /**
     * @param source the message's name
     * @param position where in the message
     * @param problem what is wrong
     * @param cause the parser's or stream's exception, or null
     */
    public MalformedMessageException(String source, String position, String problem, Throwable cause) {
        super("malformed message " + source + " at " + position + ": " + problem, cause);
        this.source = source;
        this.position = position;
    }

    /** The message's name. */
    public String source() {
        return source;
    }

    /** Where in the message the problem is. */
    public String position() {
        return position;
    }
}
