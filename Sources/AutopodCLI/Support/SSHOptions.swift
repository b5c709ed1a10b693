import AutopodSupport
import ArgumentParser

/// Options of every command that logs in to a pod.
struct SSHOptions: ParsableArguments {
    @Flag(help: "Accept a pod host key that changed without a restart autopod saw, replacing the pinned one. Only after you know why it changed.")
    var acceptNewHostKey = false
}
