package io.lightgate.modules.scgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.testing.TestServer;
import org.junit.jupiter.api.Test;

/** The mod_scgi and mod_fastcgi keys as a real server start reads them. */
class ScgiConfigTest {

    @Test
    void scgiProtocolOtherThanScgiOrUwsgiIsAStartupErrorWithItsPosition() {
        assertThatThrownBy(() -> TestServer.start("server.modules = (\"mod_scgi\")\nscgi.protocol = \"fastcgi\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageMatching("(?s).*lighttpd\\.conf:\\d+:\\d+: .*scgi\\.protocol.*")
                .hasMessageContaining("\"fastcgi\"");
    }

    @Test
    void scgiProtocolIsCaseInsensitiveAndMayBeConditional() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_scgi\")\nscgi.protocol = \"UWSGI\"\n"
                + "$HTTP[\"url\"] =^ \"/s/\" { scgi.protocol = \"scgi\" }\n")) {
            assertThat(s.port()).isPositive();
        }
    }

    @Test
    void authorizerModeIsAcceptedByBothAndUnknownModesWarn() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_scgi\", \"mod_fastcgi\")\n"
                + "scgi.server = ( \"/a\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 9, \"mode\" => \"authorizer\" ) ) )\n"
                + "fastcgi.server = ( \"/b\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 9, \"mode\" => \"authorizer\" ) ),\n"
                + "  \"/c\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 9, \"mode\" => \"filter\" ) ) )\n")) {
            assertThat(s.errorLines("mod_fastcgi")).anyMatch(l -> l.contains("unknown mode \"filter\""));
        }
    }

    @Test
    void hostOptionsAreCheckedAtStartup() {
        assertThatThrownBy(() -> TestServer.start("server.modules = (\"mod_fastcgi\")\n"
                + "fastcgi.server = ( \".php\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 9, \"check_local\" => \"disable\" ) ) )\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("use '-' not '_'");
        assertThatThrownBy(() -> TestServer.start("server.modules = (\"mod_scgi\")\n"
                + "scgi.server = ( \".py\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 9, \"upgrade\" => \"maybe\" ) ) )\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageMatching("(?s).*lighttpd\\.conf:\\d+:\\d+: .*upgrade.*");
    }

    @Test
    void unknownBalanceIsLoggedAndFallsBack() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_scgi\")\nscgi.balance = \"random\"\n"
                + "scgi.server = ( \"/a\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 9 ) ) )\n")) {
            assertThat(s.errorLines("mod_scgi")).anyMatch(l -> l.contains("scgi.balance") && l.contains("random"));
        }
    }
}
