package io.lightgate.modules.scgi;

import java.util.SequencedMap;

/**
 * A decoded SCGI or uwsgi request head: the parameters in wire order (names and values are byte strings, one
 * ISO-8859-1 char per byte) and the body length announced by {@code CONTENT_LENGTH} (0 when uwsgi omits it).
 */
public record GatewayHead(SequencedMap<String, String> params, long contentLength) { }
