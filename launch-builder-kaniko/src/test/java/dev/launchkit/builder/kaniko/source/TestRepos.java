package dev.launchkit.builder.kaniko.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/** Builds small git repositories for fetch tests. */
public final class TestRepos {
    private TestRepos() {
    }

    public static Git init(Path dir) throws Exception {
        return Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    public static RevCommit commit(Git git, Map<String, String> files, String message) throws Exception {
        Path root = git.getRepository().getWorkTree().toPath();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor("test", "test@example.com")
                .setCommitter("test", "test@example.com").setSign(false).call();
    }

    /** Adds a submodule entry (a gitlink plus .gitmodules) without cloning it. */
    static RevCommit addSubmodule(Git git, String path, String url, ObjectId commit) throws Exception {
        Path root = git.getRepository().getWorkTree().toPath();
        Files.writeString(root.resolve(".gitmodules"), "[submodule \"" + path + "\"]\n\tpath = " + path
                + "\n\turl = " + url + "\n");
        DirCache dc = git.getRepository().lockDirCache();
        DirCacheEditor editor = dc.editor();
        editor.add(new DirCacheEditor.PathEdit(path) {
            @Override
            public void apply(DirCacheEntry ent) {
                ent.setFileMode(FileMode.GITLINK);
                ent.setObjectId(commit);
            }
        });
        editor.commit();
        git.add().addFilepattern(".gitmodules").call();
        return git.commit().setMessage("add submodule " + path).setAuthor("test", "test@example.com")
                .setCommitter("test", "test@example.com").setSign(false).call();
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
