package org.jamesrouting.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.api.Gauge;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reactor.core.publisher.Flux;

class DiskMailQueueTest {
    private static final MailQueueName OUTGOING = MailQueueName.of("outgoing");

    @TempDir
    Path directory;

    private QueueStore store;
    private DiskMailQueueFactory factory;
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final Map<String, Gauge<?>> gauges = new ConcurrentHashMap<>();

    private DiskMailQueueFactory open() throws Exception {
        store = new QueueStore(directory.resolve("queue/mail-queues.mv"));
        factory = factory(store);
        return factory;
    }

    private DiskMailQueueFactory factory(QueueStore on) {
        return new DiskMailQueueFactory(on, new RawMailQueueItemDecoratorFactory(), metrics, new GaugeRegistry() {
            @Override
            public <T> GaugeRegistry register(String name, Gauge<T> gauge) {
                gauges.put(name, gauge);
                return this;
            }

            @Override
            public <T> SettableGauge<T> settableGauge(String name) {
                throw new UnsupportedOperationException(name);
            }
        });
    }

    @AfterEach
    void close() {
        if (factory != null) {
            factory.stop();
        }
    }

    private static Mail mail(String name, String recipient, String body) throws Exception {
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder()
            .addHeader("Message-ID", "<" + name + "@test>")
            .setSubject("subject " + name)
            .setText(body)
            .build();
        return MailImpl.builder()
            .name(name)
            .sender("sender@example.com")
            .addRecipient(recipient)
            .mimeMessage(message)
            .state("transport")
            .errorMessage("421 try later")
            .remoteHost("client.example.com")
            .remoteAddr("127.0.0.9")
            .addAttribute(new Attribute(org.apache.mailet.AttributeName.of("routing.attempts"), AttributeValue.of(3)))
            .addHeaderForRecipient(PerRecipientHeaders.Header.builder().name("X-For").value("you").build(), new MailAddress(recipient))
            .build();
    }

    private static List<MailQueueItem> take(ManageableMailQueue queue, int count) {
        return Flux.from(queue.deQueue()).take(count).collectList().block(Duration.ofSeconds(10));
    }

    private static String body(Mail mail) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void aQueuedMailComesOutAsItWentIn() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        Mail sent = mail("m1", "rcpt@remote.test", "hello there");
        queue.enQueue(sent);

