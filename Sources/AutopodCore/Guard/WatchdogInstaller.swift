import AutopodSupport
import FoundationEssentials

/// Installs, updates or switches off a pod's watchdog with one shell command run over the SSH
/// session autopod already has (an exec channel). Idempotent: a watchdog already running with
/// the same script is only told to reread its limits (SIGUSR1: nohup leaves SIGHUP ignored,
/// and a shell cannot trap a signal it started with ignored); a new script replaces it; a
/// missing one is started with `setsid nohup`, so it outlives the session that started it.
///
/// Its files live on the pod's volume, `<volume>/.autopod/guard/<pod id>/`, so its log and the
/// reason for a stop survive the stop (the container disk is wiped); without a volume they go
/// to the container's home directory. The command carries no API key: the watchdog uses the
/// pod's own `RUNPOD_API_KEY`, which every RunPod pod has.
public struct WatchdogInstaller: Sendable {
    public var settings: GuardSettings
    public var facts: GuardFacts
    /// Where the pod's volume is mounted (`volumeMountPath`).
    public var volumePath: String
    /// Seconds of the pod's clock between checks; a limit is acted on at most this late.
    public var pollSeconds = 30
    /// A GPU at or above this utilisation (percent) is in use.
    public var gpuBusyPercent = 5
    /// The pod's CPU at or above this share of one core (percent) is in use.
    public var cpuBusyPercent = 25
    /// An SSH connection that moves more than this many bytes a second is in use (forwarded
    /// traffic, a file transfer): about 7 times what an idle autopod tunnel's keepalives and
    /// liveness probes move (about 140 bytes a second, measured on a sim pod's sshd).
    public var connectionBusyBytesPerSecond = 1024

    public init(settings: GuardSettings, facts: GuardFacts, volumePath: String) {
        self.settings = settings
        self.facts = facts
        self.volumePath = volumePath
    }

