import AutopodSupport

extension AutopodConfig {
    /// Puts one setting, named as in `config.json`, back to its value in `defaults`. An unknown
    /// name changes nothing (an unknown setting is simply not written back).
    public mutating func reset(_ field: String, to defaults: AutopodConfig) {
        switch field {
        case "apiKey": apiKey = defaults.apiKey
        case "apiBaseURL": apiBaseURL = defaults.apiBaseURL
        case "sshKeyPath": sshKeyPath = defaults.sshKeyPath
        case "sshUser": sshUser = defaults.sshUser
        case "gpuTypes": gpuTypes = defaults.gpuTypes
        case "gpuCount": gpuCount = defaults.gpuCount
        case "cloudType": cloudType = defaults.cloudType
        case "dataCenterId": dataCenterId = defaults.dataCenterId
        case "image": image = defaults.image
        case "containerDiskGB": containerDiskGB = defaults.containerDiskGB
        case "volumeGB": volumeGB = defaults.volumeGB
        case "volumeMountPath": volumeMountPath = defaults.volumeMountPath
        case "ports": ports = defaults.ports
        case "forwards": forwards = defaults.forwards
        case "extraSSHKeyPaths": extraSSHKeyPaths = defaults.extraSSHKeyPaths
        default: break
        }
    }

    /// Every key autopod logs in with, in the order it offers them: `sshKeyPath`, then the
    /// earlier keys that pods started before a key change still know.
    public var sshKeyPaths: [String] {
        var paths: [String] = []
        for path in [sshKeyPath].compactMap({ $0 }) + (extraSSHKeyPaths ?? []) where !paths.contains(path) { paths.append(path) }
        return paths
    }
}