        Mail got = take(queue, 1).get(0).getMail();
        assertThat(got.getName()).isEqualTo("m1");
        assertThat(got.getMaybeSender().asString()).isEqualTo("sender@example.com");
        assertThat(got.getRecipients()).containsExactly(new MailAddress("rcpt@remote.test"));
        assertThat(got.getState()).isEqualTo("transport");
        assertThat(got.getErrorMessage()).isEqualTo("421 try later");
        assertThat(got.getRemoteHost()).isEqualTo("client.example.com");
        assertThat(got.getRemoteAddr()).isEqualTo("127.0.0.9");
        assertThat(got.getAttribute(org.apache.mailet.AttributeName.of("routing.attempts")).map(a -> (Object) a.getValue().value())).contains((Object) 3);
        assertThat(got.getPerRecipientSpecificHeaders().getHeadersForRecipient(new MailAddress("rcpt@remote.test")))
            .extracting(PerRecipientHeaders.Header::getValue).containsExactly("you");
        assertThat(body(got)).isEqualTo(body(sent));
        assertThat(got.getMessageSize()).isEqualTo(sent.getMessageSize());
        assertThat(((org.apache.james.server.core.MimeMessageWrapper) got.getMessage()).getSourceId())
            .as("read from the record, not copied into a new source on the way out").isEqualTo("m1");
    }

    @Test
    void mailOnDiskIsWaitingAgainAfterAReopenAndDoneMailIsGone() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        for (int i = 0; i < 5; i++) {
            queue.enQueue(mail("m" + i, "r" + i + "@remote.test", "body " + i));
        }
        List<MailQueueItem> items = take(queue, 2);
        items.get(0).done(MailQueueItem.CompletionStatus.SUCCESS);   // m0 delivered; m1 handed out when "the server died"
        factory.stop();

        DiskMailQueueFactory reopened = open();
        assertThat(reopened.listCreatedMailQueues()).containsExactly(OUTGOING);
        DiskMailQueue again = reopened.getQueue(OUTGOING).orElseThrow();
        assertThat(again.getSize()).isEqualTo(4);
        assertThat(take(again, 4)).extracting(item -> item.getMail().getName()).containsExactly("m1", "m2", "m3", "m4");
        // new keys come after the old ones
        again.enQueue(mail("m5", "r5@remote.test", "body 5"));
        assertThat(take(again, 1).get(0).getMail().getName()).isEqualTo("m5");
    }

    @Test
    void delayedMailIsHandedOutWhenDueNotBeforeAndNotAPollingWindowLater() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        queue.enQueue(mail("later", "r@remote.test", "later"), Duration.ofMillis(700));
        queue.enQueue(mail("now", "r@remote.test", "now"));
        long start = System.nanoTime();
        List<MailQueueItem> items = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        Flux.from(queue.deQueue()).take(2).doOnNext(item -> at.add(System.nanoTime() - start)).doOnNext(items::add).blockLast(Duration.ofSeconds(10));
        assertThat(items).extracting(item -> item.getMail().getName()).containsExactly("now", "later");
        // not before its time; and not a polling window later (James's JMS queue looked every 10 s)
        assertThat(at.get(1) / 1_000_000).isBetween(650L, 3000L);
    }

    @Test
    void retryPutsTheMailBackAtOnce() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        queue.enQueue(mail("m", "r@remote.test", "x"));
        MailQueueItem first = take(queue, 1).get(0);
        assertThat(queue.getSize()).isEqualTo(1);
        first.done(MailQueueItem.CompletionStatus.RETRY);
        assertThat(take(queue, 1).get(0).getMail().getName()).isEqualTo("m");
    }

    @Test
    void reportsJamesQueueMetricsUnderJamesNames() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        queue.enQueue(mail("m1", "a@remote.test", "one"));
        queue.enQueue(mail("m2", "b@remote.test", "two"));
        Gauge<?> size = gauges.get(MailQueue.QUEUE_SIZE_METRIC_NAME_PREFIX + "outgoing");
        assertThat(size).as("the size gauge").isNotNull();
        assertThat(size.get()).isEqualTo(2L);
        assertThat(metrics.countFor(MailQueue.ENQUEUED_METRIC_NAME_PREFIX + "outgoing")).isEqualTo(2);
        assertThat(metrics.executionTimesFor(MailQueue.ENQUEUED_TIMER_METRIC_NAME_PREFIX + "outgoing")).hasSize(2);

        MailQueueItem item = take(queue, 1).get(0);
        assertThat(metrics.countFor(MailQueue.DEQUEUED_METRIC_NAME_PREFIX + "outgoing")).isEqualTo(1);
        item.done(MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(size.get()).isEqualTo(1L);
    }

    @Test
    void browseRemoveFlushAndClearActOnWaitingMail() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        queue.enQueue(mail("a", "one@remote.test", "a"), Duration.ofHours(1));
        queue.enQueue(mail("b", "two@remote.test", "b"), Duration.ofHours(2));
        queue.enQueue(mail("c", "one@remote.test", "c"), Duration.ofHours(3));

        List<String> names = new ArrayList<>();
        ManageableMailQueue.MailQueueIterator browse = queue.browse();
        browse.forEachRemaining(view -> names.add(view.getMail().getName() + "@" + view.getNextDelivery().isPresent()));
        assertThat(names).containsExactly("a@true", "b@true", "c@true");

        assertThat(queue.remove(ManageableMailQueue.Type.Recipient, "one@remote.test")).isEqualTo(2);
        assertThat(queue.getSize()).isEqualTo(1);
        assertThat(queue.flush()).isEqualTo(1);
        assertThat(take(queue, 1).get(0).getMail().getName()).isEqualTo("b");

        queue.enQueue(mail("d", "x@remote.test", "d"), Duration.ofHours(1));
        assertThat(queue.remove(ManageableMailQueue.Type.Sender, "sender@example.com")).isEqualTo(1);
        queue.enQueue(mail("e", "x@remote.test", "e"), Duration.ofHours(1));
        assertThat(queue.remove(ManageableMailQueue.Type.Name, "e")).isEqualTo(1);
        queue.enQueue(mail("f", "x@remote.test", "f"), Duration.ofHours(1));
        assertThat(queue.clear()).isEqualTo(1);
        assertThat(queue.getSize()).isEqualTo(1);   // b, handed out
    }

    @Test
    void aFlushSurvivesAReopen() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        queue.enQueue(mail("a", "one@remote.test", "a"), Duration.ofHours(1));
        queue.flush();
        factory.stop();
        DiskMailQueue again = open().getQueue(OUTGOING).orElseThrow();
        assertThat(take(again, 1).get(0).getMail().getName()).isEqualTo("a");
    }

    @Test
    void twentyWritersAtOnceAllGetTheirMailStoredAndEachComesOutOnce() throws Exception {
        DiskMailQueue queue = open().createQueue(MailQueueName.of("spool"));
        ExecutorService writers = Executors.newFixedThreadPool(20);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 20; w++) {
            int writer = w;
            done.add(writers.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    queue.enQueue(mail("w" + writer + "-" + i, "r@remote.test", "x"));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        writers.shutdown();
        List<MailQueueItem> items = take(queue, 1000);
        assertThat(items).extracting(item -> item.getMail().getName()).doesNotHaveDuplicates().hasSize(1000);
    }

    /** The file as a crash leaves it (copied while the store is open), opened by a second store. */
    private long sizeInCrashImage(MailQueueName name) throws Exception {
        Path image = directory.resolve("image-" + System.nanoTime() + "/mail-queues.mv");
        java.nio.file.Files.createDirectories(image.getParent());
        java.nio.file.Files.copy(directory.resolve("queue/mail-queues.mv"), image);
        QueueStore copy = new QueueStore(image);
        DiskMailQueueFactory reader = factory(copy);
        try {
            return reader.getQueue(name).map(DiskMailQueue::getSize).orElse(0L);
        } finally {
            reader.stop();
        }
    }

    @Test
    void anAcceptedMailIsInTheFileWhenEnqueueReturnsAndADeliveredOneLeavesItWithoutFurtherWrites() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        queue.enQueue(mail("m1", "r@remote.test", "one"));
        queue.enQueue(mail("m2", "r@remote.test", "two"));
        assertThat(sizeInCrashImage(OUTGOING)).isEqualTo(2);

        take(queue, 1).get(0).done(MailQueueItem.CompletionStatus.SUCCESS);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        long size = sizeInCrashImage(OUTGOING);
        while (size != 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            size = sizeInCrashImage(OUTGOING);
        }
        assertThat(size).as("the removal on disk within the housekeeping second").isEqualTo(1);
    }

    @Test
    void theFileDoesNotGrowWithMailThatCameAndWent() throws Exception {
        DiskMailQueue queue = open().createQueue(OUTGOING);
        queue.enQueue(mail("stays", "r@remote.test", "a deferred mail that stays"), Duration.ofHours(1));
        String big = "y".repeat(20_000);
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 100; i++) {
                queue.enQueue(mail("m" + round + "-" + i, "r@remote.test", big));
            }
            for (MailQueueItem item : take(queue, 100)) {
                item.done(MailQueueItem.CompletionStatus.SUCCESS);
            }
        }
        // 2,000 mails of 20 KB (40 MB) came and went; let housekeeping catch up, then look
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        long bytes = java.nio.file.Files.size(directory.resolve("queue/mail-queues.mv"));
        while (bytes > 8_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            bytes = java.nio.file.Files.size(directory.resolve("queue/mail-queues.mv"));
        }
        assertThat(bytes).as("file size after 40 MB came and went").isLessThan(8_000_000);
        assertThat(queue.getSize()).isEqualTo(1);
    }
}
