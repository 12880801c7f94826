package io.lightgate.gateway.cgi;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A CGI program's response head as {@link CgiResponseParser} read it.
 *
 * @param status         100..599: from {@code Status}, the NPH status line, 302 for a {@code Location} without
 *                       {@code Status}, else 200
 * @param reason         the reason phrase given with the status, null when none
 * @param headers        every header line in order, names as sent, without {@code Status}; {@code Upgrade} only on a 101
 * @param explicitStatus a {@code Status} header or an NPH status line set the status (lighttpd's local
 *                       redirect needs a {@code Location} alone)
 * @param nph            the output began with an HTTP status line (non-parsed headers)
 * @param headerBlock    false when the output had no header block at all: everything is body
 * @param upgrade        101 with {@code Upgrade}: the rest of the output is the upgraded stream
 * @param location       the {@code Location} header, null when absent
 */
public record CgiResponseHead(int status, String reason, HttpHeaders headers, boolean explicitStatus, boolean nph,
                              boolean headerBlock, boolean upgrade, String location) { }
