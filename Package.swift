// swift-tools-version:6.0
import PackageDescription

// No target carries unsafe build flags: SwiftPM refuses them in a versioned dependency, and a consumer's
// package must build against the AdminAPI product. The start-up flags of the release binary (issue #11)
// are on the command line of the builds that make it: scripts/build-release says which and why.

// Layers (each target knows only the ones below it):
//   drmock (executable) -> Conformance -> AdminAPI -> DisasterRecovery -> Catalog -> CSQLite
//                                                 -> HTTPServer -> CMHDShim -> CMicroHTTPD
//                                                               -> CProcess
//                                  -> HTTPClient -> CHTTPClient -> CGnuTLS
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
        // The running process: glibc's allocator settings and trimming, the executable's build ID.
        .target(name: "CProcess"),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "CMHDShim", "CProcess"]),
        // An HTTP/1.1 client transport over GnuTLS, the TLS library libmicrohttpd already loads, so
        // `drmock conformance` and `drmock record` add no shared library to what every start loads
        // (FoundationNetworking would load libcurl and about 20 more).
        .systemLibrary(
            name: "CGnuTLS",
            pkgConfig: "gnutls",
            providers: [.apt(["libgnutls28-dev"])]
        ),
        .target(name: "CHTTPClient", dependencies: ["CGnuTLS"]),
        .target(name: "HTTPClient", dependencies: ["CHTTPClient"]),
        // libsqlite3.a rather than libsqlite3.so (start-up, issue #11): as a shared library, SQLite
        // costs the dynamic loader ~1,600 symbol relocations at every start (all of Debian's
        // libraries are BIND_NOW); linked in, they are plain calls. Same library, same build options.
        .target(
            name: "Catalog",
            dependencies: ["CSQLite"],
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
        // `drmock conformance` (a deployment's answers against drmock's for its release) and
        // `drmock record` (a recording proxy that writes a fixture and a transcript).
        .target(name: "Conformance", dependencies: ["AdminAPI", "HTTPClient", "HTTPServer", "DisasterRecovery"]),
        .executableTarget(
            name: "drmock",
            dependencies: [
                "AdminAPI",
                "Conformance",
                "DevCertificate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog"]),
        .testTarget(name: "DisasterRecoveryTests", dependencies: ["DisasterRecovery"]),
        .testTarget(name: "AdminAPITests", dependencies: ["AdminAPI", "HTTPServer", "DevCertificate"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Conformance", "AdminAPI", "HTTPClient", "DisasterRecovery", "DevCertificate"]),
    ],
    swiftLanguageModes: [.v6]
)
