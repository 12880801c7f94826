package io.lightgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhysicalPathTest {
    @Test
    void textBelowARootIsTheRootsTextJoinedWithTheRelativePath() {
        Path root = Path.of("/srv/www/");
        PhysicalPath p = PhysicalPath.below(root, root.toString(), "/a/b.html");
        assertThat(p.text()).isEqualTo("/srv/www/a/b.html");
        assertThat(p.path()).isEqualTo(root.resolve("a/b.html"));
        assertThat(p.relPath()).isEqualTo("/a/b.html");
        assertThat(p.docRoot()).isSameAs(root);
    }

    @Test
    void theFileSystemRootAddsNoSecondSlash() {
        Path root = Path.of("/");
        PhysicalPath p = PhysicalPath.below(root, root.toString(), "/etc/hosts");
        assertThat(p.text()).isEqualTo("/etc/hosts");
        assertThat(p.path()).isEqualTo(Path.of("/etc/hosts"));
    }

    @Test
    void aDirectoryKeepsItsSlashInTheTextButNotInThePath() {
        Path root = Path.of("/srv/www");
        PhysicalPath p = PhysicalPath.below(root, root.toString(), "/dir/");
        assertThat(p.text()).isEqualTo("/srv/www/dir/");
        assertThat(p.path()).isEqualTo(Path.of("/srv/www/dir"));
    }

    @Test
    void madeFromTextOrFromAPathTheyAreEqual() {
        Path root = Path.of("/srv/www");
        PhysicalPath lazy = PhysicalPath.below(root, root.toString(), "/x.txt");
        PhysicalPath eager = new PhysicalPath(root, "/x.txt", root.resolve("x.txt"));
        assertThat(lazy).isEqualTo(eager).hasSameHashCodeAs(eager);
        assertThat(eager.text()).isEqualTo(lazy.text());
    }

    @Test
    void anAliasJoinsTargetAndRestAsTextAndKeepsTheUrlPath() {
        Path target = Path.of("/usr/share/javascript/");
        PhysicalPath p = PhysicalPath.aliased(target, "/usr/share/javascript/", "a/b.js", "/js/a/b.js");
        assertThat(p.text()).isEqualTo("/usr/share/javascript/a/b.js");
        assertThat(p.relPath()).isEqualTo("/a/b.js");
        assertThat(p.urlPath()).isEqualTo("/js/a/b.js");
        assertThat(p.docRoot()).isEqualTo(Path.of("/usr/share/javascript"));
        assertThat(p.docRootText()).isEqualTo("/usr/share/javascript/");
        assertThat(p.aliased()).isTrue();
        // lighttpd adds no slash and removes none
        PhysicalPath doubled = PhysicalPath.aliased(target, "/usr/share/javascript/", "/a.js", "/js/a.js");
        assertThat(doubled.text()).isEqualTo("/usr/share/javascript//a.js");
        assertThat(doubled.relPath()).isEqualTo("/a.js");
        PhysicalPath sibling = PhysicalPath.aliased(Path.of("/srv/dir"), "/srv/dir", "foo/x", "/pfoo/x");
        assertThat(sibling.text()).isEqualTo("/srv/dirfoo/x");
        assertThat(sibling.relPath()).isEqualTo("foo/x");
    }

    @Test
    void withoutAnAliasTheUrlPathIsTheRelativePath() {
        Path root = Path.of("/srv/www");
        PhysicalPath p = PhysicalPath.below(root, root.toString(), "/a.html");
        assertThat(p.urlPath()).isSameAs(p.relPath());
        assertThat(p.aliased()).isFalse();
        assertThat(p.docRootText()).isEqualTo("/srv/www");
    }

    @Test
    void aSymlinkIsFoundBelowTheBaseAlsoWhenTheRestExtendsItsLastName(@TempDir Path dir) throws Exception {
        Path base = Files.createDirectories(dir.resolve("dir"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(dir.resolve("dirlink"), outside);
        Files.createSymbolicLink(base.resolve("in"), outside);
        Files.createDirectories(dir.resolve("dirfoo/sub"));
        assertThat(PhysicalPath.hasSymlinkBelowRoot(base, "link/x")).isTrue();   // dir + "link": dirlink
        assertThat(PhysicalPath.hasSymlinkBelowRoot(base, "foo/sub/x")).isFalse();
        assertThat(PhysicalPath.hasSymlinkBelowRoot(base, "/in/x")).isTrue();
        assertThat(PhysicalPath.hasSymlinkBelowRoot(base, "/x")).isFalse();
        assertThat(PhysicalPath.hasSymlinkBelowRoot(base, "")).isFalse();
        // the base itself is not looked at, as the document root is not
        Files.writeString(outside.resolve("x"), "x");
        assertThat(PhysicalPath.hasSymlinkBelowRoot(dir.resolve("dirlink"), "/x")).isFalse();
    }
}
