import AutopodSupport

extension PodOptions {
    /// The `config.json` settings the given flags replace, so `config init` knows which of a
    /// broken file's settings the command line has already answered.
    var fieldsGiven: Set<String> {
        var fields: Set<String> = []
        if !gpus.flattened().isEmpty { fields.insert("gpuTypes") }
        if gpuCount != nil { fields.insert("gpuCount") }
        if cloud != nil { fields.insert("cloudType") }
        if region != nil { fields.insert("dataCenterId") }
        if image != nil { fields.insert("image") }
        if volume != nil { fields.insert("volumeGB") }
        if containerDisk != nil { fields.insert("containerDiskGB") }
        if !ports.flattened().isEmpty { fields.insert("ports") }
        if !forwards.flattened().isEmpty { fields.insert("forwards") }
        return fields
    }
}
