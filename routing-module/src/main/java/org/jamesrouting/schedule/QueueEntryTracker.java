package org.jamesrouting.schedule;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Drops queue entries that are copies of mail already handled or being handled. A durable
 * queue can hold two copies of one mail after a crash between "queue the retry" and
 * "acknowledge the attempt", or when James re-runs a spool entry: the copies share the mail's
 * name, the newer retry has a higher attempt count, and they may be dequeued at the same time.
 * Remembered per mail name (in memory, the most recent {@code maxNames}): the highest attempt
 * queued, whether a copy is being delivered now, whether the mail is finished.
 */
public final class QueueEntryTracker {
    private record State(int latestAttempts, boolean inProgress, boolean finished) {
    }

    private final Map<String, State> states;

    public QueueEntryTracker(int maxNames) {
        this.states = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                return size() > maxNames && !eldest.getValue().inProgress();
            }
        };
    }

    /**
     * Claims the mail for one delivery attempt. False for a copy that is stale (a newer retry is
     * queued), of a finished mail, or of a mail another thread is delivering now: drop it.
     */
    public synchronized boolean claim(String mailName, int attempts) {
        State state = states.get(mailName);
        if (state != null && (state.finished() || state.inProgress() || attempts < state.latestAttempts())) {
            return false;
        }
        states.put(mailName, new State(Math.max(attempts, state == null ? 0 : state.latestAttempts()), true, false));
        return true;
    }

    /** The attempt ended with the mail queued again for attempt number {@code nextAttempts}. */
    public synchronized void requeued(String mailName, int nextAttempts) {
        states.put(mailName, new State(nextAttempts, false, false));
    }

    /** Every recipient is delivered or failed for good: other copies are duplicates. */
    public synchronized void finished(String mailName) {
        states.put(mailName, new State(Integer.MAX_VALUE, false, true));
    }

    /** The attempt failed unexpectedly and the queue keeps this copy: it may be claimed again. */
    public synchronized void released(String mailName) {
        State state = states.get(mailName);
        if (state != null && state.inProgress()) {
            states.put(mailName, new State(state.latestAttempts(), false, false));
        }
    }

    /** The mail was put on hold under this name: when released it is a new entry, whatever happened to the name before. */
    public synchronized void forget(String mailName) {
        states.remove(mailName);
    }
}
