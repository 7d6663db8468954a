// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "lume-tui",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lume-tui", targets: ["lume-tui"]),
        .library(name: "LumeKit", targets: ["LumeKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CNcursesw",
            providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "COpenSSLCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .target(
            name: "LumeKit",
            dependencies: [
                "CCurl",
                "COpenSSLCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "lume-tui",
            dependencies: [
                "LumeKit",
                "CNcursesw",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Synthetic history for the benchmarks and the concurrent-writer test.
        .executableTarget(
            name: "lume-history-generator",
            dependencies: ["LumeKit"]),
        // Trains the service detector's weights and scores it (data/detector/README.md).
        .executableTarget(
            name: "lume-detector-lab",
            dependencies: ["LumeKit"]),
        // A stand-in browser for the sign-in tests (set as [oauth] browser).
        .executableTarget(
            name: "lume-test-browser",
            dependencies: ["LumeKit"],
            path: "Tests/TestBrowser"),
        // Helpers shared by the test targets: temporary homes, running the binary, local fakes.
        .target(
            name: "LumeTestSupport",
            dependencies: ["LumeKit"],
            path: "Tests/LumeTestSupport"),
        .testTarget(
            name: "LumeKitTests",
            dependencies: ["LumeKit", "LumeTestSupport", "lume-history-generator"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "LumeTUITests",
            dependencies: ["lume-tui", "LumeKit", "LumeTestSupport", "lume-test-browser"],
            exclude: ["Golden"]),
    ]
)
