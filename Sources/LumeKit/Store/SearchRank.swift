import GRDB
import GRDBSQLite

/// `lume_rank(message_search)`: an FTS5 ranking function, BM25 without the IDF term.
///
/// Why not FTS5's own `bm25()`: to weigh terms it counts, for every query, all the rows
/// containing each phrase, so a search for a common word reads that word's whole doclist
/// and slows down as history grows (≈10 ms per common word at 1M messages). Searches rank
/// a bounded window of recent matches, in which every row contains every term (terms are
/// ANDed), so IDF would only re-weigh terms against each other; term frequency and
/// document length — what this computes from the row's own instance list — carry the
/// ranking. Higher is more relevant.
enum SearchRank {
    static let name = "lume_rank"

    /// Registers the function on one connection.
    static func register(_ db: Database) {
        let api = FTS5.api(db)
        _ = api.pointee.xCreateFunction(UnsafeMutablePointer(mutating: api), name, nil, rank, nil)
    }

    private static let k1 = 1.2
    private static let b = 0.75

    private static let rank: fts5_extension_function = { apiPointer, context, result, _, _ in
        guard let api = apiPointer?.pointee, let context else {
            sqlite3_result_double(result, 0)
            return
        }
        let phrases = Int(api.xPhraseCount(context))
        var instances: Int32 = 0
        guard api.xInstCount(context, &instances) == SQLITE_OK, phrases > 0 else {
            sqlite3_result_double(result, 0)
            return
        }
        var frequencies = [Int](repeating: 0, count: phrases)
        var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
        for index in 0..<instances where api.xInst(context, index, &phrase, &column, &offset) == SQLITE_OK {
            if Int(phrase) < phrases { frequencies[Int(phrase)] += 1 }
        }
        var length: Int32 = 0
        var totalTokens: Int64 = 0
        var rows: Int64 = 0
        _ = api.xColumnSize(context, 0, &length)
        _ = api.xColumnTotalSize(context, 0, &totalTokens)
        _ = api.xRowCount(context, &rows)
        let average = rows > 0 ? max(1, Double(totalTokens) / Double(rows)) : 1
        let norm = k1 * (1 - b + b * Double(length) / average)
        var score = 0.0
        for frequency in frequencies where frequency > 0 {
            let tf = Double(frequency)
            score += tf * (k1 + 1) / (tf + norm)
        }
        sqlite3_result_double(result, score)
    }
}
