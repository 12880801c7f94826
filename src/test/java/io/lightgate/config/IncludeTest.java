package io.lightgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** include, include_shell and -f - with real files in temporary directories. */
class IncludeTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void relativeIncludesResolveAgainstTheMainConfigDirectory() throws Exception {
        Path main = write("main.conf", "include \"sub/a.conf\"\n");
        write("sub/a.conf", "a.a = 1\ninclude \"c.conf\"\n");
        write("c.conf", "c.c = \"main-dir\"\n");
        write("sub/c.conf", "c.c = \"sub-dir\"\n");
        ConfigTree t = ConfigParser.parseFile(main);
        assertThat(t.globalValue("a.a")).isEqualTo(new ConfigValue.Int(1));
        assertThat(t.globalValue("c.c")).isEqualTo(new ConfigValue.Str("main-dir"));
    }

    @Test
    void absoluteIncludeAndIncludeInsideACondition() throws Exception {
        Path inc = write("x/inc.conf", "i.i = \"in\"\n");
        Path main = write("main.conf", "$HTTP[\"url\"] == \"/\" {\n include \"" + inc + "\"\n}\n");
        assertThat(ConfigParser.parseFile(main).print()).contains("        i.i = \"in\"\n");
    }

    @Test
    void globsExpandSortedAndMayMatchNothing() throws Exception {
        Path main = write("main.conf", """
                include "conf.d/*.conf"
                include "conf.d/?-{x,y}.conf"
                include "conf.d/[b]*.cnf"
                include "nothing/*.conf"
                include "conf.d/*.none"
                """);
        write("conf.d/b.conf", "order += (\"b\")\n");
        write("conf.d/a.conf", "order += (\"a\")\n");
        write("conf.d/.hidden.conf", "order += (\"hidden\")\n");
        write("conf.d/1-y.conf", "order += (\"1-y\")\n");
        write("conf.d/2-x.conf", "order += (\"2-x\")\n");
        write("conf.d/2-z.conf", "order += (\"2-z\")\n");
        write("conf.d/bb.cnf", "order += (\"bb\")\n");
        ConfigValue order = ConfigParser.parseFile(main).globalValue("var.order");
        assertThat(Printer.printValue(order).replaceAll("\\s+", ""))
                .isEqualTo("(\"1-y\",\"2-x\",\"2-z\",\"a\",\"b\",\"1-y\",\"2-x\",\"bb\",)");
    }

    @Test
    void missingPlainFileIsAnError() throws Exception {
        Path main = write("main.conf", "a.a = 1\n  include \"missing.conf\"\n");
        assertThatThrownBy(() -> ConfigParser.parseFile(main))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.file()).isEqualTo(main.toString());
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(3);
                    assertThat(e.detail()).startsWith("include file not found: missing.conf");
                });
    }

    @Test
    void errorsInIncludedFilesNameThatFile() throws Exception {
        Path main = write("main.conf", "include \"bad.conf\"\n");
        Path bad = write("bad.conf", "\n\nx = (1 2)\n");
        assertThatThrownBy(() -> ConfigParser.parseFile(main))
                .hasMessage(bad + ":3:8: expected ',' or ')' before 2 (missing comma after the previous value?)");
    }

    @Test
    void includeLoopHitsTheDepthLimit() throws Exception {
        Path main = write("loop.conf", "include \"loop.conf\"\n");
        assertThatThrownBy(() -> ConfigParser.parseFile(main))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.file()).isEqualTo(dir.resolve("loop.conf").toString());
                    assertThat(e.detail()).isEqualTo("include \"loop.conf\": includes nested deeper than "
                            + Parser.MAX_INCLUDE_DEPTH + " levels (include loop?)");
                });
    }

    @Test
    void includeShellRunsInTheMainConfigDirectory() throws Exception {
        write("sub/marker", "");
        Path main = write("main.conf", "include_shell \"echo 'dir = \\\"'$(pwd)'\\\"'; ls sub | sed 's/^/f./;s/$/ = 1/'\"\n");
        ConfigTree t = ConfigParser.parseFile(main);
        assertThat(t.globalValue("var.dir")).isEqualTo(new ConfigValue.Str(dir.toRealPath().toString()));
        assertThat(t.globalValue("f.marker")).isEqualTo(new ConfigValue.Int(1));
    }

    @Test
    void includeShellFailureIsAnError() throws Exception {
        Path main = write("main.conf", "include_shell \"echo x.y = 1; exit 3\"\n");
        assertThatThrownBy(() -> ConfigParser.parseFile(main))
                .hasMessage(main + ":1:1: include_shell \"echo x.y = 1; exit 3\" exited with status 3");
    }

    @Test
    void includeShellOutputErrorsNameTheCommand() throws Exception {
        Path main = write("main.conf", "include_shell \"echo 'a = ('\"\n");
        assertThatThrownBy(() -> ConfigParser.parseFile(main))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.file()).isEqualTo("include_shell \"echo 'a = ('\""));
    }

    @Test
    void configFromStdinResolvesIncludesAgainstTheGivenDirectory() throws Exception {
        write("inc.conf", "i.i = 2\n");
        ConfigTree t = ConfigParser.parseStream(
                new ByteArrayInputStream("include \"inc.conf\"\n".getBytes(StandardCharsets.UTF_8)), dir);
        assertThat(t.globalValue("i.i")).isEqualTo(new ConfigValue.Int(2));
    }

    @Test
    void missingMainFileIsAnErrorWithoutStackTrace() {
        assertThatThrownBy(() -> ConfigParser.parseFile(dir.resolve("none.conf")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("none.conf").hasMessageContaining("no such file");
    }
}
