@testable import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// `drmock releases` and the README's release section, which holds its Markdown table.
@Suite struct ReleaseReportTests {
    static let begin = "<!-- drmock releases --markdown: begin -->\n"
    static let end = "<!-- drmock releases --markdown: end -->"

    @Test func theReadmeHoldsTheGeneratedTable() throws {
        let readme = try String(contentsOfFile: Harness.root + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: Self.begin), "README.md lacks \(Self.begin)")
        let stop = try #require(readme.range(of: Self.end, range: start.upperBound..<readme.endIndex))
        #expect(String(readme[start.upperBound..<stop.lowerBound]) == ReleaseReport.markdown(),
                "README.md's release table is stale: replace it with the output of `drmock releases --markdown`")
    }

    @Test func everyReleaseShowsItsThreeParts() throws {
        let json = ReleaseReport.json()
        let releases = try #require(json["releases"]?.arrayValue)
        #expect(releases.count == Release.all.count)
        let r120 = try #require(releases.first { $0["release"]?.stringValue == "12.0" })
        #expect(r120["observed"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
                == ["completed-backup-job-without-result", "store-update-needs-supportBDSBackup"])
        #expect(r120["decisions"]?.arrayValue?.contains(.int(4)) == false)
        let off = ReleaseReport.json(policy: .init(documentedOnly: true))
        let played = off["releases"]?.arrayValue?.flatMap { $0["observed"]?.arrayValue ?? [] }.compactMap { $0["played"]?.boolValue }
        #expect(played?.allSatisfy { !$0 } == true)
        #expect(ReleaseReport.text().contains("https://github.com/Esri/arcgis-gitops/issues/268"))
    }
}
