import SouverainS3Client

/// Runs `souverain bench`: the entry point the CLI calls.
public enum BenchRunner {
    /// Runs the configured workloads one after the other against the configured endpoint (or, with
    /// `calibrate`, against an in-process `NullS3Server`) and returns their figures. Failed
    /// operations are counted in the report, never thrown; this throws `BenchError` only when the
    /// run cannot start (invalid configuration, unreachable endpoint, bucket refused). `progress`
    /// receives a line as each workload ends.
    public static func run(
        configuration: BenchConfiguration, progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> BenchReport {
        try configuration.validate()
        var configuration = configuration
        var nullServer: NullS3Server?
        if configuration.calibrate {
            do {
                let server = try await NullS3Server.start()
                nullServer = server
                configuration.client.endpoint = server.endpoint
            } catch {
                throw BenchError(code: .setupFailed, message: "The null endpoint could not be started.", cause: error)
            }
        }
        let client: S3Client
        do {
            client = try S3Client(configuration: configuration.client)
        } catch {
            await nullServer?.stop()
            throw BenchError(code: .setupFailed, message: "The S3 client could not be created.", cause: error)
        }
        let session = BenchSession(configuration: configuration, client: client, progress: progress)
        let report: BenchReport
        do {
            report = try await session.run()
        } catch {
            try? await client.shutdown()
            await nullServer?.stop()
            throw error
        }
        try? await client.shutdown()
        await nullServer?.stop()
        return report
    }
}
