// swift-tools-version:6.0
import PackageDescription

// autopod's own modules import FoundationEssentials, not Foundation: full Foundation (ICU,
// CoreFoundation) tripled the binary and slowed every start. MemberImportVisibility keeps
// Foundation's String extensions, visible through dependencies that import it, from creeping in.
let essentialsOnly: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

// Swift 6 language mode (complete concurrency checking) is the default for tools-version 6.
let package = Package(
    name: "autopod",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "autopod", targets: ["autopod"]),
        .executable(name: "runpod-sim", targets: ["runpod-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.3.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // C libraries, reached through module maps (see CShims/*/shim.h).
        .systemLibrary(
            name: "CLibSSH2", path: "CShims/CLibSSH2", pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"]), .brew(["libssh2"])]),
        .systemLibrary(
            name: "CCurl", path: "CShims/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        // The C library's variadic calls (prctl), wrapped.
        .systemLibrary(name: "CPlatform", path: "CShims/CPlatform"),

        // What every module needs and nothing SSH or HTTP: the platform's C library, locks, the
        // monotonic clock, standard streams, file-error words, and starting the C libraries.
        .target(name: "AutopodSupport", dependencies: ["CLibSSH2", "CCurl", "CPlatform"], swiftSettings: essentialsOnly),

        // SSH over libssh2: sessions, auth, host keys, channels, PTY, forwarding.
        .target(
            name: "SSHKit",
            dependencies: ["AutopodSupport", "CLibSSH2", .product(name: "Logging", package: "swift-log")],
            swiftSettings: essentialsOnly),

        // Everything autopod knows that is not terminal rendering.
        .target(
            name: "AutopodCore",
            dependencies: [
                "AutopodSupport", "SSHKit", "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: essentialsOnly),

        // argument-parser commands and terminal rendering only.
        .target(
            name: "AutopodCLI",
            dependencies: [
                "AutopodSupport", "AutopodCore", "SSHKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: essentialsOnly),
        .executableTarget(name: "autopod", dependencies: ["AutopodCLI"]),

        // The RunPod simulator: a library tests start in-process, and its executable.
        .target(
            name: "RunPodSim",
            dependencies: [
                "AutopodSupport",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]),
        .executableTarget(name: "runpod-sim", dependencies: ["RunPodSim"]),

        // Shared test fixtures: a private sshd, a simulator, the built binaries.
        .target(
            name: "TestSupport",
            dependencies: [
                "AutopodSupport", "RunPodSim", "AutopodCore", .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "AutopodSupportTests", dependencies: ["AutopodSupport"]),
        .testTarget(name: "SSHKitTests", dependencies: ["AutopodSupport", "SSHKit", "TestSupport"]),
        .testTarget(name: "AutopodCoreTests", dependencies: ["AutopodSupport", "AutopodCore", "TestSupport"]),
        // Resources: RunPod's OpenAPI document and the validator the conformance test runs.
        .testTarget(
            name: "RunPodSimTests", dependencies: ["AutopodSupport", "RunPodSim", "AutopodCore", "TestSupport"], exclude: ["Resources"]),
        // The CLI's pure parts: argument parsing and validation, tables, formatting, JSON shapes.
        .testTarget(
            name: "AutopodCLITests",
            dependencies: [
                "AutopodCLI", "AutopodCore", "SSHKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "EndToEndTests", dependencies: ["AutopodSupport", "TestSupport"]),
    ]
)
