// swift-tools-version:6.0
import PackageDescription

/// Start-up (issue #11): optimized code names concrete generic types it needs (e.g. the
/// `KeyedDecodingContainer<CodingKeys>` of every Codable type) by mangled name, and the runtime
/// demangles each one on first use, checking its generic requirements with a protocol-conformance
/// lookup that scans all ~5,300 conformance records of the binary: ~225,000 instructions per type,
/// a quarter of drmock's start-up. With this flag the compiler calls the types' metadata accessors
/// instead, which are handed the conformances directly.
let startupSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
]

// Layers (each target knows only the ones below it):
//   drmock (executable) -> AdminAPI -> DisasterRecovery -> Catalog -> CSQLite
//                                   -> HTTPServer -> CMHDShim -> CMicroHTTPD
let package = Package(
    name: "drmock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "drmock", targets: ["drmock"]),
        .library(name: "AdminAPI", targets: ["AdminAPI"]),
    ],
    dependencies: [
        // Command line parsing for `drmock serve` and its options.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Salted slow hashes (scrypt) for passwords and passcodes, instead of a home-made hash.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // X.509 building for `drmock dev-cert` (a self-signed development pair for --tls-cert/--tls-key),
        // so HTTPS needs no openssl binary; it adds only swift-asn1 on top of swift-crypto.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // SQLite's header only (libsqlite3-dev): the library is linked by Catalog, statically on Linux.
        .systemLibrary(name: "CSQLite"),
        // Fixed-argument C wrappers around libmicrohttpd's variadic functions.
        .target(name: "CMHDShim", dependencies: ["CMicroHTTPD"]),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "CMHDShim"], swiftSettings: startupSwiftSettings),
        // libsqlite3.a rather than libsqlite3.so (start-up, issue #11): as a shared library, SQLite
        // costs the dynamic loader ~1,600 symbol relocations at every start (all of Debian's
        // libraries are BIND_NOW); linked in, they are plain calls. Same library, same build options.
        .target(
            name: "Catalog",
            dependencies: ["CSQLite"],
            swiftSettings: startupSwiftSettings,
            linkerSettings: [
                .linkedLibrary(":libsqlite3.a", .when(platforms: [.linux])),
                .linkedLibrary("sqlite3", .when(platforms: [.macOS])),
            ]
        ),
        .target(
            name: "DisasterRecovery",
            dependencies: [
                "Catalog",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: startupSwiftSettings
        ),
        .target(name: "AdminAPI", dependencies: ["HTTPServer", "DisasterRecovery"], swiftSettings: startupSwiftSettings),
        // A self-signed development certificate (SAN localhost, 127.0.0.1, ::1) for HTTPS.
        .target(
            name: "DevCertificate",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "drmock",
            dependencies: [
                "AdminAPI",
                "DevCertificate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: startupSwiftSettings,
            // Start-up (issue #11): the release binary is linked as a plain (non-PIE) executable, so
            // the dynamic loader has none of its ~54,000 relative relocations to apply (and their
            // pages stay clean); without --export-dynamic (which the static Swift runtime's link
            // arguments turn on), so dladdr and symbol lookups do not walk its ~14,000 symbols; and
            // with libstdc++ linked in statically (Linking/libstdc++.so says how), so the loader does
            // not resolve that library's symbols at each start. Debug builds and tests link as usual.
            // The static libstdc++ only with DRMOCK_STATIC_LIBSTDCXX=1, which the builds that link the
            // Swift runtime statically set (scripts/serve, scripts/bench, scripts/verify-container,
            // docker/Dockerfile): against the shared Swift runtime, which needs libstdc++.so.6 anyway,
            // the link with libstdc++.a fails ("relocation refers to local symbol ... in a discarded
            // section"), and a plain `swift build -c release` must keep working.
            linkerSettings: [
                .unsafeFlags((Context.environment["DRMOCK_STATIC_LIBSTDCXX"] == "1" ? ["-L\(Context.packageDirectory)/Linking"] : [])
                             + ["-Xlinker", "--no-export-dynamic", "-Xclang-linker", "-no-pie"],
                             .when(platforms: [.linux], configuration: .release)),
            ]
        ),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog"]),
        .testTarget(name: "DisasterRecoveryTests", dependencies: ["DisasterRecovery"]),
        .testTarget(name: "AdminAPITests", dependencies: ["AdminAPI", "HTTPServer", "DevCertificate"]),
    ],
    swiftLanguageModes: [.v6]
)
