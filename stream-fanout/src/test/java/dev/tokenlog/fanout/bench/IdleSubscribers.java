package dev.tokenlog.fanout.bench;

import dev.tokenlog.schemas.RequestIds;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load client run as its own JVM by {@code GatewayBenchmark} (so its sockets do not count against
 * the gateway JVM's file limit): opens {@code count} SSE subscriptions to streams that do not exist
 * yet (new UUIDv7 ids, PENDING at the gateway, so each waits at the live tail), prints {@code READY <n> <failed>} once all are open, and holds
 * them until its standard input closes.
 *
 * <p>Arguments: {@code host port count}.
 */
public final class IdleSubscribers {
    private IdleSubscribers() {}

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        List<Socket> open = new ArrayList<>(count);
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    Socket socket = new Socket(host, port);
                    OutputStream out = socket.getOutputStream();
                    out.write(("GET /v1/streams/" + RequestIds.newId() + "/events?from=live HTTP/1.1\r\nHost: " + host
                            + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (!readUntil(socket.getInputStream(), "retry:")) {
                        throw new IllegalStateException("no SSE stream");
                    }
                    synchronized (open) {
                        open.add(socket);
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        System.out.println("READY " + open.size() + " " + failed.get());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the connections until the benchmark closes our input
        }
        for (Socket s : open) {
            s.close();
        }
    }

    private static boolean readUntil(InputStream in, String marker) throws Exception {
        StringBuilder seen = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            seen.append((char) b);
            if (seen.indexOf(marker) >= 0) {
                return true;
            }
        }
        return false;
    }
}
