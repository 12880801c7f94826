package io.lightgate.modules.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * mod_access with a real server and real files. The expected statuses are what Debian's lighttpd 1.4.69
 * answered for the same config and files (checked by hand with curl).
 */
class AccessModuleTest {
    private static final Duration T = Duration.ofSeconds(10);

    private static final String CONFIG = """
            server.modules = ( "mod_indexfile", "mod_access" )
            index-file.names = ( "index.inc" )
            url.access-deny = ( "~", ".inc" )
            $HTTP["url"] =^ "/private/" { url.access-deny = ( "" ) }
            $HTTP["url"] =^ "/allow/" { url.access-allow = ( ".html" ) url.access-deny = ( ".html" ) }
            """;

    private static int status(TestServer server, String target) throws Exception {
        String answer = RawHttp.exchange(server.port(), "GET " + target + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", T);
        return Integer.parseInt(answer.substring(9, 12));
    }

    private static void files(Path root) throws Exception {
        Files.createDirectories(root.resolve("dir"));
        Files.createDirectories(root.resolve("private"));
        Files.createDirectories(root.resolve("allow"));
        Files.writeString(root.resolve("a.inc"), "inc");
        Files.writeString(root.resolve("a.html"), "html");
        Files.writeString(root.resolve("a.txt"), "txt");
        Files.writeString(root.resolve("backup~"), "b");
        Files.writeString(root.resolve("dir/index.inc"), "idx");
        Files.writeString(root.resolve("private/x.html"), "p");
        Files.writeString(root.resolve("allow/a.html"), "a");
        Files.writeString(root.resolve("allow/a.txt"), "a");
    }

    @Test
    void answersAsLighttpdForSuffixesIndexFilesPathInfoConditionsAndAllowLists() throws Exception {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("/a.inc", 403);
        expected.put("/a.inc/", 403);       // PATH_INFO "/": checked again without it at subrequest-start
        expected.put("/a.inc/x", 403);
        expected.put("/a%2einc", 403);      // the decoded path is matched
        expected.put("/A.INC", 404);        // case-sensitive, and there is no such file
        expected.put("/dir/", 403);         // the index file mod_indexfile chose ends in ".inc"
        expected.put("/a.html", 200);
        expected.put("/backup~", 403);
        expected.put("/private/x.html", 403); // "" denies everything in that block
        expected.put("/allow/a.html", 200); // a non-empty allow list decides alone: its deny list is not read
        expected.put("/allow/a.txt", 403);
        expected.put("/allow/", 403);
        expected.put("/a.txt", 200);
        try (TestServer server = TestServer.start(CONFIG)) {
            files(server.docroot());
            Map<String, Integer> actual = new LinkedHashMap<>();
            for (String target : expected.keySet()) {
                actual.put(target, status(server, target));
            }
            assertThat(actual).containsExactlyEntriesOf(expected);
            assertThat(server.errorLines().stream().filter(l -> !l.contains("(server) server started")))
                    .as("a denied request is not an error (lighttpd logs it only with "
                    + "debug.log-request-handling)").isEmpty();
        }
    }

    @Test
    void withoutTheKeysNothingIsDenied() throws Exception {
        try (TestServer server = TestServer.start("server.modules = ( \"mod_access\" )\n")) {
            files(server.docroot());
            assertThat(status(server, "/a.inc")).isEqualTo(200);
            assertThat(status(server, "/backup~")).isEqualTo(200);
        }
    }

    @Test
    void aKeyedEntryIsAStartUpErrorAsInLighttpd() {
        assertThatThrownBy(() -> TestServer.start("""
                server.modules = ( "mod_access" )
                url.access-deny = ( ".inc" => "x" )
                """).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("url.access-deny")
                .hasMessageContaining("write the suffixes without keys");
    }
}
