package org.jamesrouting.webadmin;

import static org.jamesrouting.webadmin.JsonErrors.error;
import static org.jamesrouting.webadmin.JsonErrors.running;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.WebAdminConfiguration;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamesrouting.engine.HeldMail;
import org.jamesrouting.engine.OutboundEngine;
import org.jamesrouting.engine.QueueControl;
import org.jamesrouting.schedule.Holds;

import spark.Request;
import spark.Service;

/**
 * webadmin routes of the outbound queue, under {@code /routing/queue}. Enabled by
 * {@code extensions.routes=...,org.jamesrouting.webadmin.QueueRoutes} in webadmin.properties.
 * <pre>
 * GET  /routing/queue[?destination=d]        queued mail by destination, with ages (qshape) and reasons; held and parked mail
 * POST /routing/queue/flush?destination=d    send that destination's queued mail now (destination=parked: parked mail back
 *                                            into the queue)
 * GET  /routing/queue/holds                  the destinations on hold: since, reason, how many mails held
 * POST /routing/queue/hold?destination=d[&amp;reason=r]   hold a destination: its mail is not tried and does not age
 * POST /routing/queue/hold?message=name[&amp;reason=r]    hold one queued message
 * POST /routing/queue/release?destination=d | ?message=name   release: the held mail is queued for delivery now
 * POST /routing/queue/bounce?destination=d | ?message=name    one DSN to each sender ("removed by the mail
 *                                            administrator"); the mail leaves the queue or hold
 * POST /routing/queue/delete?destination=d | ?message=name    the mail leaves the queue or hold without a DSN (logged)
 * POST /routing/queue/retry?destination=d | ?message=name     queued mail tried now, not at its next retry
 * </pre>
 * A destination is named as {@code GET /routing/status} names it: {@code route <id>},
 * {@code smart host}, {@code mx:<domain>}; or is an MX set {@code mxset:<host pattern>}. Actions
 * answer {@code {"done":[names],"busy":[names]}} (busy: being delivered at this moment, left
 * alone; mail waiting in memory for its turn is taken out of its wait and acted on). Bad input:
 * 400; no such message: 404; the router not running: 409; the shared holds unreachable (a
 * cluster): 503; James's JSON error body.
 */
public class QueueRoutes implements Routes {
    static final String BASE = "/routing/queue";

    private final OutboundEngine engine;
    private final OutboundStatus status;
    private final JsonTransformer jsonTransformer;
    private final WebAdminRequestGuard guard;

    @Inject
    public QueueRoutes(OutboundEngine engine, OutboundStatus status, JsonTransformer jsonTransformer, WebAdminConfiguration webAdmin) {
        this.engine = engine;
        this.status = status;
        this.jsonTransformer = jsonTransformer;
        this.guard = new WebAdminRequestGuard(Optional.ofNullable(webAdmin.getHost()));
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        guard.install(service, BASE);
        service.get(BASE, (request, response) ->
            running(() -> status.queue(Optional.ofNullable(request.queryParams("destination")).filter(d -> !d.isBlank()))), jsonTransformer);
        service.post(BASE + "/flush", (request, response) -> {
            String destination = request.queryParams("destination");
            if (destination == null || destination.isBlank()) {
                throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT,
                    "give the destination: /routing/queue/flush?destination=route%20partner (see GET /routing/queue)");
            }
            return Map.of("destination", destination, "flushed", running(() -> status.flush(destination)));
        }, jsonTransformer);
        service.get(BASE + "/holds", (request, response) -> running(this::holds), jsonTransformer);
        service.post(BASE + "/hold", (request, response) -> act(request, "hold"), jsonTransformer);
        service.post(BASE + "/release", (request, response) -> act(request, "release"), jsonTransformer);
        service.post(BASE + "/bounce", (request, response) -> act(request, "bounce"), jsonTransformer);
        service.post(BASE + "/delete", (request, response) -> act(request, "delete"), jsonTransformer);
        service.post(BASE + "/retry", (request, response) -> act(request, "retry"), jsonTransformer);
    }

    /** A destination on hold, as {@code GET /routing/queue/holds} shows it. */
    public record HoldView(String destination, String since, String reason, long held) {
    }

    private List<HoldView> holds() throws Exception {
        QueueControl control = control();
        List<HeldMail.Entry> entries = control.held().list();
        List<HoldView> views = new ArrayList<>();
        control.held().holds().all().forEach((destination, hold) -> views.add(new HoldView(destination, hold.since().toString(),
            hold.reason(), entries.stream().filter(entry -> entry.heldFor().equals(destination)).count())));
        return views;
    }

    private Object act(Request request, String action) throws Exception {
        String message = Optional.ofNullable(request.queryParams("message")).map(String::trim).filter(m -> !m.isEmpty()).orElse(null);
        String destinationText = Optional.ofNullable(request.queryParams("destination")).filter(d -> !d.isBlank()).orElse(null);
        if ((message == null) == (destinationText == null)) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, "give either ?destination=d (as GET /routing/status names it: "
                + "'route <id>', 'smart host', 'mx:<domain>'; or an MX set 'mxset:<host pattern>') or ?message=name (as GET /routing/queue lists it)");
        }
        String reason = Optional.ofNullable(request.queryParams("reason")).orElse("");
        Optional<String> destination;
        try {
            destination = Optional.ofNullable(destinationText).map(Holds::destinationOf);
        } catch (IllegalArgumentException e) {
            throw error(400, ErrorResponder.ErrorType.INVALID_ARGUMENT, e.getMessage());
        }
        QueueControl control = control();
        QueueControl.Selector selector = destination.map(QueueControl.Selector::destination)
            .orElseGet(() -> QueueControl.Selector.message(message));
        QueueControl.Result result = running(() -> switch (action) {
            case "hold" -> destination.isPresent() ? control.holdDestination(destination.get(), reason) : control.holdMessage(message, reason);
            case "release" -> destination.isPresent() ? control.releaseDestination(destination.get()) : control.releaseMessage(message);
            case "bounce" -> control.bounce(selector);
            case "retry" -> control.retry(selector);
            default -> control.delete(selector);
        });
        if (message != null && result.done().isEmpty() && result.busy().isEmpty()) {
            throw error(404, ErrorResponder.ErrorType.NOT_FOUND, "no " + (action.equals("release") ? "held" : "queued or held")
                + " message named '" + message + "' (see GET /routing/queue)");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        destination.ifPresent(d -> answer.put("destination", d));
        answer.put("done", result.done());
        answer.put("busy", result.busy());
        return answer;
    }

    private QueueControl control() {
        return engine.control().orElseThrow(() -> error(409, ErrorResponder.ErrorType.WRONG_STATE, "the outbound router is not running"));
    }


}
