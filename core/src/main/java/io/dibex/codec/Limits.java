package io.dibex.codec;

/**
 * The limits a codec enforces on untrusted input (R16). Immutable; {@link #DEFAULTS} are safe for
 * ordinary exchange. Exceeding one raises {@link io.dibex.LimitExceededException} naming it.
 *
 * @param maxDepth deepest element nesting
 * @param maxAttributes attributes on one element
 * @param maxAttributeLength characters in one attribute value
 * @param maxTextLength characters in one text value (a string field)
 * @param maxElements elements (or items and values) in one message
 * @param maxBinaryBytes bytes in one binary value
 * @param maxTotalBytes bytes in one message
 */
public record Limits(
        int maxDepth,
        int maxAttributes,
        int maxAttributeLength,
        int maxTextLength,
        long maxElements,
        int maxBinaryBytes,
        long maxTotalBytes) {

    /** Safe defaults: depth 64, 32 attributes of 64 KiB, text 16 Mi chars, 2^31 elements, 64 MiB binaries, 16 GiB messages. */
    public static final Limits DEFAULTS = new Limits(64, 32, 64 * 1024, 16 * 1024 * 1024,
            Integer.MAX_VALUE, 64 * 1024 * 1024, 16L * 1024 * 1024 * 1024);

    /** Every limit must be positive. */
    public Limits {
        if (maxDepth < 1 || maxAttributes < 1 || maxAttributeLength < 1 || maxTextLength < 1 || maxElements < 1
                || maxBinaryBytes < 1 || maxTotalBytes < 1) {
            throw new IllegalArgumentException("every limit must be positive: " + this);
        }
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** Builds {@link Limits}, starting from given values. */
    public static final class Builder {
        private int maxDepth;
        private int maxAttributes;
        private int maxAttributeLength;
        private int maxTextLength;
        private long maxElements;
        private int maxBinaryBytes;
        private long maxTotalBytes;

        private Builder(Limits l) {
            maxDepth = l.maxDepth;
            maxAttributes = l.maxAttributes;
            maxAttributeLength = l.maxAttributeLength;
            maxTextLength = l.maxTextLength;
            maxElements = l.maxElements;
            maxBinaryBytes = l.maxBinaryBytes;
            maxTotalBytes = l.maxTotalBytes;
        }

        /** Sets the deepest nesting. */
        public Builder maxDepth(int v) {
            maxDepth = v;
            return this;
        }

        /** Sets the attributes per element. */
        public Builder maxAttributes(int v) {
            maxAttributes = v;
            return this;
        }

        /** Sets the characters per attribute value. */
        public Builder maxAttributeLength(int v) {
            maxAttributeLength = v;
            return this;
        }

        /** Sets the characters per text value. */
        public Builder maxTextLength(int v) {
            maxTextLength = v;
            return this;
        }

        /** Sets the elements per message. */
        public Builder maxElements(long v) {
            maxElements = v;
            return this;
        }

        /** Sets the bytes per binary value. */
        public Builder maxBinaryBytes(int v) {
            maxBinaryBytes = v;
            return this;
        }

        /** Sets the bytes per message. */
        public Builder maxTotalBytes(long v) {
            maxTotalBytes = v;
            return this;
        }

        /** The limits. */
        public Limits build() {
            return new Limits(maxDepth, maxAttributes, maxAttributeLength, maxTextLength, maxElements,
                    maxBinaryBytes, maxTotalBytes);
        }
    }
}
