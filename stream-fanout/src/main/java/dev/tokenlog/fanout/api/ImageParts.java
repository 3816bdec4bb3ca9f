package dev.tokenlog.fanout.api;

import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.PartType;
import dev.tokenlog.schemas.ImageDataUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Turns the URL of an {@code image_url} part into an IMAGE {@link ContentPart}: a base64
 * {@code data:} URL ({@link ImageDataUrl}) is decoded into media type and bytes, so providers that
 * take inline images need no second parse; an http(s) URL is kept as it is.
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
        if (ImageDataUrl.isDataUrl(url)) {
            return inline(url, at + ".url", maxBytes);
        }
        checkHttpUrl(url, at + ".url");
        return ContentPart.newBuilder().setType(PartType.IMAGE).setImageUrl(url)
                .setMediaType(mediaType == null ? null : imageType(mediaType, at + ".media_type")).build();
    }

    private static ContentPart inline(String url, String at, long maxBytes) {
        long size = ImageDataUrl.decodedSize(url);
        if (size > maxBytes) {
            throw new ApiException(400, "image_too_large", at + " holds an image of " + mebibytes(size)
                    + "; the limit is " + mebibytes(maxBytes) + " per image: send a smaller image or an https URL to it");
        }
        ImageDataUrl image;
        try {
            image = ImageDataUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(at + " " + e.getMessage());
        }
        return ContentPart.newBuilder().setType(PartType.IMAGE).setMediaType(image.mediaType())
                .setData(ByteBuffer.wrap(image.data())).build();
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
