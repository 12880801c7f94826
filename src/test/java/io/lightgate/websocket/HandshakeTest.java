package io.lightgate.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HandshakeTest {

    @Test
    void acceptValueOfRfc6455Example() {
        assertThat(Handshake.acceptValue("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void keyMustBeBase64Of16Bytes() {
        assertThat(Handshake.isValidKey("dGhlIHNhbXBsZSBub25jZQ==")).isTrue();
        assertThat(Handshake.isValidKey("MDAwMDAwMDAwMDAwMDAwMA==")).isTrue();
        assertThat(Handshake.isValidKey(null)).isFalse();
        assertThat(Handshake.isValidKey("")).isFalse();
        assertThat(Handshake.isValidKey("dGhlIHNhbXBsZSBub25jZQ")).as("unpadded").isFalse();
        assertThat(Handshake.isValidKey("dGhlIHNhbXBsZSBub25jZSE=")).as("17 bytes").isFalse();
        assertThat(Handshake.isValidKey("dGhlIHNhbXBsZSBub25j!Q==")).as("not base64").isFalse();
    }

    @Test
    void tokensInCommaLists() {
        assertThat(Handshake.hasToken("keep-alive, Upgrade", "upgrade")).isTrue();
        assertThat(Handshake.hasToken("upgraded", "upgrade")).isFalse();
        assertThat(Handshake.hasToken(null, "upgrade")).isFalse();
    }
}
