package dev.tokenlog.worker.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connect timeout, the entry's and a request's own, against a real listening socket that never
 * completes a connection: its accept queue is full, so the kernel drops further SYNs and a connect
 * hangs until the client gives up, as with a provider host that does not answer.
 */
class ConnectTimeoutTest {
    private ServerSocket unanswering;
    private final List<Socket> fillers = new ArrayList<>();

    @BeforeEach
    void fillTheAcceptQueue() throws IOException {
        unanswering = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(unanswering.getLocalSocketAddress(), 300);
                fillers.add(filler);
            } catch (SocketTimeoutException full) {
                filler.close();
                return;
            }
        }
        throw new IllegalStateException("the accept queue never filled; connects would not hang");
    }

    @AfterEach
    void close() throws IOException {
        for (Socket s : fillers) {
            s.close();
        }
        unanswering.close();
    }

    @Test
    void theEntrysConnectTimeoutEndsACallThatCannotConnect() {
        HttpStreaming http = new HttpStreaming("slowhost", Duration.ofMillis(300), Secrets.of());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertConnectError(http, TestCalls.simple()));
    }

    @Test
    void aRequestsOwnConnectTimeoutOverridesTheEntrys() {
        HttpStreaming http = new HttpStreaming("slowhost", Duration.ofHours(1), Secrets.of());
        ProviderCall simple = TestCalls.simple();
        ProviderCall ownTimeout = new ProviderCall(simple.request(), simple.model(), simple.onStop(), Duration.ofMillis(300));
        // With the entry's hour the call would hang past the limit below.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertConnectError(http, ownTimeout));
    }

    private void assertConnectError(HttpStreaming http, ProviderCall call) {
        InetSocketAddress at = (InetSocketAddress) unanswering.getLocalSocketAddress();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertThatThrownBy(() -> http.open(request, call, "text/event-stream"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("CONNECT_ERROR");
                    assertThat(e.retryable()).isTrue();
                })
                .hasMessageContaining("cannot connect to slowhost")
                .hasMessageNotContaining("127.0.0.1").hasMessageNotContaining(String.valueOf(at.getPort()))
                .hasMessageNotContaining("Exception"); // clients see it in Failed.message; the log has the address
    }
}
