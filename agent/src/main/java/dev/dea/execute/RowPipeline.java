package dev.dea.execute;

import dev.dea.cache.FrameWriter;
import dev.dea.error.AgentException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Overlaps decoding rows from the driver (the caller's thread) with computing stats and
 * writing the frame (a second thread): on a result of 100,000 rows the two halves cost
 * about the same, and run serially they left a core idle (bench (a)). Memory stays
 * bounded: at most {@link #QUEUED_BATCHES} batches of {@link #BATCH_ROWS} rows are in flight.
 * The writer is handed over whole: only the pipeline thread touches it until {@link #finish()}.
 * The thread starts with the first full batch: a result smaller than one batch, the common
 * case of small queries (bench (b)), is written by the caller in {@link #finish()} without a
 * thread start and two hand-offs.
 */
final class RowPipeline implements AutoCloseable {
    static final int BATCH_ROWS = 1_024;
    static final int QUEUED_BATCHES = 4;
    private static final List<Object[]> END = List.of();

    private final FrameWriter writer;
    private final BlockingQueue<List<Object[]>> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
    private Thread thread;   // null until the first full batch
    private volatile RuntimeException failure;
    private List<Object[]> batch = new ArrayList<>();
    private boolean finished;

    RowPipeline(FrameWriter writer) {
        this.writer = writer;
    }

    private void drain() {
        try {
            while (true) {
                List<Object[]> rows = queue.take();
                if (rows == END) {
                    return;
                }
                for (Object[] row : rows) {
                    writer.append(row);
                }
            }
        } catch (RuntimeException e) {
            failure = e;
            queue.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues a row; throws the writer's failure (e.g. RESULT_TOO_LARGE) as soon as it is known. */
    void append(Object[] row) {
        batch.add(row);
        if (batch.size() == BATCH_ROWS) {
            if (thread == null) {
                thread = Thread.ofVirtual().name("dea-frame-writer").start(this::drain);
            }
            hand(batch);
            batch = new ArrayList<>(BATCH_ROWS);
        }
    }

    private void hand(List<Object[]> rows) {
        try {
            while (!queue.offer(rows, 50, TimeUnit.MILLISECONDS)) {
                throwIfFailed();
            }
            throwIfFailed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AgentException.internal("Interrupted while writing a frame", e);
        }
    }

    private void throwIfFailed() {
        if (failure != null) {
            throw failure;
        }
    }

    /** Flushes the last rows and waits until every row is in the writer. */
    void finish() {
        if (thread == null) {
            finished = true;
            for (Object[] row : batch) {
                writer.append(row);
            }
            return;
        }
        if (!batch.isEmpty()) {
            hand(batch);
            batch = new ArrayList<>();
        }
        hand(END);
        finished = true;
        join();
        throwIfFailed();
    }

    private void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AgentException.internal("Interrupted while writing a frame", e);
        }
    }

    /** On an error path: stops the pipeline thread so the writer can be discarded safely. */
    @Override
    public void close() {
        if (!finished && thread != null) {
            thread.interrupt();
            join();
        }
    }
}
