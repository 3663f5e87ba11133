package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.Sequence;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.StoreTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One run of the reposting of marked documents at the central node (seed 004's alternative to a
 * sequence): each marked document in its own transaction, its registration suppressed (R10), its
 * mark removed with it, so that an interrupted run resumes with what is still marked.
 */
final class Reposting {

    private static final int BATCH = 256;

    private final Context ctx;
    private final Registrar registrar;
    private final Sequence.Posting posting;
    private final Sequence.Progress progress;

    Reposting(Context ctx, Registrar registrar, Sequence.Posting posting, Sequence.Progress progress) {
        this.ctx = ctx;
        this.registrar = registrar;
        this.posting = posting;
        this.progress = progress;
    }

    long run() {
        long start = System.nanoTime();
        long total = ctx.inTx(tx -> {
            try (Stream<ObjectKey> marks = tx.exchange().repostMarks()) {
                return marks.count();
            }
        });
        long done = 0;
        long unmarked = 0;
        while (true) {
            List<ObjectKey> batch = ctx.inTx(tx -> {
                try (Stream<ObjectKey> marks = tx.exchange().repostMarks()) {
                    return marks.limit(BATCH).collect(Collectors.toList());
                }
            });
            if (batch.isEmpty()) {
                break;
            }
            for (ObjectKey key : batch) {
                if (Thread.interrupted()) {
                    ctx.journal(entry(done, start, "reposting of marked documents interrupted after " + done
                            + "; run it again to resume", List.of()), null);
                    Thread.currentThread().interrupt();
                    return done;
                }
                List<JournalEntry> notes = new ArrayList<>();
                boolean reposted;
                try {
                    reposted = ctx.inTx(tx -> repost(tx, key, notes));
                } catch (RuntimeException e) {
                    DibexException failure = e instanceof DibexException d ? d
                            : new DibexException("posting code failed on " + key + " while reposting marked"
                                    + " documents: " + e, e);
                    ctx.journal(entry(done, start, "reposting of marked documents stopped at " + key + " after "
                            + done + ": " + failure.getMessage() + "; it stays marked; run it again to resume",
                            List.of(key)), failure);
                    throw failure;
                }
                ctx.journal(notes, null);
                if (reposted) {
                    done++;
                    progress.reposted(key, done, total);
                } else {
                    unmarked++;
                }
            }
        }
        ctx.journal(entry(done, start, "reposted " + done + " marked documents" + (unmarked > 0 ? "; unmarked "
                + unmarked + " deleted since" : ""), List.of()), null);
        return done;
    }

    /** Reposts one marked document and removes its mark; returns false if it no longer exists. */
    private boolean repost(StoreTransaction tx, ObjectKey key, List<JournalEntry> notes) {
        tx.exchange().lock(key);
        tx.exchange().removeRepostMark(key);
        DataObject doc = tx.objects().get(key).orElse(null);
        if (doc == null) {
            return false;
        }
        notes.addAll(HostTx.repost(ctx, registrar, tx, doc, posting, null, "while reposting marked documents"));
        return true;
    }

    private JournalEntry entry(long done, long start, String detail, List<ObjectKey> keys) {
        return ctx.entry(JournalEntry.Kind.SEQUENCE, "", 0, 0, done, 0, start, detail, keys);
    }
}
