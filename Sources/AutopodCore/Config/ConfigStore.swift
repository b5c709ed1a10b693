import AutopodSupport
import FoundationEssentials

/// Reads, validates and writes `config.json`. A file that cannot be used is reported and never
/// overwritten: `save` refuses to replace a file that does not load.
public struct ConfigStore: Sendable {
    public let paths: AutopodPaths

    public init(paths: AutopodPaths) { self.paths = paths }

    public var exists: Bool { FileManager.default.fileExists(atPath: paths.config.path) }

    /// The configuration on disk, or the defaults when there is no file yet.
    public func load(environment: Environment = .process) throws(ConfigError)
        -> AutopodConfig
    {
        guard let data = try contents() else { return AutopodConfig.defaults(environment: environment) }
        return try ConfigParser.parse(data, path: paths.config.path)
    }

    /// The configuration on disk with every setting that could be read, and the ones that could
    /// not (left at their defaults), for `config init` to repair. A file that is not JSON, or
    /// cannot be read, still throws: there is nothing to keep.
    public func loadForRepair(environment: Environment = .process) throws(ConfigError) -> (config: AutopodConfig, issues: [ConfigIssue]) {
        guard let data = try contents() else { return (AutopodConfig.defaults(environment: environment), []) }
        return try ConfigParser.parseKeepingIssues(data, path: paths.config.path)
    }

    /// The file's bytes; nil when there is no file yet.
    private func contents() throws(ConfigError) -> Data? {
        guard exists else { return nil }
        do {
            return try Data(contentsOf: paths.config)
        } catch {
            throw ConfigError(path: paths.config.path, reason: .unreadable(FileErrorText.reason(error)))
        }
    }

    /// Writes `config` atomically with mode 0600, after validating it.
    public func save(_ config: AutopodConfig) throws {
        let issues = ConfigParser.validate(config)
        guard issues.isEmpty else { throw ConfigError(path: paths.config.path, reason: .invalid(issues)) }
        try paths.ensureHome()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(config)
        data.append(0x0A)
        try AtomicFile.write(data, to: paths.config, mode: 0o600)
    }
}

/// Turns JSON into an `AutopodConfig`, collecting every problem rather than stopping at the first.
public enum ConfigParser {
    static let knownFields: Set<String> = [
        "apiKey", "apiBaseURL", "api", "sshKeyPath", "sshUser", "gpuTypes", "gpuCount", "cloudType", "dataCenterId",
        "image", "containerDiskGB", "volumeGB", "volumeMountPath", "ports", "forwards", "extraSSHKeyPaths", "idleStop",
        "idleAction", "maxRuntime", "budget",
    ]

    /// Whether `config.json` can hold a setting of this name.
    public static func isKnownField(_ name: String) -> Bool { knownFields.contains(name) }

    public static func parse(_ data: Data, path: String) throws(ConfigError) -> AutopodConfig {
        let (config, issues) = try parseKeepingIssues(data, path: path)
        guard issues.isEmpty else { throw ConfigError(path: path, reason: .invalid(issues)) }
        return config
    }

