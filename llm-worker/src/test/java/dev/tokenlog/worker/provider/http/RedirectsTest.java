package dev.tokenlog.worker.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The redirect rule of the JDK's {@code Redirect.NORMAL}, as a table. */
class RedirectsTest {
    private static final URI FROM = URI.create("https://api.example.com/v1/chat");

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, method, status, location, expected "METHOD uri body?" or null (not followed)
                Arguments.of("307 repeats a POST with its body", "POST", 307, "/v2/chat", "POST https://api.example.com/v2/chat body"),
                Arguments.of("308 repeats a POST with its body", "POST", 308, "/v2/chat", "POST https://api.example.com/v2/chat body"),
                Arguments.of("303 continues as a GET", "POST", 303, "/result", "GET https://api.example.com/result"),
                Arguments.of("302 turns a POST into a GET", "POST", 302, "/x", "GET https://api.example.com/x"),
                Arguments.of("301 keeps a GET", "GET", 301, "https://other.example.com/y", "GET https://other.example.com/y body"),
                Arguments.of("https to http is not followed", "POST", 307, "http://api.example.com/v1/chat", null),
                Arguments.of("no location, no redirect", "POST", 307, null, null),
                Arguments.of("300 is not followed", "POST", 300, "/x", null),
                Arguments.of("another scheme is not followed", "POST", 307, "ftp://api.example.com/x", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void followsLikeTheJdksNormalPolicy(String name, String method, int status, String location, String expected) {
        Optional<Redirects.Hop> hop = Redirects.next(method, FROM, status, Optional.ofNullable(location));
        assertThat(hop.map(h -> h.method() + " " + h.uri() + (h.keepsBody() ? " body" : "")).orElse(null))
                .isEqualTo(expected);
    }
}
