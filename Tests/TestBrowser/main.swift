import Foundation
import LumeKit

// A stand-in browser for the sign-in tests, set as `[oauth] browser`: it opens the URL it
// is given and follows redirects, which takes it from the (fake) consent page to
// lume-tui's loopback listener, over real HTTP. The test steers it through the environment:
//
//   LUME_TEST_BROWSER_LOG=FILE        append every URL visited
//   LUME_TEST_BROWSER_DELAY=SECONDS   wait before starting (a slow user)
//   LUME_TEST_BROWSER_SKIP=1          never go anywhere (the user walks away)
//   LUME_TEST_BROWSER_PREFLIGHT=LIST  first send these to the listener: wrong-state,
//                                     missing-state, favicon, post, wrong-host
//   LUME_TEST_BROWSER_REPEAT=N        load the final callback N times (double click, reload)

let environment = ProcessInfo.processInfo.environment
guard CommandLine.arguments.count > 1 else { exit(2) }
let start = CommandLine.arguments[1]
let http = CurlHTTPClient(userAgent: "lume-test-browser")

func log(_ line: String) {
    guard let path = environment["LUME_TEST_BROWSER_LOG"] else { return }
    let handle = FileHandle(forWritingAtPath: path) ?? {
        FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)!
    }()
    handle.seekToEndOfFile()
    handle.write(Data((line + "\n").utf8))
    try? handle.close()
}

func get(_ url: String, headers: [HTTPHeader] = [], method: String = "GET") async -> HTTPResponse? {
    log("\(method) \(url)")
    let response = try? await http.send(HTTPRequest(method: method, url: url, headers: headers, timeout: 10))
    log("-> \(response.map { String($0.status) } ?? "no answer")")
    return response
}

if environment["LUME_TEST_BROWSER_SKIP"] == "1" { exit(0) }
if let delay = environment["LUME_TEST_BROWSER_DELAY"].flatMap(Double.init) { try? await Task.sleep(for: .seconds(delay)) }

// The redirect URI is a parameter of the authorization URL: hostile requests go there.
let redirect = URLComponents(string: start)?.queryItems?.first { $0.name == "redirect_uri" }?.value ?? ""
for probe in (environment["LUME_TEST_BROWSER_PREFLIGHT"] ?? "").split(separator: ",") {
    switch probe {
    case "wrong-state": _ = await get(redirect + "?state=forged&code=attacker-code")
    case "missing-state": _ = await get(redirect + "?code=attacker-code")
    case "favicon": _ = await get(redirect.replacingOccurrences(of: "/oauth/callback", with: "/favicon.ico").replacingOccurrences(of: "/oauth/service-callback", with: "/favicon.ico"))
    case "post": _ = await get(redirect + "?state=x", method: "POST")
    case "wrong-host": _ = await get(redirect + "?state=x", headers: [HTTPHeader("Host", "evil.example:80")])
    default: break
    }
}

var url = start
var last: HTTPResponse?
for _ in 0..<5 {
    guard let response = await get(url) else { exit(1) }
    last = response
    guard (300..<400).contains(response.status), let location = response.header("Location") else { break }
    url = location
}
let repeats = Int(environment["LUME_TEST_BROWSER_REPEAT"] ?? "1") ?? 1
if repeats > 1 {
    for _ in 1..<repeats { _ = await get(url) }
}
exit((last.map { (200..<300).contains($0.status) } ?? false) ? 0 : 1)
