import DisasterRecovery
import HTTPServer

extension AdminService {
    /// `--strict` (decision 7): a route the release lacks is a 404, and a parameter the route (or
    /// the release) does not know is a 400. Without `--strict` everything answers and unknown
    /// parameters are ignored, as real servers ignore them.
    func checkRelease(_ route: Route, _ request: Request, _ deployment: Deployment) throws {
        guard configuration.strict else { return }
        let release = deployment.releaseProfile
        if let feature = route.requires, !release.has(feature) {
            throw AdminError.notInRelease(request.path, release: release.name)
        }
        guard let accepted = route.parameters else { return }
        var known: Set<String> = ["f", "token"]
        for entry in accepted {
            let parts = entry.split(separator: "@", maxSplits: 1).map(String.init)
            if parts.count == 2, let f = Release.Feature(rawValue: parts[1]), !release.has(f) { continue }
            known.insert(parts[0])
        }
        for name in request.query.map(\.name) + request.form.map(\.name) where !known.contains(name) {
            throw AdminError.unknownParameter(String(name.prefix(64)), release: release.name)
        }
    }
}
