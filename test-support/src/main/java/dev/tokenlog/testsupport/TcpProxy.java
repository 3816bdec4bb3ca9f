package dev.tokenlog.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a real server (the schema registry, a broker listener) that a test
 * can take down and bring back, to inject an outage of that server without stopping it.
 *
 * <p>While {@linkplain #refuse() refusing}, every connection (new or open) is reset at once, so a client
 * sees the same "connection reset" it would see from a crashed server, and {@link #refused()} counts
 * the attempts: a test can wait until a client has really tried.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean refusing;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tcp-proxy-accept").start(this::acceptLoop);
    }

    /** A proxy on a free loopback port forwarding to {@code host:port}; it starts up (forwarding). */
    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The proxy's own port. */
    public int port() {
        return server.getLocalPort();
    }

    /** Resets every open connection and every new one until {@link #forward()}. */
    public void refuse() {
        refusing = true;
        open.forEach(TcpProxy::reset);
    }

    /** Forwards connections again. */
    public void forward() {
        refusing = false;
    }

    /** Connections reset since the proxy was made, because it was refusing. */
    public int refused() {
        return refused.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (refusing) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            Thread.ofVirtual().name("tcp-proxy-conn").start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(target, 5_000);
        } catch (IOException e) {
            reset(client);
            return;
        }
        open.add(client);
        open.add(upstream);
        AtomicInteger directionsDone = new AtomicInteger();
        Runnable finished = () -> {
            if (directionsDone.incrementAndGet() == 2) {
                close(client);
                close(upstream);
            }
        };
        Thread.ofVirtual().start(() -> {
            pipe(client, upstream);
            finished.run();
        });
        pipe(upstream, client);
        finished.run();
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            reset(from);
            reset(to);
        }
    }

    /** Closes with RST (linger 0), as a crashed peer's kernel would. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(TcpProxy::reset);
    }
}
