package org.jamesrouting.store;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The retry loop of an edit to a shared document: try the compare-and-set; when another writer
 * won, read theirs, wait a short random while (longer each time, so that two busy nodes do not
 * keep colliding) and apply the edit again.
 */
public final class CompareAndSetRetry {
    /** Tries before an edit gives up. */
    public static final int ATTEMPTS = 50;

    private CompareAndSetRetry() {
    }

    /**
     * @param attempt one try: the result if its compare-and-set won, empty if another writer was first
     * @param refresh reads the other writer's document, before the next try
     * @return the winning try's result, or empty after {@link #ATTEMPTS} lost tries
     */
    public static <T> Optional<T> untilWon(Supplier<Optional<T>> attempt, Runnable refresh) {
        for (int tries = 1; tries <= ATTEMPTS; tries++) {
            Optional<T> result = attempt.get();
            if (result.isPresent()) {
                return result;
            }
            refresh.run();
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(1, 1 + 5 * Math.min(tries, 20)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
