package org.jamesrouting.webadmin;

import org.apache.james.webadmin.utils.ErrorResponder;

import org.jamesrouting.store.StoreUnavailableException;

import spark.HaltException;

/** The JSON errors our webadmin routes answer with (James's ErrorResponder), shared by each Routes class. */
final class JsonErrors {
    private JsonErrors() {
    }

    /** A call that may find the outbound router not running ({@link IllegalStateException}). */
    interface Call<T> {
        T call() throws Exception;
    }

    static HaltException error(int status, ErrorResponder.ErrorType type, String message) {
        return ErrorResponder.builder().statusCode(status).type(type).message(message).haltError();
    }

    /**
     * The call's result; 409 with its message when the router is not running, 503 when the
     * shared store (Cassandra for a cluster) cannot be written.
     */
    static <T> T running(Call<T> call) throws Exception {
        try {
            return call.call();
        } catch (IllegalStateException e) {
            throw error(409, ErrorResponder.ErrorType.WRONG_STATE, e.getMessage());
        } catch (StoreUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** The running router; 409 when it is not running (the OutboundRouter mailet has not started it). */
    static org.jamesrouting.engine.Running router(org.jamesrouting.engine.OutboundEngine engine) {
        return engine.running().orElseThrow(() -> error(409, ErrorResponder.ErrorType.WRONG_STATE, "the outbound router is not running"));
    }

    /** The store (Cassandra for a cluster) cannot be written now: nothing changed, routing goes on with what is in use. */
    static HaltException unavailable(StoreUnavailableException e) {
        return error(503, ErrorResponder.ErrorType.SERVER_ERROR, "the routing store is unavailable, nothing was changed "
            + "(mail keeps being routed with the table in use): " + e.getMessage());
    }
}
