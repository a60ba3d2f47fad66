package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonErrors.error;

import java.util.Locale;
import java.util.Optional;

import org.apache.james.webadmin.utils.ErrorResponder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import spark.Request;

/** The JSON bodies our webadmin routes read: refused with a 400 JSON error when they are not JSON, or not an object. */
final class JsonBodies {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JsonBodies() {
    }

    /** Without this header Jetty reads the body as form data and it is gone. */
    static void requireJsonContentType(Request request) {
        String contentType = Optional.ofNullable(request.contentType()).orElse("");
        if (!contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT,
                "send the body as JSON with the header Content-Type: application/json");
        }
    }

    static ObjectNode objectBody(Request request) {
        requireJsonContentType(request);
        try {
            JsonNode node = JSON.readTree(request.body());
            if (node == null || !node.isObject()) {
                throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "the body should be a JSON object");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    /** A domain in a path or query: normalized, or 400. */
    static String domainParameter(String text) {
        try {
            return org.jamesrouting.core.DomainNames.normalize(text).asString();
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "'" + text + "' is not a domain: " + e.getMessage());
        }
    }
}
