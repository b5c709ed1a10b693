import AutopodSupport
@testable import AutopodCore
import Foundation
import TestSupport
import XCTest

/// The guard's pure parts: limits as typed and shown, the watchdog's configuration and what the
/// installer's answer means, the watchdog's status line, the mark a stop leaves in a pod's
/// name, and where the guard is kept (config.json, pods.json).
final class GuardSettingsTests: XCTestCase {
    func testLimitsAsTyped() {
        XCTAssertEqual(GuardLimitText.duration("60m"), .seconds(3600))
        XCTAssertEqual(GuardLimitText.duration("8h"), .seconds(28_800))
        XCTAssertEqual(GuardLimitText.duration("1h30m"), .seconds(5400))
        XCTAssertEqual(GuardLimitText.duration("2d"), .seconds(172_800))
        XCTAssertEqual(GuardLimitText.duration("90"), .seconds(90))
        XCTAssertEqual(GuardLimitText.duration("0"), .zero)
        XCTAssertEqual(GuardLimitText.duration("off"), .zero)
        XCTAssertNil(GuardLimitText.duration("soon"))
        XCTAssertNil(GuardLimitText.duration("-5m"))
        XCTAssertEqual(GuardLimitText.dollars("5"), 5)
        XCTAssertEqual(GuardLimitText.dollars("$2.50"), 2.5)
        XCTAssertEqual(GuardLimitText.dollars("0"), 0)
        XCTAssertNil(GuardLimitText.dollars("-1"))
        XCTAssertNil(GuardLimitText.dollars("five"))
        XCTAssertEqual(GuardLimitText.format(.seconds(3600)), "60m")
        for text in ["60m", "8h", "90s", "0", "90m"] {
            XCTAssertEqual(GuardLimitText.format(GuardLimitText.duration(text)!), text)
        }
    }

    func testLimitsAsShown() {
        let settings = GuardSettings(idleLimit: .seconds(3600), maxRuntime: .seconds(8 * 3600), budget: 5, action: .stop)
        XCTAssertEqual(settings.idleText, "idle 60 min")
        XCTAssertEqual(settings.runtimeText, "runtime 8h")
        XCTAssertEqual(settings.budgetText, "budget $5.00")
        XCTAssertEqual(settings.summary, "stop after idle 60 min, runtime 8h or budget $5.00")
        XCTAssertEqual(GuardSettings.defaults.summary, "stop after idle 60 min")
        XCTAssertEqual(GuardSettings.off.summary, "off")
        XCTAssertTrue(GuardSettings.off.isOff)
        XCTAssertFalse(GuardSettings.defaults.isOff)
        XCTAssertEqual(GuardSettings.durationText(.seconds(45)), "45 s")
        XCTAssertEqual(GuardSettings.durationText(.seconds(5400)), "90 min")
        XCTAssertEqual(GuardSettings.durationText(.seconds(7800)), "2h 10m")
        let terminate = GuardOverrides(maxRuntime: .seconds(7200), action: .terminate).applied(to: .defaults)
        XCTAssertEqual(terminate.summary, "terminate after idle 60 min or runtime 2h")
        XCTAssertEqual(terminate.limitsText, "idle 60 min or runtime 2h")
    }

    func testTheWatchdogsConfigurationCarriesLimitsFactsAndNoKey() {
        let settings = GuardSettings(idleLimit: .seconds(1800), maxRuntime: .seconds(8 * 3600), budget: 5, action: .terminate)
        let facts = GuardFacts(podName: "it's \"mine\"", ratePerHour: 0.44, spent: 1.25, runtime: .seconds(600))
        let installer = WatchdogInstaller(settings: settings, facts: facts, volumePath: "/workspace")
        let lines = Set(installer.configuration.split(separator: "\n").map(String.init))
        for expected in [
            "IDLE_LIMIT=1800", "MAX_RUNTIME=28800", "BUDGET=5000000", "ACTION=terminate", "RATE=440000", "SPENT=1250000",
            "RUNTIME=600", "POLL=30", "IDLE_TEXT='idle 30 min'", "BUDGET_TEXT='budget $5.00'",
            // JSON-escaped for the rename body, then quoted for the shell.
            #"NAME='it'\''s \"mine\"'"#,
        ] {
            XCTAssertTrue(lines.contains(expected), "missing \(expected) in\n\(installer.configuration)")
        }
        let command = installer.command
        XCTAssertTrue(command.contains(WatchdogScript.text), "the script travels with the command")
        XCTAssertTrue(command.contains("setsid nohup sh"))
        XCTAssertTrue(WatchdogInstaller(settings: .off, facts: facts, volumePath: "/workspace").command.contains("autopod-guard: off"))
    }

