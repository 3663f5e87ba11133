package io.dibex.model;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A SHA-256 digest of an object's canonical encoding. Two states have equal content
 * exactly when their digests are equal (SPEC §4); the engine never compares states any
 * other way.
 */
public final class Digest {

    /** The length of a digest in bytes. */
    public static final int LENGTH = 32;

    /**
     * The digest of an absent object: what a registration of a deletion or a retraction holds
     * (R2, R4). It differs from the digest of every state.
     */
    public static final Digest ABSENT = sha256("dibex:absent".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private final byte[] bytes;

    private static Digest sha256(byte[] bytes) {
        try {
            return new Digest(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private Digest(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A digest of these 32 bytes (copied). */
    public static Digest of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a digest has " + LENGTH + " bytes, got " + bytes.length);
        }
        return new Digest(bytes.clone());
    }

    /** Parses 64 hex digits. */
    public static Digest parse(String hex) {
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a digest has " + 2 * LENGTH + " hex digits: " + hex);
        }
        return new Digest(HexFormat.of().parseHex(hex));
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Lowercase hex. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex().substring(0, 16);
    }
}