    /// Every setting that could be read, the others at their defaults, and what was wrong with
    /// them. Throws only when the file is not a JSON object.
    public static func parseKeepingIssues(_ data: Data, path: String) throws(ConfigError) -> (AutopodConfig, [ConfigIssue]) {
        let root: JSONValue
        do {
            // JSONValue.parse reads UTF-8 (what autopod and editors write) at a fraction of
            // JSONDecoder's cost; JSONDecoder still reads anything else (UTF-16), and words the
            // errors.
            root = try (try? JSONValue.parse(data)) ?? JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            let detail = Self.describe(error, data: data)
            throw ConfigError(path: path, reason: .syntax(line: lineNumber(in: detail, data: data), detail: detail))
        }
        guard case .object(let dict) = root else {
            throw ConfigError(path: path, reason: .syntax(line: 1, detail: "the top level must be an object { ... }"))
        }
        var issues: [ConfigIssue] = []
        var config = AutopodConfig()
        for key in dict.keys.sorted() where !knownFields.contains(key) {
            issues.append(ConfigIssue(field: key, problem: "unknown setting (known: \(knownFields.sorted().joined(separator: ", ")))"))
        }
        /// `.none`: absent or wrong (an issue was recorded); `.some(nil)`: null where allowed.
        func string(_ field: String, optional: Bool) -> String?? {
            switch dict[field] {
            case nil: return .none
            case .null?:
                if optional { return .some(nil) }
                issues.append(ConfigIssue(field: field, problem: "must not be null"))
            case .string(let text)?: return .some(text)
            default: issues.append(ConfigIssue(field: field, problem: "must be a string"))
            }
            return .none
        }
        func integer(_ field: String) -> Int? {
            guard let value = dict[field] else { return nil }
            if case .number(let number) = value, number == number.rounded(), abs(number) < 1e9 { return Int(number) }
            issues.append(ConfigIssue(field: field, problem: "must be a whole number"))
            return nil
        }
        if case .some(let v) = string("apiKey", optional: true) { config.apiKey = v }
        if case .some(let v?) = string("apiBaseURL", optional: false) { config.apiBaseURL = v }
        if case .some(let v) = string("sshKeyPath", optional: true) { config.sshKeyPath = v }
        if case .some(let v?) = string("sshUser", optional: false) { config.sshUser = v }
        if case .some(let v) = string("dataCenterId", optional: true) { config.dataCenterId = v }
        if case .some(let v?) = string("image", optional: false) { config.image = v }
        if case .some(let v?) = string("volumeMountPath", optional: false) { config.volumeMountPath = v }
        if case .some(let v?) = string("ports", optional: false) { config.ports = v }
        if case .some(let v?) = string("api", optional: false) {
            if let choice = CloudAPIChoice(text: v) {
                config.api = choice
            } else {
                issues.append(ConfigIssue(field: "api", problem: "\"\(v)\" is not one of auto, rest, graphql"))
            }
        }
        if case .some(let v?) = string("cloudType", optional: false) {
            if let cloud = CloudType(rawValue: v.uppercased()) {
                config.cloudType = cloud
            } else {
                issues.append(ConfigIssue(field: "cloudType", problem: "\"\(v)\" is not one of SECURE, COMMUNITY, ALL"))
            }
        }
        if case .some(let v?) = string("idleStop", optional: false) { config.idleStop = v }
        if case .some(let v) = string("maxRuntime", optional: true) { config.maxRuntime = v }
        if case .some(let v?) = string("idleAction", optional: false) {
            if let action = GuardAction(rawValue: v.lowercased()) {
                config.idleAction = action
            } else {
                issues.append(ConfigIssue(field: "idleAction", problem: "\"\(v)\" is not one of stop, terminate"))
            }
        }
        switch dict["budget"] {
        case nil, .null?: break
        case .number(let value)?: config.budget = value
        default: issues.append(ConfigIssue(field: "budget", problem: "must be a number of dollars (or null)"))
        }
        if let v = integer("gpuCount") { config.gpuCount = v }
        if let v = integer("containerDiskGB") { config.containerDiskGB = v }
        if let v = integer("volumeGB") { config.volumeGB = v }
        if let value = dict["gpuTypes"] {
            let names = value.arrayValue?.compactMap(\.stringValue)
            if let names, names.count == value.arrayValue?.count {
                config.gpuTypes = names
            } else {
                issues.append(ConfigIssue(field: "gpuTypes", problem: "must be a list of GPU type names"))
            }
        }
        if let value = dict["forwards"] {
            let ports = value.arrayValue?.compactMap { item -> ConfigForward? in
                switch item {
                case .number(let n):
                    guard let port = Int(exactly: n), ConfigForward.portRange.contains(port) else { return nil }
                    return ConfigForward(integerLiteral: port)
                case .string(let text):
                    return ConfigForward(text).flatMap { $0.isValid ? $0 : nil }
                default: return nil
                }
            }
            if let ports, ports.count == value.arrayValue?.count {
                config.forwards = ports
            } else {
                issues.append(ConfigIssue(field: "forwards", problem: "must be a list of ports, each PORT or \"LOCAL:REMOTE\" (1...65535)"))
            }
        }
        if let value = dict["extraSSHKeyPaths"], value != .null {
            let paths = value.arrayValue?.compactMap(\.stringValue)
            if let paths, paths.count == value.arrayValue?.count {
                config.extraSSHKeyPaths = paths.isEmpty ? nil : paths
            } else {
                issues.append(ConfigIssue(field: "extraSSHKeyPaths", problem: "must be a list of private key paths"))
            }
        }
        let invalid = validate(config)
        issues += invalid.filter { issue in !issues.contains { $0.field == issue.field } }
        // A value that was read but breaks a rule goes back to its default too, so what is
        // returned is a configuration that validates once the listed fields are replaced.
        let defaults = AutopodConfig()
        for issue in invalid { config.reset(issue.field, to: defaults) }
        return (config, issues)
    }

