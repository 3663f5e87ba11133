package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.Sequence;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.SequenceBoundary;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.StoreTransaction;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One run of a sequence restore (R14): reposts, in point order, the documents from the boundary
 * up to a date-time, each in its own transaction with the boundary moved just past it, so that an
 * interrupted run resumes where the last commit left it.
 *
 * <p>Each step first checks that the boundary is still where the previous step left it. A write
 * or load that moved it back meanwhile makes the run scan again from the new boundary. A document
 * written meanwhile at a point after the boundary leaves it where it is; the run, whose list was
 * taken before, may pass over it, which is right for a host write (posted after every document
 * before it was correct) but not for a load: see docs/sequences.md.
 */
final class Restore {

    private final Context ctx;
    private final Registrar registrar;
    private final Sequence seq;
    private final LocalDateTime upTo;
    private final Sequence.Posting posting;
    private final Sequence.Progress progress;

    private record Point(LocalDateTime at, ObjectKey key) implements Comparable<Point> {
        @Override
        public int compareTo(Point o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }

    private record Scan(Optional<SequenceBoundary> boundary, List<Point> todo) {
    }

    Restore(Context ctx, Registrar registrar, Sequence seq, LocalDateTime upTo, Sequence.Posting posting,
            Sequence.Progress progress) {
        this.ctx = ctx;
        this.registrar = registrar;
        this.seq = seq;
        this.upTo = upTo;
        this.posting = posting;
        this.progress = progress;
    }

    Sequence.RestoreResult run() {
        long start = System.nanoTime();
        long done = 0;
        Optional<SequenceBoundary> boundary;
        while (true) {
            Scan scan = ctx.inTx(this::scan);
            boundary = scan.boundary;
            if (scan.todo.isEmpty()) {
                break;
            }
            long total = done + scan.todo.size();
            boolean moved = false;
            for (Point p : scan.todo) {
                if (Thread.interrupted()) {
                    // The journal's transaction must not see the flag (a store may wait interruptibly);
                    // the caller gets it back.
                    ctx.journal(entry(done, start, "restore of " + seq.name() + " interrupted after " + done
                            + " reposted; the boundary stands " + describe(boundary) + "; run it again to resume",
                            List.of()), null);
                    Thread.currentThread().interrupt();
                    return new Sequence.RestoreResult(seq.name(), done, false, boundary);
                }
                Optional<SequenceBoundary> expected = boundary;
                List<JournalEntry> notes = new ArrayList<>();
                boolean reposted;
                try {
                    reposted = ctx.inTx(tx -> repost(tx, p, expected, notes));
                } catch (RuntimeException e) {
                    DibexException failure = e instanceof DibexException d ? d
                            : new DibexException("posting code failed on " + p.key + " in the restore of sequence "
                                    + seq.name() + ": " + e, e);
                    ctx.journal(entry(done, start, "restore of " + seq.name() + " stopped at " + p.key + " after "
                            + done + " reposted: " + failure.getMessage() + "; the boundary stands "
                            + describe(boundary) + "; run it again to resume", List.of(p.key)), failure);
                    throw failure;
                }
                if (!reposted) {
                    moved = true;
                    break;
                }
                boundary = Optional.of(SequenceBoundary.pastOf(p.at, p.key));
                done++;
                ctx.journal(notes, null);
                progress.reposted(p.key, done, total);
            }
            if (!moved) {
                break;
            }
        }
        ctx.journal(entry(done, start, "restore of " + seq.name() + " up to " + upTo + " reposted " + done
                + " documents; the boundary stands " + describe(boundary), List.of()), null);
        return new Sequence.RestoreResult(seq.name(), done, true, boundary);
    }

    private static String describe(Optional<SequenceBoundary> b) {
        return b.map(SequenceBoundary::toString).orElse("nowhere (never set)");
    }

    private JournalEntry entry(long done, long start, String detail, List<ObjectKey> keys) {
        return ctx.entry(JournalEntry.Kind.SEQUENCE, "", 0, 0, done, 0, start, detail, keys);
    }

    /** The documents at or after the boundary, up to {@code upTo}, in point order. */
    private Scan scan(StoreTransaction tx) {
        Optional<SequenceBoundary> boundary = tx.exchange().sequenceBoundary(seq.name());
        List<Point> todo = new ArrayList<>();
        if (boundary.isEmpty()) {
            // Never set: no document of the sequence was written or loaded here.
            return new Scan(boundary, todo);
        }
        for (String kind : seq.kinds()) {
            try (Stream<DataObject> all = tx.objects().list(kind)) {
                Iterator<DataObject> it = all.iterator();
                while (it.hasNext()) {
                    DataObject d = it.next();
                    LocalDateTime at = Sequences.pointOf(seq, d);
                    if (!at.isAfter(upTo) && !boundary.get().covers(at, d.key())) {
                        todo.add(new Point(at, d.key()));
                    }
                }
            }
        }
        todo.sort(null);
        return new Scan(boundary, todo);
    }

    /**
     * Reposts one document with its registration suppressed (R10) and moves the boundary just past
     * it; returns false, changing nothing, when the boundary moved since the scan.
     */
    private boolean repost(StoreTransaction tx, Point p, Optional<SequenceBoundary> expected,
            List<JournalEntry> notes) {
        if (!tx.exchange().sequenceBoundary(seq.name()).equals(expected)) {
            return false;
        }
        tx.exchange().lock(p.key);
        DataObject doc = tx.objects().get(p.key).orElse(null);
        if (doc == null || !Sequences.pointOf(seq, doc).equals(p.at)) {
            // Changed since the scan; its write moved the boundary, so this cannot be reached, but
            // reposting something else than what was scanned would be wrong either way.
            return false;
        }
        notes.addAll(HostTx.repost(ctx, registrar, tx, doc, posting, seq.name(),
                "in the restore of sequence " + seq.name()));
        // Its own writes never move the boundary back; after reposting D it stands just past D (R14).
        tx.exchange().putSequenceBoundary(seq.name(), SequenceBoundary.pastOf(p.at, p.key));
        return true;
    }

    @Override
    public String toString() {
        return "Restore[" + seq.name() + " up to " + Objects.toString(upTo) + "]";
    }
}
