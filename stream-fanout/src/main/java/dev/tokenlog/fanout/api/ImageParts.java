package dev.tokenlog.fanout.api;

import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.PartType;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Locale;

/**
 * Turns the URL of an {@code image_url} part into an IMAGE {@link ContentPart}: a base64
 * {@code data:} URL (RFC 2397) is decoded into media type and bytes, so providers that take inline
 * images need no second parse; an http(s) URL is kept as it is.
 */
final class ImageParts {
    /** Upper bound on one decoded image, OpenAI's per-image limit. */
    static final long MAX_IMAGE_BYTES = 20L * 1024 * 1024;

    private ImageParts() {}

    /**
     * @param mediaType the optional {@code image_url.media_type} (a tokenlog extension, for http(s)
     *                  URLs sent to providers that need the type, such as Gemini); ignored for data: URLs
     * @param at        the JSON path of the part, for error messages
     */
    static ContentPart fromUrl(String url, String mediaType, String at, long maxBytes) {
        if (url == null || url.isBlank()) {
            throw ApiException.badRequest(at + ".url is required: an https URL or a data:image/…;base64,… URL");
        }
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            return inline(url, at + ".url", maxBytes);
        }
        checkHttpUrl(url, at + ".url");
        return ContentPart.newBuilder().setType(PartType.IMAGE).setImageUrl(url)
                .setMediaType(mediaType == null ? null : imageType(mediaType, at + ".media_type")).build();
    }

    private static ContentPart inline(String url, String at, long maxBytes) {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw ApiException.badRequest(at + " is a data: URL without ','; use data:<media type>;base64,<data>");
        }
        String[] header = url.substring("data:".length(), comma).split(";");
        if (header.length < 2 || !"base64".equalsIgnoreCase(header[header.length - 1].trim())) {
            throw ApiException.badRequest(at + " must be base64-encoded: data:<media type>;base64,<data>");
        }
        String mediaType = imageType(header[0], at);
        String payload = url.substring(comma + 1);
        int padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
        long decodedSize = (payload.length() - padding) * 3L / 4;
        if (decodedSize > maxBytes) {
            throw new ApiException(400, "image_too_large", at + " holds an image of " + mebibytes(decodedSize)
                    + "; the limit is " + mebibytes(maxBytes) + " per image: send a smaller image or an https URL to it");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(at + " holds data that is not valid base64 (" + e.getMessage() + ")");
        }
        return ContentPart.newBuilder().setType(PartType.IMAGE).setMediaType(mediaType)
                .setData(ByteBuffer.wrap(bytes)).build();
    }

    private static void checkHttpUrl(String url, String at) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest(at + " is not a valid URL (" + e.getMessage() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.badRequest(at + " must be an http(s) URL or a data: URL, not scheme '" + scheme + "'");
        }
        if (uri.getHost() == null) {
            throw ApiException.badRequest(at + " has no host");
        }
    }

    private static String imageType(String value, String at) {
        String type = value.trim().toLowerCase(Locale.ROOT);
        if (!type.startsWith("image/") || type.length() == "image/".length()) {
            throw ApiException.badRequest(at + " has media type '" + value.trim() + "'; an image type such as image/png is required");
        }
        return type;
    }

    private static String mebibytes(long bytes) {
        return bytes < 1024 * 1024 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
