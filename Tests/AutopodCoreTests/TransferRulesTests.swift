import AutopodCore
import XCTest

/// The pure rules of `cp` and `sync`: how arguments name pods, how wildcards and ignore files
/// match, and how sizes are written.
final class TransferRulesTests: XCTestCase {
    func testEndpointsAreParsedAsScpDoes() {
        XCTAssertEqual(TransferEndpoint(parsing: "mypod:data/x"), .pod("mypod", path: "data/x"))
        XCTAssertEqual(TransferEndpoint(parsing: "mypod:"), .pod("mypod", path: ""))
        XCTAssertEqual(TransferEndpoint(parsing: "mypod:/etc/hosts"), .pod("mypod", path: "/etc/hosts"))
        XCTAssertEqual(TransferEndpoint(parsing: "./a:b"), .local("./a:b"))
        XCTAssertEqual(TransferEndpoint(parsing: "/tmp/a:b"), .local("/tmp/a:b"))
        XCTAssertEqual(TransferEndpoint(parsing: ":x"), .local(":x"))
        XCTAssertEqual(TransferEndpoint(parsing: "file.txt"), .local("file.txt"))
        XCTAssertTrue(TransferEndpoint(parsing: "p:").namesDirectory)
        XCTAssertTrue(TransferEndpoint(parsing: "out/").namesDirectory)
        XCTAssertFalse(TransferEndpoint(parsing: "p:x").namesDirectory)
    }

    func testPathText() {
        XCTAssertEqual(PathText.join("/workspace", "a/b"), "/workspace/a/b")
        XCTAssertEqual(PathText.join("/", "a"), "/a")
        XCTAssertEqual(PathText.join("x", ""), "x")
        XCTAssertEqual(PathText.trimmed("a/b//"), "a/b")
        XCTAssertEqual(PathText.trimmed("/"), "/")
        XCTAssertEqual(PathText.lastComponent("/a/b/"), "b")
        XCTAssertEqual(PathText.lastComponent("name"), "name")
        XCTAssertEqual(PathText.parent("/a/b"), "/a")
        XCTAssertEqual(PathText.parent("/a"), "/")
        XCTAssertEqual(PathText.parent("a"), ".")
    }

    func testGlobPatterns() {
        XCTAssertTrue(GlobPattern("*.bin").matches(name: "model.bin"))
        XCTAssertFalse(GlobPattern("*.bin").matches(name: "model.bin.txt"))
        XCTAssertTrue(GlobPattern("ep?ch-[0-9]*.pt").matches(name: "epoch-12.pt"))
        XCTAssertFalse(GlobPattern("ep?ch-[0-9]*.pt").matches(name: "epoch-x.pt"))
        XCTAssertTrue(GlobPattern("[!a]*").matches(name: "bcd"))
        XCTAssertFalse(GlobPattern("[!a]*").matches(name: "abc"))
        XCTAssertTrue(GlobPattern("a\\*b").matches(name: "a*b"))
        XCTAssertFalse(GlobPattern("a\\*b").matches(name: "axb"))
        XCTAssertTrue(GlobPattern("*a*b*c*").matches(name: "xxaxxbxxcxx"))
        XCTAssertFalse(GlobPattern("*a*b*c*").matches(name: "xxaxxcxxbxx"))
        XCTAssertTrue(GlobPattern("a/**/b").matches(path: "a/b"))
        XCTAssertTrue(GlobPattern("a/**/b").matches(path: "a/x/y/b"))
        XCTAssertFalse(GlobPattern("a/**/b").matches(path: "a/x/y/c"))
        XCTAssertTrue(GlobPattern("**/cache").matches(path: "deep/down/cache"))
        XCTAssertTrue(GlobPattern("logs/**").matches(path: "logs/a/b.txt"))
        XCTAssertFalse(GlobPattern("a/*").matches(path: "a/b/c"))
        XCTAssertTrue(GlobPattern.hasWildcards("data/*.bin"))
        XCTAssertFalse(GlobPattern.hasWildcards("data/file.bin"))
    }

    func testIgnoreRulesFollowGit() {
        var rules = IgnoreRules()
        rules.add(
            file: """
                # build output
                build/
                *.pyc
                /secrets.env
                !keep.pyc
                docs/**/*.tmp
                trailing\\ 
                """, in: "")
        XCTAssertTrue(rules.isIgnored("build", isDirectory: true))
        XCTAssertTrue(rules.isIgnored("src/build", isDirectory: true))
        XCTAssertFalse(rules.isIgnored("build", isDirectory: false), "a trailing slash matches directories only")
        XCTAssertTrue(rules.isIgnored("src/a.pyc", isDirectory: false))
        XCTAssertFalse(rules.isIgnored("src/keep.pyc", isDirectory: false), "a later ! takes a path back")
        XCTAssertTrue(rules.isIgnored("secrets.env", isDirectory: false))
        XCTAssertFalse(rules.isIgnored("sub/secrets.env", isDirectory: false), "a leading slash anchors to the file's directory")
        XCTAssertTrue(rules.isIgnored("docs/x/y/z.tmp", isDirectory: false))
        XCTAssertFalse(rules.isIgnored("src/z.tmp", isDirectory: false))
        XCTAssertTrue(rules.isIgnored("trailing ", isDirectory: false))
        XCTAssertFalse(rules.isIgnored("notes.txt", isDirectory: false))

        // A nested file applies below its directory, and can take back what the root excluded.
        rules.add(file: "*.log\n!important.pyc\n", in: "sub")
        XCTAssertTrue(rules.isIgnored("sub/run.log", isDirectory: false))
        XCTAssertFalse(rules.isIgnored("run.log", isDirectory: false))
        XCTAssertFalse(rules.isIgnored("sub/important.pyc", isDirectory: false))
        XCTAssertTrue(rules.isIgnored("other/important.pyc", isDirectory: false))

        // --exclude wins over the files.
        var withExcludes = IgnoreRules(excludes: ["*.ckpt", "/data/"])
        withExcludes.add(file: "!*.ckpt\n", in: "")
        XCTAssertTrue(withExcludes.isIgnored("models/best.ckpt", isDirectory: false))
        XCTAssertTrue(withExcludes.isIgnored("data", isDirectory: true))
        XCTAssertFalse(withExcludes.isIgnored("x/data", isDirectory: true))
    }

    func testByteText() {
        XCTAssertEqual(ByteText.size(512), "512 B")
        XCTAssertEqual(ByteText.size(1536), "1.5 KiB")
        XCTAssertEqual(ByteText.size(256 * 1024 * 1024), "256 MiB")
        XCTAssertEqual(ByteText.rate(112_400_000), "112 MB/s")
        XCTAssertEqual(ByteText.rate(1_250_000), "1.2 MB/s")
        XCTAssertEqual(ByteText.clock(65), "1:05")
        XCTAssertEqual(ByteText.clock(3723), "1:02:03")
        XCTAssertEqual(ByteText.count(2000), "2,000")
        XCTAssertEqual(ByteText.count(999), "999")
        XCTAssertEqual(ByteText.count(1_234_567), "1,234,567")
    }
}
