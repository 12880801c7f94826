package io.lightgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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
}