    /// What `guard.conf` holds: integers, and shell-quoted words.
    public var configuration: String {
        func micro(_ dollars: Double) -> Int64 { Int64((max(0, dollars) * 1_000_000).rounded()) }
        func seconds(_ duration: Duration) -> Int64 { Int64(max(0, duration.seconds).rounded()) }
        let lines = [
            "IDLE_LIMIT=\(seconds(settings.idleLimit))",
            "MAX_RUNTIME=\(seconds(settings.maxRuntime))",
            "BUDGET=\(micro(settings.budget))",
            "ACTION=\(settings.action.rawValue)",
            "RATE=\(micro(facts.ratePerHour))",
            "SPENT=\(micro(facts.spent))",
            "RUNTIME=\(seconds(facts.runtime))",
            "POLL=\(pollSeconds)",
            "GPU_BUSY=\(gpuBusyPercent)",
            "CPU_BUSY=\(cpuBusyPercent)",
            "IO_BUSY=\(connectionBusyBytesPerSecond)",
            "NAME=" + RemoteCommandLine.quote(JSONString.escaped(facts.podName)),
            "IDLE_TEXT=" + RemoteCommandLine.quote(settings.idleText),
            "RUNTIME_TEXT=" + RemoteCommandLine.quote(settings.runtimeText),
            "BUDGET_TEXT=" + RemoteCommandLine.quote(settings.budgetText),
            "RESUME=" + RemoteCommandLine.quote("`autopod start \(facts.podName)`"),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The command for an exec channel, in the pod's environment (RunPod's /etc/rp_environment).
    public var command: String {
        RemoteCommandLine.wrapped(Self.preamble(volumePath: volumePath) + (settings.isOff ? Self.switchOff : install))
    }

    private var install: String {
        """
        command -v curl >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 \
        || { echo 'autopod-guard: no-http-tool'; exit 0; }
        cat > guard.conf.new <<'AUTOPOD_GUARD_CONF'
        \(configuration)AUTOPOD_GUARD_CONF
        # The limits are as of now on the pod's clock (a simulator's, when it has one).
        NOW=$(date +%s)
        if [ -n "${RUNPOD_SIM_CLOCK:-}" ] && read -r c_real c_sim c_scale < "$RUNPOD_SIM_CLOCK"; then
          NOW=$((c_sim + (NOW - c_real) * c_scale / 1000))
        fi
        echo "ANCHOR=$NOW" >> guard.conf.new
        mv guard.conf.new guard.conf
        cat > watchdog.sh.new <<'AUTOPOD_GUARD_SCRIPT'
        \(WatchdogScript.text)
        AUTOPOD_GUARD_SCRIPT
        if [ -n "$running" ] && cmp -s watchdog.sh.new watchdog.sh 2>/dev/null; then
          rm -f watchdog.sh.new
          kill -USR1 "$running"
          echo "autopod-guard: reloaded $running $D"
          exit 0
        fi
        mv watchdog.sh.new watchdog.sh
        [ -n "$running" ] && kill "$running" 2>/dev/null
        if command -v setsid >/dev/null 2>&1; then
          setsid nohup sh "$D/watchdog.sh" "$D" </dev/null >/dev/null 2>&1 &
        else
          nohup sh "$D/watchdog.sh" "$D" </dev/null >/dev/null 2>&1 &
        fi
        echo "$!" > pid
        echo "autopod-guard: started $! $D"

        """
    }

    private static let switchOff = """
        [ -n "$running" ] && kill "$running" 2>/dev/null
        rm -f pid
        echo 'autopod-guard: off'

        """

    /// Finds the guard's directory and a watchdog already running there (`running`), and
    /// reports a stop the watchdog made since autopod last looked.
    private static func preamble(volumePath: String) -> String {
        """
        umask 077
        if [ -z "${RUNPOD_POD_ID:-}" ] || [ -z "${RUNPOD_API_KEY:-}" ]; then echo 'autopod-guard: no-pod-key'; exit 0; fi
        \(directory(volumePath: volumePath))mkdir -p "$D" && cd "$D" || { echo "autopod-guard: no-directory $D"; exit 0; }
        running=''
        pid=$(cat pid 2>/dev/null) || pid=''
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
          case $(tr '\\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) in *"$D/watchdog.sh"*) running=$pid ;; esac
        fi
        if [ -f stopped ]; then
          echo "autopod-guard: last-stop $(cat stopped)"
          mv stopped last-stop
        fi

        """
    }

    /// Prints the watchdog's `status` (its last check), if there is one.
    public static func statusCommand(volumePath: String) -> String {
        RemoteCommandLine.wrapped(
            """
            \(directory(volumePath: volumePath))cat "$D/status" 2>/dev/null

            """)
    }

    /// Sets D to the guard's directory: on the volume (the simulator names its own, having no
    /// /workspace mount), else in the container's home.
    private static func directory(volumePath: String) -> String {
        """
        V=${RUNPOD_SIM_VOLUME:-\(RemoteCommandLine.quote(volumePath))}
        if [ -d "$V" ] && [ -w "$V" ]; then B=$V; else B=${HOME:-/root}; fi
        D=$B/.autopod/guard/${RUNPOD_POD_ID:-none}

        """
    }

    /// Reads what the command printed.
    public static func outcome(of output: String) -> WatchdogOutcome {
        let said = output.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingSpaces()
        var state: WatchdogOutcome.State = .failed(said.isEmpty ? "no answer" : said)
        var lastStop: GuardStopRecord?
        for line in output.split(separator: "\n") {
            guard line.hasPrefix("autopod-guard: ") else { continue }
            let words = line.dropFirst("autopod-guard: ".count).split(separator: " ", maxSplits: 2).map(String.init)
            switch words.first {
            case "started"? where words.count == 3: state = .started(pid: Int(words[1]) ?? 0, directory: words[2])
            case "reloaded"? where words.count == 3: state = .reloaded(pid: Int(words[1]) ?? 0, directory: words[2])
            case "off"?: state = .off
            case "no-http-tool"?: state = .noHTTPTool
            case "no-pod-key"?: state = .noPodKey
            case "no-directory"?: state = .failed("cannot create the guard's directory \(words.dropFirst().joined(separator: " "))")
            case "last-stop"?: lastStop = GuardStopRecord(line: words.dropFirst().joined(separator: " "))
            default: break
            }
        }
        return WatchdogOutcome(state: state, lastStop: lastStop)
    }
}

/// What installing a watchdog came to.
public struct WatchdogOutcome: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case started(pid: Int, directory: String)
        case reloaded(pid: Int, directory: String)
        case off
        /// The pod has none of curl, python3 or wget: only autopod's local guard applies.
        case noHTTPTool
        /// The pod has no RUNPOD_POD_ID or RUNPOD_API_KEY (not a RunPod pod?).
        case noPodKey
        case failed(String)
    }

    public var state: State
    /// A stop the watchdog made since autopod last reached the pod.
    public var lastStop: GuardStopRecord?

    public var isRunning: Bool {
        switch state {
        case .started, .reloaded: return true
        default: return false
        }
    }
}

/// The `stopped` file a watchdog writes before acting: "EPOCH ACTION REASON".
public struct GuardStopRecord: Sendable, Equatable {
    public var at: Date
    public var action: GuardAction
    public var reason: String
}

extension GuardStopRecord {
    public init?(line: String) {
        let words = line.trimmingSpaces().split(separator: " ", maxSplits: 2).map(String.init)
        guard words.count == 3, let epoch = Double(words[0]), let action = GuardAction(rawValue: words[1]) else { return nil }
        self.init(at: Date(timeIntervalSince1970: epoch), action: action, reason: words[2])
    }
}
