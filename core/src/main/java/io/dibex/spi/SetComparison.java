package io.dibex.spi;

import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A protocol that finds the differences between the office's and a child's sets of (key, digest)
 * entries in messages whose size grows with the differences, not with the documents: the compact
 * request of SPEC §5. A reconciliation uses one when its settings name it
 * ({@link io.dibex.Reconciliation.Builder#compact(SetComparison)}); dibex's is
 * {@code io.dibex.checksum.CompactReconciliation.comparison()}. The engine carries its messages in
 * control items, sent again until acknowledged, and acts on the differences it finds.
 *
 * <p>An implementation is stateless between calls: every call reads its side's entries afresh. It
 * must treat every message as untrusted and throw {@link IllegalArgumentException} for one that is
 * malformed, holding no more memory than the message's size justifies.
 */
public interface SetComparison {

    /** One document of a set. */
    record Entry(ObjectKey key, Digest digest) {
        /** Rejects null. */
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /** A side's entries, read afresh by each call of {@link #open()}, in strictly increasing key order. */
    @FunctionalInterface
    interface Entries {
        /** A new pass over the entries. */
        Iterator<Entry> open();
    }

    /** The office's first message. */
    byte[] request(Entries office);

    /** The office's answer to the child's {@link Step.Reply}. */
    byte[] answer(Entries office, byte[] fromChild);

    /** The child's step on a message of the office: the differences, or a reply. */
    Step receive(Entries child, byte[] fromOffice);

    /** What the child does next. */
    sealed interface Step {

        /**
         * The differences found.
         *
         * @param onlyAtOffice keys the office holds and the child does not
         * @param onlyAtChild keys the child holds and the office does not
         * @param different keys both hold with different digests
         */
        record Done(List<ObjectKey> onlyAtOffice, List<ObjectKey> onlyAtChild, List<ObjectKey> different)
                implements Step {
            /** Copies the lists. */
            public Done {
                onlyAtOffice = List.copyOf(onlyAtOffice);
                onlyAtChild = List.copyOf(onlyAtChild);
                different = List.copyOf(different);
            }
        }

        /** A message for the office, which answers with {@link SetComparison#answer}. */
        record Reply(byte[] message) implements Step {
            /** Copies the bytes. */
            public Reply {
                message = message.clone();
            }

            @Override
            public byte[] message() {
                return message.clone();
            }
        }
    }
}
