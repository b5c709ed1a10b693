import AutopodSupport
import Foundation

/// How to run a simulator; the command line (`runpod-sim --port ...`) maps onto this.
public struct SimulatorOptions: Sendable {
    /// 0 picks a free port.
    public var port: UInt16
    public var host: String
    /// The account's API key (`Authorization: Bearer KEY` or `?api_key=KEY`).
    public var apiKey: String
    /// Seconds between create/resume and `runtime` appearing.
    public var bootDelay: Double
    /// Where pod directories, keys and logs go; nil = a temp dir removed on stop.
    public var stateDirectory: String?
    /// Use network namespaces when running as root (false forces the loopback fallback).
    public var useNamespaces: Bool
    /// Simulated seconds per real second for the pods' clock (uptime, billing, and the clock
    /// pods read through RUNPOD_SIM_CLOCK); `POST /_sim/clock` changes it later.
    public var timeScale: Double
    /// Log lines (pod created, stopped, ...) go here; nil = silent.
    public var log: (@Sendable (String) -> Void)?

    public static let defaultAPIKey = "rpsim-test-key"

    public init(
        port: UInt16 = 0, host: String = "127.0.0.1", apiKey: String = SimulatorOptions.defaultAPIKey,
        bootDelay: Double = 1, stateDirectory: String? = nil, useNamespaces: Bool = true, timeScale: Double = 1,
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.timeScale = timeScale
        self.port = port
        self.host = host
        self.apiKey = apiKey
        self.bootDelay = bootDelay
        self.stateDirectory = stateDirectory
        self.useNamespaces = useNamespaces
        self.log = log
    }
}
