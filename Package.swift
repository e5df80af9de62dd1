// swift-tools-version:6.0
import PackageDescription

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
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Fixed-argument C wrappers around libmicrohttpd's variadic functions.
        .target(name: "CMHDShim", dependencies: ["CMicroHTTPD"]),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "CMHDShim"]),
        .target(name: "Catalog", dependencies: ["CSQLite"]),
        .target(
            name: "DisasterRecovery",
            dependencies: [
                "Catalog",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(name: "AdminAPI", dependencies: ["HTTPServer", "DisasterRecovery"]),
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
            // Start-up (issue #11): the release binary is linked as a plain (non-PIE) executable, so
            // the dynamic loader has none of its ~54,000 relative relocations to apply (and their
            // pages stay clean); without --export-dynamic (which the static Swift runtime's link
            // arguments turn on), so dladdr and symbol lookups do not walk its ~14,000 symbols; and
            // with libstdc++ linked in statically (Linking/libstdc++.so says how), so the loader does
            // not resolve that library's symbols at each start. Debug builds and tests link as usual.
            linkerSettings: [
                .unsafeFlags(["-L\(Context.packageDirectory)/Linking",
                              "-Xlinker", "--no-export-dynamic", "-Xclang-linker", "-no-pie"],
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
