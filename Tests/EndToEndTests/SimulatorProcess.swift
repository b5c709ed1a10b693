import Foundation
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A `runpod-sim` process for one test, with helpers for its control API.
/// (The simulator's own fixture may replace this once it lands in TestSupport.)
final class SimulatorProcess: @unchecked Sendable {
    static let apiKey = "rpsim-e2e-key"
    let process = Process()
    let baseURL: String

    init(bootDelay: Double = 1) throws {
        process.executableURL = CLIRunner.productsDirectory.appendingPathComponent("runpod-sim")
        process.arguments = ["--port", "0", "--api-key", Self.apiKey, "--boot-delay", String(bootDelay)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line on stdout says where it listens.
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(0x0A) {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty { throw SimError("runpod-sim exited before it was listening") }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let range = text.range(of: "http://") else { throw SimError("unexpected first line: \(text)") }
        baseURL = String(text[range.lowerBound...])
        // Keep draining stdout so the simulator never blocks on a full pipe.
        DispatchQueue.global().async {
            while !handle.availableData.isEmpty {}
        }
    }

    /// Stops the simulator; it stops every pod process it started.
    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
    }

    deinit { stop() }

    // MARK: Control API

    func setStock(_ gpuTypeId: String, _ status: String) throws {
        _ = try request("POST", "/_sim/stock", ["gpuTypeId": gpuTypeId, "stockStatus": status])
    }

    func addFault(_ rule: [String: Any]) throws {
        _ = try request("POST", "/_sim/faults", rule)
    }

    /// Every pod ever created, terminated ones included.
    func pods() throws -> [[String: Any]] {
        let reply = try request("GET", "/_sim/pods", nil)
        return (reply["pods"] as? [[String: Any]]) ?? []
    }

    func livePods() throws -> [[String: Any]] {
        try pods().filter { ($0["terminated"] as? Bool) != true }
    }

    /// Creates a pod the way another tool would (not through autopod).
    func createPodDirectly(name: String, gpuTypeId: String = "NVIDIA RTX A5000") throws -> String {
        let query = """
            mutation($input: PodFindAndDeployOnDemandInput!) { podFindAndDeployOnDemand(input: $input) { id } }
            """
        let variables: [String: Any] = [
            "input": [
                "name": name, "gpuTypeId": gpuTypeId, "gpuCount": 1, "cloudType": "SECURE", "imageName": "img:latest",
                "containerDiskInGb": 10, "volumeInGb": 0, "ports": "22/tcp",
            ] as [String: Any]
        ]
        let reply = try request("POST", "/graphql", ["query": query, "variables": variables], key: Self.apiKey)
        guard let id = ((reply["data"] as? [String: Any])?["podFindAndDeployOnDemand"] as? [String: Any])?["id"] as? String else {
            throw SimError("create failed: \(reply)")
        }
        return id
    }

    /// A synchronous JSON request to the simulator.
    func request(_ method: String, _ path: String, _ body: [String: Any]?, key: String? = nil) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        final class Box: @unchecked Sendable { var data: Data?; var error: (any Error)? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            box.data = data
            box.error = error
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 30) == .success else { throw SimError("no answer to \(method) \(path)") }
        if let error = box.error { throw error }
        return (try? JSONSerialization.jsonObject(with: box.data ?? Data())) as? [String: Any] ?? [:]
    }
}

struct SimError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
