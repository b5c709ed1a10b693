extension stat {
    /// Seconds of the modification time (the field's name differs between the C libraries).
    public var modificationSeconds: Int64 {
        #if canImport(Darwin)
        Int64(st_mtimespec.tv_sec)
        #else
        Int64(st_mtim.tv_sec)
        #endif
    }

    public var accessSeconds: Int64 {
        #if canImport(Darwin)
        Int64(st_atimespec.tv_sec)
        #else
        Int64(st_atim.tv_sec)
        #endif
    }
}
