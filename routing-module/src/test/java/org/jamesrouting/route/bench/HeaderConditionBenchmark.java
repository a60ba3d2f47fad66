package org.jamesrouting.route.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jamesrouting.route.MessageContext;
import org.jamesrouting.route.RouteConditions;
import org.jamesrouting.route.Wildcard;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A header condition {@code header:Subject~"*invoice*paid*"} against a 200 KB subject that
 * almost matches (every word is "invoice", "paid" never comes): what an outsider can make each
 * message cost. The value is matched up to 16 KB; the wildcard never backtracks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderConditionBenchmark {
    private final String subject = "invoice ".repeat(25_600);
    private final RouteConditions condition = RouteConditions.of(Optional.empty(), Optional.empty(), List.of("Subject~*invoice*paid*"));
    private final MessageContext context = MessageContext.of("a@src.test", Optional.empty(), Map.of("Subject", List.of(subject)));
    private final Wildcard wildcard = Wildcard.parse("*invoice*invoice*invoice*paid*");

    @Benchmark
    public Optional<String> headerConditionOn200KbSubject() {
        return condition.failure(context);
    }

    @Benchmark
    public boolean wildcardOnWhole200KbSubject() {
        return wildcard.matches(subject);
    }
}