    func testTheInstallersAnswer() {
        let started = WatchdogInstaller.outcome(of: "autopod-guard: started 4242 /workspace/.autopod/guard/abc\n")
        XCTAssertEqual(started.state, .started(pid: 4242, directory: "/workspace/.autopod/guard/abc"))
        XCTAssertTrue(started.isRunning)
        let reloaded = WatchdogInstaller.outcome(
            of: "autopod-guard: last-stop 1800000000 stop idle 60 min\nautopod-guard: reloaded 7 /root/.autopod/guard/abc\n")
        XCTAssertEqual(reloaded.state, .reloaded(pid: 7, directory: "/root/.autopod/guard/abc"))
        XCTAssertEqual(reloaded.lastStop, GuardStopRecord(at: Date(timeIntervalSince1970: 1_800_000_000), action: .stop, reason: "idle 60 min"))
        XCTAssertEqual(WatchdogInstaller.outcome(of: "autopod-guard: no-http-tool\n").state, .noHTTPTool)
        XCTAssertEqual(WatchdogInstaller.outcome(of: "autopod-guard: off\n").state, .off)
        XCTAssertEqual(WatchdogInstaller.outcome(of: "sh: 1: cannot create\n").state, .failed("sh: 1: cannot create"))
    }

    func testTheWatchdogsStatusAndHowFarThePodIsTowardsEachLimit() throws {
        let status = try XCTUnwrap(
            GuardStatus(text: "checked=1800000000\nidle=720\nbusy=\nruntime=7800\nspent=1070000\npid=99\n"))
        XCTAssertEqual(status.idle, .seconds(720))
        XCTAssertEqual(status.spent, 1.07, accuracy: 1e-9)
        let settings = GuardSettings(idleLimit: .seconds(3600), maxRuntime: .seconds(8 * 3600), budget: 5, action: .stop)
        XCTAssertEqual(status.progress(towards: settings), "idle 12 min of 60; runtime 2h 10m of 8h; $1.07 of $5.00")
        let busy = try XCTUnwrap(GuardStatus(text: "checked=1\nidle=0\nbusy=GPU at 80%\nruntime=60\nspent=0\npid=1\n"))
        XCTAssertEqual(busy.progress(towards: .defaults), "in use (GPU at 80%)")
        XCTAssertNil(GuardStatus(text: ""))
    }

    func testTheMarkAStopLeavesInThePodsName() {
        let marked = GuardNameMark.marked("llm-a40", reason: "idle 60 min")
        XCTAssertEqual(marked, "llm-a40 (stopped by autopod: idle 60 min)")
        XCTAssertEqual(GuardNameMark.split(marked).name, "llm-a40")
        XCTAssertEqual(GuardNameMark.split(marked).reason, "idle 60 min")
        XCTAssertNil(GuardNameMark.split("llm (a40)").reason)
        XCTAssertNil(GuardNameMark.split("plain").reason)
    }

