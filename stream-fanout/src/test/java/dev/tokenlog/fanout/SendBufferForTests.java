package dev.tokenlog.fanout;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Test only: {@code tokenlog.test.http-send-buffer} fixes the HTTP server's socket send buffer (bytes),
 * so that a test profile can make a client that stops reading fill the gateway's write queue soon,
 * instead of megabytes of kernel buffers on loopback. Unset, the server keeps its defaults.
 */
@ApplicationScoped
public class SendBufferForTests implements HttpServerOptionsCustomizer {
    @ConfigProperty(name = "tokenlog.test.http-send-buffer")
    Optional<Integer> sendBuffer;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        sendBuffer.ifPresent(options::setSendBufferSize);
    }
}
