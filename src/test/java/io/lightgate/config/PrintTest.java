package io.lightgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code -p}: the layout of lighttpd 1.4.69 (no "if" before conditions), compared with its real output, and
 * print -> parse -> print stability.
 */
class PrintTest {

    /** Nested conditions, else-chains, regexes lighttpd turns into ==/=^/=$, arrays (one-line and not). */
    static final String CONFIG = """
var.basedir = "/srv"
server.document-root = var.basedir + "/www"
server.modules = ("mod_a", "mod_b", "mod_c", "mod_d", "mod_e", "mod_f")
arr = ( "k1" => "v", "longerkey" => 2, "x", 3, "q" => "say \\"hi\\"" )
mixed = ( "a", ("b", "c") , "d" => ())
$HTTP["host"] == "example.org" {
  server.document-root = "/a"
  $HTTP["url"] =~ "^/ws/" {
     wstunnel.x = 1
  }
  else $HTTP["url"] =~ "\\.php$" {
     y.y = 2
  }
  else {
     z.z = 3
  }
}
else $HTTP["host"] =~ "(.*)\\.example\\.com" {
  foo.bar = "%1"
}
$HTTP["remote-ip"] == "10.0.0.0/8" { deny.all = 1 }
$SERVER["socket"] == ":8443" { ssl.x = "enable" }
$REQUEST_HEADER["Upgrade"] =^ "web" { }
$HTTP["url"] =~ "^/exact$" { e.e = 1 }
$HTTP["url"] =~ "suf$" { e.e = 3 }
$HTTP["url"] !~ "^/pre" { e.e = 4 }
""";

    /** {@code lighttpd -p} 1.4.69 for CONFIG, without its var.CWD and var.PID lines. */
    static final String LIGHTTPD_OUTPUT = """
config {
    var.basedir          = "/srv"
    server.document-root = "/srv/www"
    server.modules       = (
        "mod_a",
        "mod_b",
        "mod_c",
        "mod_d",
        "mod_e",
        "mod_f",
    )
    var.arr              = (
        "k1"        => "v",
        "longerkey" => 2,
        "x",
        3,
        "q"         => "say \\"hi\\"",
    )
    var.mixed            = (
        "a",
        ("b", "c"),
        "d" => (),
    )


    $HTTP["host"] == "example.org" {
        # block 1
        server.document-root = "/a"


        $HTTP["url"] =^ "/ws/" {
            # block 2
            wstunnel.x = 1

        } # end of $HTTP["url"] =^ "/ws/"
        else $HTTP["url"] =$ ".php" {
            # block 3
            y.y = 2

        } # end of $HTTP["url"] =$ ".php"
        else {
            # block 4
            z.z = 3

        } # end of else
    } # end of $HTTP["host"] == "example.org"
    else $HTTP["host"] =~ "(.*)\\.example\\.com" {
        # block 5
        foo.bar = "%1"

    } # end of $HTTP["host"] =~ "(.*)\\.example\\.com"

    $HTTP["remote-ip"] == "10.0.0.0/8" {
        # block 6
        deny.all = 1

    } # end of $HTTP["remote-ip"] == "10.0.0.0/8"

    $SERVER["socket"] == ":8443" {
        # block 7
        ssl.x = "enable"

    } # end of $SERVER["socket"] == ":8443"

    $REQUEST_HEADER["Upgrade"] =^ "web" {
        # block 8

    } # end of $REQUEST_HEADER["Upgrade"] =^ "web"

    $HTTP["url"] == "/exact" {
        # block 9
        e.e = 1

    } # end of $HTTP["url"] == "/exact"

    $HTTP["url"] =$ "suf" {
        # block 10
        e.e = 3

    } # end of $HTTP["url"] =$ "suf"

    $HTTP["url"] !~ "^/pre" {
        # block 11
        e.e = 4

    } # end of $HTTP["url"] !~ "^/pre"
}
""";

    static String withoutPredefined(String printed) {
        return printed.replaceAll("(?m)^    var\\.(CWD|PID) .*\n", "");
    }

    @Test
    void printsLikeLighttpd() throws Exception {
        String printed = ConfigParser.parseText("p.conf", CONFIG, Path.of("/tmp")).print();
        assertThat(withoutPredefined(printed)).isEqualTo(LIGHTTPD_OUTPUT);
    }

    @Test
    void predefinedVariablesComeFirst() throws Exception {
        String printed = ConfigParser.parseText("p.conf", "a.a = 1\n", Path.of("/tmp")).print();
        assertThat(printed).isEqualTo("config {\n    var.CWD = \"" + System.getProperty("user.dir") + "\"\n"
                + "    var.PID = " + ProcessHandle.current().pid() + "\n    a.a     = 1\n\n}\n");
    }

    @Test
    void elifElseIfAndIfAreNormalisedToElse() throws Exception {
        String modern = """
                if $HTTP["url"] == "/a" { a.a = 1 }
                elif $HTTP["url"] == "/b" { a.a = 2 }
                elsif $HTTP["url"] == "/c" { a.a = 3 }
                elseif $HTTP["url"] == "/d" { a.a = 4 }
                else if $HTTP["url"] == "/e" { a.a = 5 }
                else { a.a = 6 }
                """;
        String classic = modern.replaceAll("(?m)^(if |elif |elsif |elseif |else if )", "")
                .replaceAll("(?m)^\\$HTTP\\[\"url\"\\] == \"/([b-e])\"", "else \\$HTTP[\"url\"] == \"/$1\"");
        assertThat(classic).contains("else $HTTP[\"url\"] == \"/e\"").doesNotContain("elif");
        String a = ConfigParser.parseText("m.conf", modern, Path.of("/tmp")).print();
        assertThat(a).isEqualTo(ConfigParser.parseText("c.conf", classic, Path.of("/tmp")).print());
        assertThat(a).contains("    } # end of $HTTP[\"url\"] == \"/d\"\n    else $HTTP[\"url\"] == \"/e\" {\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lighttpd-wstunnel.conf", "lighttpd-proxy.conf", "cgi.conf"})
    void seedConfigsRoundTrip(String name) throws Exception {
        String once = ConfigParser.parseFile(SeedConfigTest.SEED.resolve(name)).print();
        String twice = ConfigParser.parseText("printed", once, Path.of("/tmp")).print();
        assertThat(twice).isEqualTo(once);
    }

    @Test
    void nestedConfigRoundTrips() throws Exception {
        String once = ConfigParser.parseText("p.conf", CONFIG + "q.q = \"a\\\"b\\\\c\"\nmulti = \"x\ny\"\n", Path.of("/tmp")).print();
        String twice = ConfigParser.parseText("printed", once, Path.of("/tmp")).print();
        assertThat(twice).isEqualTo(once);
        assertThat(once).contains("q.q                  = \"a\\\"b\\\\c\"\n");
    }
}
