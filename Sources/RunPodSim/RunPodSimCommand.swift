import Foundation
import AutopodSupport

/// The `runpod-sim` executable: parses flags, starts a simulator, prints
/// `runpod-sim listening on http://127.0.0.1:PORT` as its first stdout line, and on SIGINT or
/// SIGTERM stops every pod process and namespace before exiting 0.
public enum RunPodSimCommand {
    public static let usage = """
        usage: runpod-sim [--port 0] [--api-key KEY] [--boot-delay SECONDS] [--state-dir DIR] [--host 127.0.0.1]
                          [--time-scale 1] [--no-namespaces] [--quiet]
          --port        port for the API (0 picks a free one; default 0)
          --api-key     the account's API key (default \(SimulatorOptions.defaultAPIKey), or $RUNPOD_SIM_API_KEY)
          --boot-delay  seconds until a new or resumed pod's runtime appears (default 1)
          --state-dir   keep pod dirs, keys and logs here (default: a temp dir removed on exit)
          --host        listen address; only loopback addresses are allowed (default 127.0.0.1)
          --time-scale  simulated seconds per real second for pods' time: uptime, billing and the
                        clock pods read (default 1; POST /_sim/clock moves or speeds it later)
          --no-namespaces  use loopback ports even as root
        """

    static func parse(_ arguments: [String]) throws(SimulatorError) -> (SimulatorOptions, quiet: Bool) {
        var options = SimulatorOptions()
        if let key = ProcessInfo.processInfo.environment["RUNPOD_SIM_API_KEY"], !key.isEmpty { options.apiKey = key }
        var quiet = false
        var index = 0
        func value(_ flag: String) throws(SimulatorError) -> String {
            index += 1
            guard index < arguments.count else { throw .badArgument("\(flag) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--port":
                guard let port = UInt16(try value(argument)) else { throw .badArgument("--port needs a number 0-65535") }
                options.port = port
            case "--api-key": options.apiKey = try value(argument)
            case "--boot-delay":
                guard let delay = Double(try value(argument)), delay >= 0 else {
                    throw .badArgument("--boot-delay needs a number of seconds")
                }
                options.bootDelay = delay
            case "--state-dir": options.stateDirectory = try value(argument)
            case "--host":
                let host = try value(argument)
                guard host.hasPrefix("127.") else { throw .badArgument("--host must be a loopback address (127.x.x.x)") }
                options.host = host
            case "--time-scale":
                guard let scale = Double(try value(argument)), scale > 0 else {
                    throw .badArgument("--time-scale needs a number above 0")
                }
                options.timeScale = scale
            case "--no-namespaces": options.useNamespaces = false
            case "--quiet": quiet = true
            case "--help", "-h":
                print(usage)
                exit(0)
            default: throw .badArgument("unknown argument \(argument)")
            }
            index += 1
        }
        return (options, quiet)
    }

    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        var (options, quiet): (SimulatorOptions, Bool)
        do {
            (options, quiet) = try parse(arguments)
        } catch {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            exit(2)
        }
        if !quiet {
            options.log = { line in FileHandle.standardError.write(Data("runpod-sim: \(line)\n".utf8)) }
        }
        let simulator: RunPodSimulator
        do {
            simulator = try RunPodSimulator.start(options)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
        // Written straight to fd 1 (unbuffered) so a parent reading the first line sees it now.
        FileHandle.standardOutput.write(Data("runpod-sim listening on \(simulator.baseURL)\n".utf8))
        if !simulator.usesNamespaces {
            FileHandle.standardError.write(
                Data("runpod-sim: not running as root (or --no-namespaces): pods listen on loopback ports, not in network namespaces\n".utf8))
        }
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                simulator.stop()
                exit(0)
            }
            source.resume()
            sources.append(source)
        }
        withExtendedLifetime(sources) { dispatchMain() }
    }
}