    func testTheReconcilerReadsTheMarkAndForgetsItWhenThePodRunsAgain() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var record = PodRecord(
            id: "p1", name: "llm", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1, cloudType: .secure,
            pricePerHour: 0.4, createdAt: t0)
        record.markRunning(at: t0)
        var state = PodState(pods: [record])
        let stopped = RemotePod(id: "p1", name: "llm (stopped by autopod: runtime 8h)", desiredStatus: "EXITED")
        PodReconciler.reconcile(&state, remote: [stopped], gone: [], now: t0 + 100)
        XCTAssertEqual(state.record(id: "p1")?.guardStop, "runtime 8h")
        XCTAssertEqual(state.record(id: "p1")?.name, "llm", "the mark is not the pod's name")
        let view = PodView(record: state.record(id: "p1")!, remote: stopped, now: t0 + 100)
        XCTAssertEqual(view.guardNote, "stopped by autopod: runtime 8h")
        let running = RemotePod(id: "p1", name: "llm", desiredStatus: "RUNNING", hasRuntime: true)
        PodReconciler.reconcile(&state, remote: [running], gone: [], now: t0 + 200)
        XCTAssertNil(state.record(id: "p1")?.guardStop)
    }

    func testAPodWhoseGuardTerminatesItIsSaidToHaveGoneThatWay() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var guarded = PodRecord(
            id: "g", name: "guarded", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1, cloudType: .secure,
            pricePerHour: 0.4, createdAt: t0)
        guarded.markRunning(at: t0)
        guarded.guardSettings = GuardSettings(idleLimit: .seconds(1800), maxRuntime: .zero, budget: 0, action: .terminate)
        var stopping = guarded
        stopping.id = "s"
        stopping.guardSettings = .defaults
        var state = PodState(pods: [guarded, stopping])
        PodReconciler.reconcile(&state, remote: [], gone: ["g", "s"], now: t0 + 4000)
        XCTAssertEqual(state.record(id: "g")?.guardStop, "idle 30 min")
        XCTAssertEqual(PodView(record: state.record(id: "g")!, remote: nil, now: t0 + 4000).guardNote, "terminated by autopod: idle 30 min")
        XCTAssertNil(state.record(id: "s")?.guardStop, "a guard that stops does not terminate")
    }

    func testConfigKeepsTheGuardAndRefusesNonsense() throws {
        let home = TemporaryDirectory()
        let store = ConfigStore(paths: AutopodPaths(home: home.file("autopod")))
        var config = AutopodConfig()
        XCTAssertEqual(config.guardSettings, .defaults)
        config.guardSettings = GuardSettings(idleLimit: .seconds(1800), maxRuntime: .seconds(8 * 3600), budget: 5, action: .terminate)
        try store.save(config)
        let text = try String(contentsOf: store.paths.config, encoding: .utf8)
        XCTAssertTrue(text.contains(#""idleStop" : "30m""#), text)
        XCTAssertTrue(text.contains(#""maxRuntime" : "8h""#), text)
        let loaded = try store.load(environment: [:])
        XCTAssertEqual(loaded.guardSettings, config.guardSettings)

        let bad = Data(#"{"idleStop": "soon", "idleAction": "explode", "budget": "lots"}"#.utf8)
        XCTAssertThrowsError(try ConfigParser.parse(bad, path: "config.json")) { error in
            let text = "\(error)"
            for field in ["idleStop", "idleAction", "budget"] { XCTAssertTrue(text.contains(field), text) }
        }
    }

    func testPodsJSONKeepsThePodsGuard() throws {
        let home = TemporaryDirectory()
        let store = PodStateStore(paths: AutopodPaths(home: home.file("autopod")))
        var record = PodRecord(
            id: "p1", name: "llm", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1, cloudType: .secure,
            pricePerHour: 0.4, createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        record.guardSettings = GuardSettings(idleLimit: .zero, maxRuntime: .seconds(3600), budget: 2.5, action: .stop)
        record.guardStop = "runtime 60 min"
        try store.update { $0.upsert(record) }
        let loaded = try XCTUnwrap(try store.load().record(id: "p1"))
        XCTAssertEqual(loaded.guardSettings, record.guardSettings)
        XCTAssertEqual(loaded.guardStop, "runtime 60 min")
    }

    func testTheLaptopsGuardActsAtTheFirstLimitTheRunReaches() {
        let facts = GuardFacts(podName: "p", ratePerHour: 0.5, spent: 1.0, runtime: .seconds(3600))
        let both = GuardSettings(idleLimit: .seconds(600), maxRuntime: .seconds(8 * 3600), budget: 2, action: .stop)
        // $1 left at $0.50/hr is two hours; seven hours of runtime are left.
        XCTAssertEqual(LocalGuard.firstLimit(both, facts), LocalGuard.Limit(reason: "budget $2.00", after: .seconds(7200)))
        let runtime = GuardSettings(idleLimit: .zero, maxRuntime: .seconds(2 * 3600), budget: 0, action: .stop)
        XCTAssertEqual(LocalGuard.firstLimit(runtime, facts), LocalGuard.Limit(reason: "runtime 2h", after: .seconds(3600)))
        let spent = GuardSettings(idleLimit: .zero, maxRuntime: .zero, budget: 0.5, action: .stop)
        XCTAssertEqual(LocalGuard.firstLimit(spent, facts)?.after, .zero, "a budget already spent acts at once")
        XCTAssertNil(LocalGuard.firstLimit(.defaults, facts), "idle is the pod's to judge")
    }

    func testTheWatchdogPassesShellcheck() throws {
        let shellcheck = "/usr/bin/shellcheck"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: shellcheck), "shellcheck is not installed")
        let directory = TemporaryDirectory()
        let script = directory.file("watchdog.sh")
        try WatchdogScript.text.write(to: script, atomically: true, encoding: .utf8)
        let run = try ChildProcess.run([shellcheck, "-s", "sh", script.path])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    }
}
