import CCurl
import Foundation

/// `HTTPClient` over libcurl: the only code in lume-tui that touches the network as a client.
///
/// Each request runs `curl_easy_perform` on a background thread; cancelling the Swift task
/// aborts the transfer from curl's progress callback. Redirects are not followed (OAuth
/// and Google's APIs never need it, and following one could leak an Authorization header).
public final class CurlHTTPClient: HTTPClient {
    private let userAgent: String

    public init(userAgent: String = "lume-tui/\(LumeKitInfo.version)") {
        self.userAgent = userAgent
    }

    /// `curl_global_init` runs once, on the first request rather than at start: it
    /// initialises OpenSSL, ~2.3 MB resident that a session which never goes online (browsing
    /// and searching history) does not need. A lazy static runs exactly once however many
    /// threads race to it, and libcurl since 7.84 (Debian 12 has 7.88) makes the call itself
    /// thread-safe too.
    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await perform(Transfer(request: request, userAgent: userAgent, stallTimeout: nil, onData: nil))
    }

    public func stream(_ request: HTTPRequest, stallTimeout: TimeInterval, onData: @escaping @Sendable (Data) -> Void) async throws -> HTTPResponse {
        try await perform(Transfer(request: request, userAgent: userAgent, stallTimeout: stallTimeout, onData: onData))
    }

    private func perform(_ transfer: Transfer) async throws -> HTTPResponse {
        _ = Self.globalInit
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: transfer.run())
                }
            }
        } onCancel: {
            transfer.cancel()
        }
    }
}

/// One transfer's state, shared with curl's C callbacks through an unmanaged pointer.
private final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    let userAgent: String
    let stallTimeout: TimeInterval?
    let onData: (@Sendable (Data) -> Void)?

    private let lock = NSLock()
    private var cancelled = false
    /// When the last byte arrived (or the transfer started), for stall detection.
    private var lastActivity = Date()
    private(set) var stalled = false
    var body = Data()
    var headers: [HTTPHeader] = []

    init(request: HTTPRequest, userAgent: String, stallTimeout: TimeInterval?, onData: (@Sendable (Data) -> Void)?) {
        self.request = request
        self.userAgent = userAgent
        self.stallTimeout = stallTimeout
        self.onData = onData
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    func receivedData() {
        lock.lock()
        lastActivity = Date()
        lock.unlock()
    }

    /// Whether the transfer should stop: cancelled, or a stream silent for too long.
    func shouldAbort() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if cancelled { return true }
        if let stallTimeout, Date().timeIntervalSince(lastActivity) > stallTimeout {
            stalled = true
            return true
        }
        return false
    }

    func run() -> Result<HTTPResponse, Error> {
        if isCancelled { return .failure(HTTPError.cancelled) }
        guard let handle = curl_easy_init() else { return .failure(HTTPError.transport("libcurl could not start")) }
        defer { curl_easy_cleanup(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // curl adds "Expect: 100-continue" to larger POSTs; local servers need not know it.
        headerList = curl_slist_append(headerList, "Expect:")
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let context = Unmanaged.passUnretained(self).toOpaque()
        let bodyBytes = request.body.map { [UInt8]($0) } ?? []

        let code: CURLcode = bodyBytes.withUnsafeBufferPointer { bodyPointer in
            errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                lume_curl_setopt_string(handle, CURLOPT_URL, request.url)
                lume_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                lume_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
                lume_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
                lume_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                lume_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                lume_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
                // A stream has no total deadline; the progress callback ends it when it stalls.
                if stallTimeout == nil {
                    lume_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
                }
                lume_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
                lume_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorPointer.baseAddress))
                switch request.method {
                case "GET":
                    lume_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                case "HEAD":
                    lume_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                default:
                    lume_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
                }
                if request.body != nil {
                    lume_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyPointer.count))
                    lume_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bodyPointer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
                }
                lume_curl_setopt_data_function(handle, CURLOPT_WRITEFUNCTION, writeCallback)
                lume_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
                lume_curl_setopt_data_function(handle, CURLOPT_HEADERFUNCTION, headerCallback)
                lume_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
                lume_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
                lume_curl_setopt_progress_function(handle, progressCallback)
                lume_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)
                return curl_easy_perform(handle)
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if stalled { return .failure(HTTPError.timedOut(host: URLComponents(string: request.url)?.encodedHost ?? request.url)) }
            return .failure(Self.error(code, detail: detail, url: request.url, cancelled: isCancelled))
        }
        var status = 0
        lume_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: headers, body: body))
    }

    static func error(_ code: CURLcode, detail: String, url: String, cancelled: Bool) -> HTTPError {
        let host = URLComponents(string: url)?.host ?? url
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where cancelled: return .cancelled
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: return .invalidURL(url)
        case CURLE_COULDNT_RESOLVE_HOST: return .cannotResolve(host: host)
        case CURLE_COULDNT_CONNECT: return .cannotConnect(host: host)
        case CURLE_OPERATION_TIMEDOUT: return .timedOut(host: host)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE:
            return .tls(host: host, detail: message)
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return .transport("the connection to \(host) was cut: \(message)")
        default:
            return .transport(message)
        }
    }
}

private let writeCallback: lume_curl_data_fn = { pointer, size, count, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    guard let pointer, length > 0 else { return length }
    let chunk = Data(bytes: pointer, count: length)
    transfer.receivedData()
    if let onData = transfer.onData {
        onData(chunk)
    } else {
        transfer.body.append(chunk)
    }
    return length
}

private let headerCallback: lume_curl_data_fn = { pointer, size, count, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    guard let pointer else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        // A new status line (after a 100 Continue, say): the headers start over.
        transfer.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        transfer.headers.append(HTTPHeader(
            String(line[..<colon]).trimmingCharacters(in: .whitespaces),
            String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
    }
    return length
}

private let progressCallback: lume_curl_progress_fn = { context, _, _, _, _ in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    return transfer.shouldAbort() ? 1 : 0
}
