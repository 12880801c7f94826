package io.lightgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tokens, values, merge rules and variables (reference §9.1/§9.2), with lighttpd 1.4.69's answers. */
class ParserTest {

    static ConfigTree parse(String text) throws ConfigException {
        return ConfigParser.parseText("t.conf", text, Path.of("/tmp"));
    }

    static ConfigValue value(String text, String key) throws ConfigException {
        return parse(text).globalValue(key);
    }

    static ConfigValue.Str str(String s) {
        return new ConfigValue.Str(s);
    }

    static ConfigValue.Int num(long n) {
        return new ConfigValue.Int(n);
    }

    static ConfigValue.Arr.Entry e(String key, ConfigValue v) {
        return new ConfigValue.Arr.Entry(key, v);
    }

    static ConfigValue.Arr arr(ConfigValue.Arr.Entry... entries) {
        return new ConfigValue.Arr(List.of(entries));
    }

    /** "line:column: detail" of the error parsing {@code text}. */
    static String error(String text) {
        try {
            parse(text);
        } catch (ConfigException e) {
            assertThat(e.file()).isEqualTo("t.conf");
            return e.line() + ":" + e.column() + ": " + e.detail();
        }
        throw new AssertionError("parsed without error: " + text);
    }

    @Test
    void whitespaceIncludingNbspAndCommentsAndCrlf() throws Exception {
        ConfigTree t = parse("\u00a0a.b\u00a0=\t1 # comment \"x\"\r\n\r\n# only a comment\r\nc.d = \"#not a comment\"\r");
        assertThat(t.globalValue("a.b")).isEqualTo(num(1));
        assertThat(t.globalValue("c.d")).isEqualTo(str("#not a comment"));
    }

    @Test
    void stringsOnlyEscapeTheQuote() throws Exception {
        assertThat(value("a.a = \"say \\\"hi\\\" \\n \\\\ end\"", "a.a")).isEqualTo(str("say \"hi\" \\n \\\\ end"));
    }

    @Test
    void stringsMaySpanLines() throws Exception {
        ConfigTree t = parse("a.a = \"line1\nline2\"\nb.b = 1\n");
        assertThat(t.globalValue("a.a")).isEqualTo(str("line1\nline2"));
        assertThat(t.globalValue("b.b")).isEqualTo(num(1));
    }

    @Test
    void namesWithoutDotAreVariables() throws Exception {
        ConfigTree t = parse("x = 3\na.b-c_D9 = x\n");
        assertThat(t.globalValue("var.x")).isEqualTo(num(3));
        assertThat(t.globalValue("a.b-c_D9")).isEqualTo(num(3));
    }

    @Test
    void newlinesInsideParenthesesAreIgnored() throws Exception {
        assertThat(value("a.a = (\n\"x\"\n,\n\"y\"\n)\n", "a.a")).isEqualTo(arr(e(null, str("x")), e(null, str("y"))));
    }

    @Test
    void commaOutsideParenthesesIsSkipped() throws Exception {
        ConfigTree t = parse("a.a = \"x\", b.b = 2\n");
        assertThat(t.globalValue("a.a")).isEqualTo(str("x"));
        assertThat(t.globalValue("b.b")).isEqualTo(num(2));
    }

    @Test
    void statementsNeedNoLineEndBetweenThem() throws Exception {
        ConfigTree t = parse("x = 1 y = 2 $HTTP[\"url\"] == \"/\" { z = 3 } w = 4");
        assertThat(t.globalValue("var.y")).isEqualTo(num(2));
        assertThat(t.globalValue("var.w")).isEqualTo(num(4));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            a = "a" + 1 + "b"      | "a1b"
            a = 1 + 2              | 3
            a = 1 + "x"            | "1x"
            a = "x" + "y"          | "xy"
            a = (1) + (2)          | (1, 2)
            a = ()                 | ()
            a = (1,)               | (1)
            a = (1,,2)             | (1, 2)
            a = (,)                | ()
            a = ( 1 => "a" )       | ( "1" => "a", )
            a = ("k" => 1) + ("k" => 1) | ( "k" => 1, )
            a = ("a", ("b", "c"), "d" => ()) | ( "a", ("b", "c"), "d" => (), )
            """)
    void valuesAndPlus(String text, String printed) throws Exception {
        assertThat(Printer.printValue(value(text, "var.a")).replaceAll("\\s*\n\\s*", " ")).isEqualTo(printed);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            a = 1\\na := 2        | 2
            a = 1\\na += 2        | 3
            a = "x"\\na += 2      | "x2"
            a += 5                | 5
            a = (1)\\na += (2)    | (1, 2)
            a = ("k" => 1)\\na += ("k" => 1) | ( "k" => 1, )
            """)
    void assignmentOperators(String text, String printed) throws Exception {
        ConfigValue v = value(text.replace("\\n", "\n"), "var.a");
        assertThat(Printer.printValue(v).replaceAll("\\s*\n\\s*", " ")).isEqualTo(printed);
    }

