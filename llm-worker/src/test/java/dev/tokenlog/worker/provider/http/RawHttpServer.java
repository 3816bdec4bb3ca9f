package dev.tokenlog.worker.provider.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on loopback, written on sockets so a test sees connections: how many were
 * opened, which one served each request, and when the client closed one. {@code /whole} answers
 * {@value #WHOLE} with a content-length (the connection stays open for the next request); {@code /stall}
 * sends the chunk {@value #FIRST} and then waits for the client to close the connection; {@code /paced}
 * answers {@value #WHOLE} as a chunk and ends the body in a separate write (so a client closing right
 * after the data races the end of the response).
 */
final class RawHttpServer implements AutoCloseable {
    static final String WHOLE = "data: whole\n\n";
    static final String FIRST = "data: first\n\n";

    private final ServerSocket listener;
    private final AtomicInteger connections = new AtomicInteger();
    /** The connection number of each request, in arrival order. */
    private final List<Integer> servedBy = new CopyOnWriteArrayList<>();
    private final CountDownLatch stalledClosedByClient = new CountDownLatch(1);

    RawHttpServer() throws IOException {
        listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    String url(String path) {
        return "http://127.0.0.1:" + listener.getLocalPort() + path;
    }

    int connections() {
        return connections.get();
    }

    List<Integer> servedBy() {
        return servedBy;
    }

    CountDownLatch stalledClosedByClient() {
        return stalledClosedByClient;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                int number = connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket, number));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket, int number) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (String path; (path = readRequest(in)) != null; ) {
                servedBy.add(number);
                if (path.equals("/stall")) {
                    out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                            + Integer.toHexString(FIRST.length()) + "\r\n" + FIRST + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    while (in.read() != -1) {
                        // nothing more is expected from the client: wait for it to close
                    }
                    stalledClosedByClient.countDown();
                    return;
                }
                if (path.equals("/paced")) {
                    out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                            + Integer.toHexString(WHOLE.length()) + "\r\n" + WHOLE + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    continue;
                }
                out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: " + WHOLE.length()
                        + "\r\n\r\n" + WHOLE).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            stalledClosedByClient.countDown(); // a reset counts as the client closing
        }
    }

    /** Reads one request (head and content-length body); its path, or null at the end of the connection. */
    private static String readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        int length = 0;
        for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        in.readNBytes(length);
        return requestLine.split(" ")[1];
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return line.toString().strip();
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : line.toString();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
