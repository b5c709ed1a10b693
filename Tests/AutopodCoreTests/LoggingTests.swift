@testable import AutopodCore
import Foundation
import Logging
import TestSupport
import XCTest

final class RedactionTests: XCTestCase {
    let redactor = Redactor(secrets: ["my-configured-key-value"])

    func testPatterns() {
        let cases: [(String, String)] = [
            ("Authorization: Bearer abcdefghijkl12345", "abcdefghijkl12345"),
            ("authorization=Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
            ("POST https://api.runpod.io/graphql?api_key=ABCDEF123456&x=1", "ABCDEF123456"),
            ("env HF_TOKEN=hf_abcdefghijklmnop started", "hf_abcdefghijklmnop"),
            ("JUPYTER_PASSWORD=hunter2hunter2", "hunter2hunter2"),
            ("MY_SECRET_THING=s3cr3tvalue", "s3cr3tvalue"),
            (#"{"apiKey": "whatever-it-is"}"#, "whatever-it-is"),
            (#"env: [{key: "WANDB_API_KEY", value: "wandb-abcdef"}]"#, "wandb-abcdef"),
            ("key rpa_ABCDEFGHIJKLMNOPQRSTUV0123 in text", "rpa_ABCDEFGHIJKLMNOPQRSTUV0123"),
            ("the key is my-configured-key-value.", "my-configured-key-value"),
        ]
        for (input, secret) in cases {
            let output = redactor.redact(input)
            XCTAssertFalse(output.contains(secret), "\(input) → \(output)")
            XCTAssertTrue(output.contains(Redactor.mask), output)
        }
    }

    /// Issue 11 item 14: the key as a URL carries it, and a key that a terminal or a paste
    /// broke over lines.
    func testURLEncodedAndSplitKeysAreRedacted() {
        let key = "rpa_ABCDEFGHIJKLMNOPQRSTUV0123"
        let redactor = Redactor(secrets: [key])
        let body = "ABCDEFGHIJKLMNOPQRSTUV0123"
        let cases = [
            "GET /v2/pods?api=rpa%5F\(body) failed",
            "redirected to https://x.invalid/?k=rpa%5f\(body)",
            "error: \(key.prefix(12))\n\(key.dropFirst(12))\nnext line",
            "error: \(key.prefix(5))\r\n    \(key.dropFirst(5).prefix(9))\n\t\(key.dropFirst(14)) trailing",
        ]
        for input in cases {
            let output = redactor.redact(input)
            XCTAssertFalse(output.contains(body), "\(input.debugDescription) → \(output.debugDescription)")
            XCTAssertFalse(output.contains("ABCDEFG") || output.contains("0123"), output.debugDescription)
            XCTAssertTrue(output.contains(Redactor.mask), output.debugDescription)
            XCTAssertEqual(output.filter { $0 == "\n" || $0 == "\r\n" }.count, input.filter { $0 == "\n" || $0 == "\r\n" }.count, "lines are kept")
        }
        XCTAssertEqual(redactor.redact("error: \(key.prefix(12))\n\(key.dropFirst(12))\nnext line"), "error: [REDACTED]\n\nnext line")
        // A key autopod was not told about, URL-encoded: the rpa_ pattern catches it too.
        XCTAssertFalse(Redactor().redact("?key=x&t=rpa%5F\(body)").contains(body))
        // Text that merely shares a prefix with the key, over lines, is left alone.
        let near = "rpa_ABCDEF\nGHIJ is not it"
        XCTAssertEqual(redactor.redact(near), near)
    }

    func testOrdinaryTextIsLeftAlone() {
        let text = "created pod autopod-2026-11-27-001 on NVIDIA A40 (PUBLIC_IP=1.2.3.4) in 12 s"
        XCTAssertEqual(redactor.redact(text), text)
    }

    func testLogHandlerRedactsMessagesAndMetadata() throws {
        let dir = TemporaryDirectory()
        let file = RotatingLogFile(url: dir.file("logs/autopod.log"))
        let box = RedactorBox(Redactor(secrets: ["my-configured-key-value"]))
        var handler = AutopodLogHandler(label: "t", file: file, fileLevel: .debug, consoleLevel: .critical, redactor: box)
        handler.logLevel = .debug
        let logger = Logger(label: "t", factory: { _ in handler })
        logger.debug(
            "calling with my-configured-key-value",
            metadata: ["header": "Authorization: Bearer abcdefghijklmnop", "apiKey": "plain", "gpu": "A40"])
        let text = try String(contentsOf: dir.file("logs/autopod.log"), encoding: .utf8)
        XCTAssertFalse(text.contains("my-configured-key-value"))
        XCTAssertFalse(text.contains("abcdefghijklmnop"))
        XCTAssertFalse(text.contains("plain"), "a value under a secret-looking name is hidden whole")
        XCTAssertTrue(text.contains("gpu=A40"))
        XCTAssertTrue(text.contains("DEBUG [t] calling with [REDACTED]"))
        XCTAssertEqual(TemporaryDirectory.mode(of: dir.file("logs/autopod.log").path), 0o600)
    }

    func testSecretLookingNamesAreFoundAnywhereInTheNameInAnyCase() {
        for name in ["apiKey", "KEY", "x-auth-token", "clientSecret", "db_password", "passwd", "Authorization", "monkeys"] {
            XCTAssertTrue(AutopodLogHandler.isSensitive(name), name)
        }
        for name in ["gpu", "ke", "pod", "authorisation", "tok", "", "pass word"] {
            XCTAssertFalse(AutopodLogHandler.isSensitive(name), name)
        }
    }

    func testLineIsTimestampLevelLabelMessageAndSortedMetadata() throws {
        let dir = TemporaryDirectory()
        let file = RotatingLogFile(url: dir.file("autopod.log"))
        let handler = AutopodLogHandler(label: "t", file: file, fileLevel: .debug, consoleLevel: .critical, redactor: RedactorBox())
        let logger = Logger(label: "t", factory: { _ in handler })
        let before = Date()
        logger.info("hello", metadata: ["zeta": "1", "alpha": "2"])
        logger.info("bare")
        let lines = try String(contentsOf: dir.file("autopod.log"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.map { String($0.dropFirst(25)) }, ["INFO [t] hello alpha=2 zeta=1", "INFO [t] bare"])
        let stamp = try XCTUnwrap(lines.first?.prefix(24))
        let date = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(String(stamp))
        XCTAssertEqual(date.timeIntervalSince(before), 0, accuracy: 5)
    }
}

final class RotationTests: XCTestCase {
    func testRotatesPastTheLimitAndKeepsFiveBackups() throws {
        let dir = TemporaryDirectory()
        let url = dir.file("autopod.log")
        let file = RotatingLogFile(url: url, maxBytes: 10 * 1024 * 1024, backups: 5)
        let line = String(repeating: "x", count: 1023) + "\n"  // 1 KiB
        // 75 MB of lines: enough for seven rotations, of which five backups survive.
        for index in 0..<(75 * 1024) {
            file.append(index % 10240 == 0 ? "marker \(index / 10240)\n" : line)
        }
        let manager = FileManager.default
        for index in 1...5 {
            let backup = "\(url.path).\(index)"
            XCTAssertTrue(manager.fileExists(atPath: backup), backup)
            let size = try XCTUnwrap(manager.attributesOfItem(atPath: backup)[.size] as? NSNumber).intValue
            XCTAssertLessThanOrEqual(size, 10 * 1024 * 1024)
            XCTAssertGreaterThan(size, 9 * 1024 * 1024)
        }
        XCTAssertFalse(manager.fileExists(atPath: "\(url.path).6"))
        let current = try XCTUnwrap(manager.attributesOfItem(atPath: url.path)[.size] as? NSNumber).intValue
        XCTAssertLessThanOrEqual(current, 10 * 1024 * 1024)
        // The newest backup holds the lines just before the current file's.
        let newest = try String(contentsOfFile: "\(url.path).1", encoding: .utf8)
        let oldest = try String(contentsOfFile: "\(url.path).5", encoding: .utf8)
        let marker = { (text: String) in Int(text.components(separatedBy: "marker ").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? -1 }
        XCTAssertGreaterThan(marker(newest), marker(oldest))
    }
}