    @Test
    void appendInConditionCopiesEnclosingValue() throws Exception {
        String printed = parse("""
                server.modules = ("a")
                $HTTP["url"] == "/" { server.modules += ("b") }
                """).print();
        assertThat(printed).contains("    server.modules = (\"a\")\n").contains("        server.modules = (\"a\", \"b\")\n");
    }

    @Test
    void variablesWalkParentBlocksAndPredefinedOnes() throws Exception {
        ConfigTree t = parse("""
                x = 1
                $HTTP["url"] == "/" { y = x + 1 z.z = y }
                c = var.CWD
                p = var.PID
                h = env.PATH
                s = server.port
                """.replace("s = server.port", "server.port = 80\ns = server.port"));
        assertThat(t.print()).contains("        var.y = 2\n").contains("        z.z   = 2\n");
        assertThat(t.globalValue("var.c")).isEqualTo(str(System.getProperty("user.dir")));
        assertThat(t.globalValue("var.p")).isEqualTo(num(ProcessHandle.current().pid()));
        assertThat(t.globalValue("var.h")).isEqualTo(str(System.getenv("PATH")));
        assertThat(t.globalValue("var.s")).isEqualTo(num(80));
    }

    @Test
    void globalBlockWritesTheTopLevelEvenInsideACondition() throws Exception {
        ConfigTree t = parse("global { a = 1 }\n$HTTP[\"url\"] == \"/\" { global { b = 2 } }\n");
        assertThat(t.globalValue("var.a")).isEqualTo(num(1));
        assertThat(t.globalValue("var.b")).isEqualTo(num(2));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            a = 1\\na = 2                               | 2:1: Duplicate config variable var.a in block global (first set at t.conf:1:1; use := to replace or += to append)
            $HTTP["url"] == "/" { x = 1 }\\n$HTTP["url"] == "/" { x = 2 } | 2:23: Duplicate config variable var.x in block $HTTP["url"] == "/" (first set at t.conf:1:23; use := to replace or += to append)
            a = (1)\\na += 2                            | 2:3: data type mismatch: cannot merge array with integer
            a = (1) + 1                                | 1:9: data type mismatch: cannot merge array with integer
            a = ("k" => 1) + ("k" => 2)                | 1:16: duplicate array key "k" with a different value while merging arrays
            a = ("k" => 1, "k" => 1)                   | 1:16: duplicate array key "k" (first at line 1, column 6)
            a = b                                      | 1:5: undefined config variable var.b
            $HTTP["url"] == "/" { x = 1 }\\ny = x      | 2:5: undefined config variable var.x
            a = env.LIGHTGATE_SURELY_UNDEFINED         | 1:5: undefined environment variable LIGHTGATE_SURELY_UNDEFINED (env.LIGHTGATE_SURELY_UNDEFINED)
            env.X = 1                                  | 1:1: cannot assign env.X: env.* variables are read-only
            a = -1                                     | 1:5: undefined config variable var.-1
            a = 99999999999999999999                   | 1:5: integer 99999999999999999999 is too large
            a = "b"  "c"                               | 1:10: expected end of line or '+' before "c" (two values in a row need '+' between them)
            a = ("a" = 1)                              | 1:10: use '=>' for keyed array elements, not '='
            a => 1                                     | 1:3: expected '=', '+=' or ':=' after a, got '=>'
            a b = 1                                    | 1:3: expected '=', '+=' or ':=' after a, got b
            a = 1 +                                    | 1:8: expected a value (string, integer, variable or array), got end of file
            }                                          | 1:1: unexpected '}' (no block to close)
            a = "abc                                   | 1:5: unterminated string (missing closing quote)
            a = ( "x" => 1 => 2)                       | 1:16: expected ',' or ')' in array, got '=>'
            a = (1                                     | 1:7: expected ')' to close the array, got end of file
            a = 1 @                                    | 1:7: unexpected character '@'
            9 = 1                                      | 1:1: expected a key, a condition, include or '}', got 9
            a = ((1) => 2)                             | 1:10: an array key must be a string or an integer, got an array
            """)
    void errorsArePositioned(String text, String expected) {
        assertThat(error(text.replace("\\n", "\n"))).isEqualTo(expected);
    }

    @Test
    void missingCommaBetweenLinesInsideParentheses() {
        assertThat(error("a = (\n  \"x\" => \"1\"\n  \"y\" => 2\n)\n"))
                .isEqualTo("3:3: expected ',' or ')' before \"y\" (missing comma after the previous value?)");
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        assertThat(error("a = " + "(".repeat(100_000))).isEqualTo("1:105: nested deeper than 100 levels");
        assertThat(error("$HTTP[\"url\"] == \"/\" {".repeat(10_000))).isEqualTo("1:2121: nested deeper than 100 levels");
    }
}