    /// The most specific text a decoding error carries.
    static func describe(_ error: any Error, data: Data) -> String {
        // JSONDecoder only says "not valid JSON"; JSONValue's parser says where.
        do {
            _ = try JSONValue.parse(data)
        } catch {
            return "\(error)"
        }
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }

    /// Every rule a configuration must satisfy, checked all at once.
    public static func validate(_ config: AutopodConfig) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        if let key = config.apiKey, key.isEmpty || key.contains(where: \.isWhitespace) {
            issues.append(ConfigIssue(field: "apiKey", problem: "must be a RunPod API key without spaces (or null)"))
        }
        if let problem = APIEndpoint.problem(config.apiBaseURL) {
            issues.append(ConfigIssue(field: "apiBaseURL", problem: problem))
        }
        if let path = config.sshKeyPath, path.isEmpty {
            issues.append(ConfigIssue(field: "sshKeyPath", problem: "must be a path to a private key (or null)"))
        }
        if config.sshUser.isEmpty || config.sshUser.contains(where: \.isWhitespace) {
            issues.append(ConfigIssue(field: "sshUser", problem: "must be a user name without spaces"))
        }
        if config.gpuTypes.isEmpty || config.gpuTypes.contains(where: { $0[...].trimmingSpaces().isEmpty }) {
            issues.append(ConfigIssue(field: "gpuTypes", problem: "must list at least one GPU type, none empty"))
        }
        if !AutopodConfig.gpuCountRange.contains(config.gpuCount) {
            issues.append(ConfigIssue(field: "gpuCount", problem: "\(config.gpuCount) is outside \(AutopodConfig.gpuCountRange)"))
        }
        if let dc = config.dataCenterId, dc.isEmpty || dc.contains(where: \.isWhitespace) {
            issues.append(ConfigIssue(field: "dataCenterId", problem: "must be a data centre id such as EU-RO-1 (or null)"))
        }
        if config.image.isEmpty || config.image.contains(where: \.isWhitespace) {
            issues.append(ConfigIssue(field: "image", problem: "must be an image name such as \(AutopodConfig.defaultImage)"))
        }
        if !AutopodConfig.containerDiskRange.contains(config.containerDiskGB) {
            issues.append(
                ConfigIssue(field: "containerDiskGB", problem: "\(config.containerDiskGB) is outside \(AutopodConfig.containerDiskRange)"))
        }
        if !AutopodConfig.volumeRange.contains(config.volumeGB) {
            issues.append(ConfigIssue(field: "volumeGB", problem: "\(config.volumeGB) is outside \(AutopodConfig.volumeRange)"))
        }
        if !config.volumeMountPath.hasPrefix("/") {
            issues.append(ConfigIssue(field: "volumeMountPath", problem: "must be an absolute path such as /workspace"))
        }
        switch PortSpec.parseList(config.ports) {
        case .failure(let problem): issues.append(ConfigIssue(field: "ports", problem: problem.description))
        case .success(let specs):
            if !specs.contains(.ssh) {
                issues.append(ConfigIssue(field: "ports", problem: "must include 22/tcp: autopod reaches pods over SSH"))
            }
        }
        if GuardLimitText.duration(config.idleStop) == nil {
            issues.append(ConfigIssue(field: "idleStop", problem: "\"\(config.idleStop)\" is not a duration such as 60m, 2h or 0 (off)"))
        }
        if let text = config.maxRuntime, GuardLimitText.duration(text) == nil {
            issues.append(ConfigIssue(field: "maxRuntime", problem: "\"\(text)\" is not a duration such as 8h or 0 (off), or null"))
        }
        if let budget = config.budget, !(budget >= 0 && budget.isFinite) {
            issues.append(ConfigIssue(field: "budget", problem: "must be 0 or more dollars (or null)"))
        }
        if let bad = config.forwards.first(where: { !$0.isValid }) {
            issues.append(ConfigIssue(field: "forwards", problem: "\(bad) is not a port number (1...65535)"))
        }
        return issues
    }

    /// Pulls "line N" out of a JSON error text, or works it out from a byte offset.
    static func lineNumber(in detail: String, data: Data) -> Int? {
        if let match = detail.firstMatch(of: #/line (\d+)/#) { return Int(match.1) }
        if let match = detail.firstMatch(of: #/(?:at byte|character) (\d+)/#), let offset = Int(match.1) {
            return data.prefix(offset).filter { $0 == 0x0A }.count + 1
        }
        return nil
    }
}
