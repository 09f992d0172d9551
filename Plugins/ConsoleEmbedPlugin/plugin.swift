import Foundation
import PackagePlugin

/// Turns the web console's static files (`Console/` in the target's directory) into one Swift
/// source at build time, so the `souverain` binary alone serves the console: SwiftPM resources
/// live in a separate bundle directory on Linux, which a copied binary would leave behind.
/// The files are listed afresh on every build, so adding one needs no change here.
@main
struct ConsoleEmbedPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let root = target.directoryURL.appending(path: "Console")
        let files = try Self.files(under: root)
        let output = context.pluginWorkDirectoryURL.appending(path: "ConsoleAssets+Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding the console's \(files.count) static files",
                executable: try context.tool(named: "console-embed").url,
                arguments: [output.path(percentEncoded: false), root.path(percentEncoded: false)]
                    + files.map { $0.path(percentEncoded: false) },
                inputFiles: files,
                outputFiles: [output])
        ]
    }

    /// Every regular file under `root`, sorted, hidden files skipped.
    static func files(under root: URL) throws -> [URL] {
        guard let walker = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var found: [URL] = []
        for case let url as URL in walker where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            found.append(url)
        }
        return found.sorted { $0.path < $1.path }
    }
}
