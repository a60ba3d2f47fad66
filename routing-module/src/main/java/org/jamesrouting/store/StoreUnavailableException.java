package org.jamesrouting.store;

/**
 * The store cannot be read or written now (a file system error, Cassandra unreachable): nothing
 * was changed; try again later. Webadmin answers 503.
 */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
