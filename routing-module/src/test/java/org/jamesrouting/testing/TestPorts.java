package org.jamesrouting.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for test servers, from 20000 to 31999: below the kernel's ephemeral range (32768 and
 * up), so that no outgoing connection of this machine can hold the port a test is about to
 * listen on, and a closed test port is not handed to a client socket a moment later. Each
 * port handed out was free for TCP and UDP when checked; a random start keeps test JVMs apart.
 */
public final class TestPorts {
    private static final AtomicInteger NEXT = new AtomicInteger(20000 + new Random().nextInt(10000));

    private TestPorts() {
    }

    public static int free() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20000 + Math.floorMod(NEXT.getAndIncrement() - 20000, 12000);
            try (ServerSocket tcp = new ServerSocket(); DatagramSocket udp = new DatagramSocket(null)) {
                tcp.setReuseAddress(true);
                tcp.bind(new InetSocketAddress("0.0.0.0", port));
                udp.bind(new InetSocketAddress("0.0.0.0", port));
                return port;
            } catch (IOException e) {
                // taken: the next one
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }
}
