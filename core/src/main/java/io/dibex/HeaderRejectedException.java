package io.dibex;

/**
 * A message's header does not fit this node (R8): another plan, another recipient, or a sender
 * that is not a neighbour. Nothing was changed; the message stays with the transport.
 */
public class HeaderRejectedException extends DibexException {

    private static final long serialVersionUID = 1L;

    /** With a message. */
    public HeaderRejectedException(String message) {
        super(message);
    }

    /** The message belongs to another exchange plan. */
    public static final class WrongPlan extends HeaderRejectedException {
        private static final long serialVersionUID = 1L;

        /** With a message. */
        public WrongPlan(String message) {
            super(message);
        }
    }

    /** The message is addressed to another node. */
    public static final class WrongRecipient extends HeaderRejectedException {
        private static final long serialVersionUID = 1L;

        /** With a message. */
        public WrongRecipient(String message) {
            super(message);
        }
    }

    /** The sender is not a neighbour of this node in the plan's tree. */
    public static final class UnknownSender extends HeaderRejectedException {
        private static final long serialVersionUID = 1L;

        /** With a message. */
        public UnknownSender(String message) {
            super(message);
        }
    }
}
