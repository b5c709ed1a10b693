import ArgumentParser
import AutopodCore

/// `--memory-budget 64M`: a size on the command line (see `ByteSize` for the spellings).
extension ByteSize: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
