package io.dibex;

/**
 * A message exceeded one of the codec's limits ({@link io.dibex.codec.Limits}). Names the
 * limit, the value seen and how to raise it.
 */
public class LimitExceededException extends MalformedMessageException {

    private static final long serialVersionUID = 1L;

    private final String limit;

    /**
     * @param source the message's name
     * @param position where in the message
     * @param limit the limit's name, as in {@link io.dibex.codec.Limits.Builder}
     * @param allowed the limit's value
     * @param seen the value seen
     */
    public LimitExceededException(String source, String position, String limit, long allowed, long seen) {
        super(source, position, "limit " + limit + " is " + allowed + ", saw " + seen
                + " (raise it with Limits.builder()." + limit + "(...) if such messages are expected)");
        this.limit = limit;
    }

    /** The limit's name. */
    public String limit() {
        return limit;
    }
}
