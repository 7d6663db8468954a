import ArgumentParser
import Foundation
import LumeKit
import Logging

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the configuration from this file.", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Use this database file for this run.", valueName: "path"))
    var database: String?
}

/// What a command needs, built once from the global options: the validated config, the
/// resolved paths and a logger writing to the log file.
struct CommandContext {
    let config: Config
    let paths: AppPaths
    let environment: [String: String]
    let logger: Logger

    /// Loads the configuration (printing its warnings to stderr) and resolves every path.
    static func make(_ options: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CommandContext {
        let loaded = try ConfigLoader.load(override: options.config, environment: environment)
        for warning in loaded.warnings {
            Console.printError("warning: \(warning)")
        }
        let paths = AppPaths.resolve(
            configFile: loaded.file, storagePath: loaded.config.storage.path,
            databaseOverride: options.database, environment: environment)
        var logger = Log.make(paths.logFile)
        // LUME_LOG_LEVEL=debug adds timings (first frame, keystroke to frame) for the benchmarks.
        if let level = environment["LUME_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { logger.logLevel = level }
        return CommandContext(config: loaded.config, paths: paths, environment: environment, logger: logger)
    }

    /// Opens the database. Commands that only read ask for `.readOnly`, so they work on
    /// a read-only file system and never write behind the user's back.
    func openDatabase(_ access: AppDatabase.Access = .readWrite) throws -> AppDatabase {
        let database = try AppDatabase(path: paths.databaseFile, access: access)
        if let damage = database.damage {
            Console.printError("warning: \(damage)")
        }
        if let folderWarning = database.folderWarning {
            logger.warning("\(folderWarning)")
        }
        if database.access == .readWrite {
            let repaired = try database.markAbandonedStreamsInterrupted()
            if repaired > 0 {
                logger.notice("marked replies left streaming by a process that ended as interrupted", metadata: ["count": "\(repaired)"])
            }
        }
        return database
    }

    func openVault() throws -> TokenVault {
        try TokenVault.open(keyFile: paths.tokenKeyFile)
    }
}

/// The process-wide log file.
enum Log {
    nonisolated(unsafe) private static var bootstrapped = false

    static func make(_ path: String) -> Logger {
        if !bootstrapped {
            bootstrapped = true
            let sink = LogSink(path: path)
            LoggingSystem.bootstrap { label in
                guard let sink else { return SwiftLogNoOpLogHandler() }
                return FileLogHandler(label: label, sink: sink)
            }
        }
        return Logger(label: "lume-tui")
    }
}
