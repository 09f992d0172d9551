import Foundation
import SouverainCatalogue
import Testing

extension CatalogueContract {
    /// Roles (docs/sts.md): added once by name, read back whole, listed by name, removed once.
    func checkRoles(on catalogue: any Catalogue) async throws {
        let reader = RoleRecord(
            name: "reader", trustPolicy: #"{"Version":"2012-10-17","Statement":[]}"#,
            permissionPolicy: #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
            maxSessionSeconds: 7200, createdAt: Self.date)
        var auditor = reader
        auditor.name = "auditor"
        auditor.maxSessionSeconds = 900
        #expect(try await catalogue.roles().isEmpty)
        #expect(try await catalogue.role(named: "reader") == nil)
        try await catalogue.addRole(reader)
        try await catalogue.addRole(auditor)
        await #expect { try await catalogue.addRole(reader) } throws: { ($0 as? CatalogueError)?.code == .roleExists }
        #expect(try await catalogue.role(named: "reader") == reader)
        #expect(try await catalogue.roles().map(\.name) == ["auditor", "reader"])
        #expect(try await catalogue.removeRole(named: "reader"))
        #expect(!(try await catalogue.removeRole(named: "reader")))
        #expect(try await catalogue.roles() == [auditor])
    }
}
