package dev.tokenlog.schemas;

import java.util.Base64;
import java.util.Locale;

/**
 * An image given as a base64 {@code data:} URL (RFC 2397): {@code data:<media type>[;…];base64,<data>}.
 * The gateway decodes such URLs into {@code ContentPart.mediaType} and {@code data}; workers decode
 * one that another producer left in {@code imageUrl}. Both use this parser, so they agree.
 *
 * @param mediaType lower-case {@code image/…} type
 * @param data      the decoded bytes
 */
public record ImageDataUrl(String mediaType, byte[] data) {
    private static final String SCHEME = "data:";

    /** Whether {@code url} is a data: URL (scheme compared case-insensitively). */
    public static boolean isDataUrl(String url) {
        return url != null && url.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * The number of bytes the base64 data of {@code url} decodes to, computed without decoding it
     * (so an oversized image is refused before its bytes are allocated).
     */
    public static long decodedSize(String url) {
        String payload = url.substring(url.indexOf(',') + 1);
        int padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
        return (payload.length() - padding) * 3L / 4;
    }

    /**
     * @throws IllegalArgumentException with a message that reads after the URL's field name, e.g.
     *                                  "must be base64-encoded: data:&lt;media type&gt;;base64,&lt;data&gt;"
     */
    public static ImageDataUrl parse(String url) {
        if (!isDataUrl(url)) {
            throw new IllegalArgumentException("is not a data: URL");
        }
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw new IllegalArgumentException("is a data: URL without ','; use data:<media type>;base64,<data>");
        }
        String[] header = url.substring(SCHEME.length(), comma).split(";");
        if (header.length < 2 || !"base64".equalsIgnoreCase(header[header.length - 1].trim())) {
            throw new IllegalArgumentException("must be base64-encoded: data:<media type>;base64,<data>");
        }
        String mediaType = header[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.startsWith("image/") || mediaType.length() == "image/".length()) {
            throw new IllegalArgumentException("has media type '" + header[0].trim()
                    + "'; an image type such as image/png is required");
        }
        try {
            return new ImageDataUrl(mediaType, Base64.getDecoder().decode(url.substring(comma + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("holds data that is not valid base64 (" + e.getMessage() + ")", e);
        }
    }
}
