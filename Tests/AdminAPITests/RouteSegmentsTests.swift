import Testing
@testable import AdminAPI

/// The router's byte-wise split gives exactly what `split(separator: "/")` gives.
@Suite struct RouteSegmentsTests {
    @Test(arguments: [
        "", "/", "//", "/arcgis", "/arcgis/", "arcgis/admin", "/arcgis//admin///jobs/", "/arcgis/admin/jobs/j1",
        "/a/b/c/d/e/f", "/arcgis/admin/system/disasterrecovery/stores/default/backups/x y+z",
        "/arcgis/admin/jobs/\u{301}x", "/arcgis/é/☃/", "/a/\u{301}/b",
    ])
    func segmentsMatchSplit(path: String) {
        #expect(Route.segments(of: path) == path.split(separator: "/"))
    }

    /// A route's shape, read in one pass, is its split pattern with `{…}` segments as parameters.
    @Test func everyRouteShapeMatchesItsSplitPattern() {
        #expect(RouteTables.all.count > 40)
        for route in RouteTables.all {
            let split = route.pattern.split(separator: "/").map { $0.hasPrefix("{") ? Route.Segment.param : .literal(String($0)) }
            #expect(route.segments == split, "\(route.pattern)")
            #expect(route.literalCount == split.filter { $0 != .param }.count, "\(route.pattern)")
        }
    }

    /// Path parameters are found by the names the pattern gives them, whatever their place.
    @Test func pathParametersByName() {
        let route = Route("POST", "admin/system/disasterrecovery/stores/{store}/backups/{backup}/restore", access: .open, title: "") { _ in .null }
        #expect(route.parameterNames == ["store", "backup"])
        let values = route.match(Route.segments(of: "admin/system/disasterrecovery/stores/s3/backups/nightly-1/restore")[...])
        let parameters = PathParameters(names: route.parameterNames, values: values ?? [])
        #expect(parameters["backup"] == "nightly-1" && parameters["store"] == "s3")
        #expect(RouteTables.all.allSatisfy { $0.parameterNames.count == $0.segments.filter { $0 == .param }.count })
    }
}
