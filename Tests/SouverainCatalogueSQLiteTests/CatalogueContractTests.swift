import Foundation
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainTesting
import Testing

/// Every promise of the `Catalogue` protocol on the SQLite catalogue, in a temp dir. A PostgreSQL
/// catalogue joins by adding its `CatalogueSubject` to `subjects`.
struct CatalogueContractTests {
    static let subjects: [CatalogueSubject] = [
        CatalogueSubject(name: "sqlite") {
            let directory = NSTemporaryDirectory() + "souverain-catalogue-contract-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
            return (catalogue, { try? FileManager.default.removeItem(atPath: directory) })
        },
    ]

    @Test(arguments: subjects, CatalogueContract.allCases)
    func promise(_ subject: CatalogueSubject, _ promise: CatalogueContract) async throws {
        let (catalogue, cleanup) = try await subject.make()
        do {
            try await promise.check(on: catalogue)
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }
}
