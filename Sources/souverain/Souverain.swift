import ArgumentParser

@main
struct Souverain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "souverain",
        abstract: "A sovereign, S3-compatible object store.",
        subcommands: [Serve.self, Init.self, UserCommand.self, RoleCommand.self, BucketCommand.self, KeysCommand.self, AuditCommand.self, RegistryCommand.self,
                      LocationCommand.self, PlacementCommand.self, RepairCommand.self, LifecycleCommand.self, MigrateCommand.self, ExportCommand.self, ImportCommand.self, ReportCommand.self,
                      CatalogueCommand.self,
                      BenchCommand.self, RawCeiling.self, FillCatalogue.self]
    )
}
