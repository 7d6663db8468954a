import Testing
@testable import LumeKit

/// What the log redactor masks, and what it leaves alone.
@Suite struct RedactorTests {
    @Test(arguments: [
        // OAuth parameters and token fields: the name stays, the value goes.
        ("POST /token code=4/0AbCd-ef&state=xyz", "POST /token code=[redacted]&state=xyz"),
        ("code_verifier=abc123.~_-XYZ grant_type=authorization_code", "code_verifier=[redacted] grant_type=authorization_code"),
        (#"{"access_token": "ya29.a0Af", "expires_in": 3599}"#, #"{"access_token": "[redacted]", "expires_in": 3599}"#),
        (#"{'refresh_token':'1//0gXyz'}"#, #"{'refresh_token':'[redacted]'}"#),
        ("CLIENT_SECRET = GOCSPX-secret, next", "CLIENT_SECRET = [redacted], next"),
        ("api_key: sk-abcdefgh12345678}", "api_key: [redacted]}"),
        ("password=hunter2", "password=[redacted]"),
        // Bearer tokens, in any case and spacing.
        ("Authorization: Bearer abc.DEF-ghi~jk+/l==", "Authorization: Bearer [redacted]"),
        ("authorization: bearer\tabc", "authorization: Bearer [redacted]"),
        // Bare Google tokens and OpenAI-style keys.
        ("retrying with ya29.a0AfH6SM-x_y.z after 401", "retrying with [redacted] after 401"),
        ("stored 1//0gAbC-d_e.f for later", "stored [redacted] for later"),
        ("key sk-proj-abcdefgh1234 rejected", "key [redacted] rejected"),
        // One rule's output is what the next one sees: nothing of the token is left.
        ("Bearer token=abc", "Bearer [redacted][redacted]"),
        // Non-ASCII before a name is a boundary: masked.
        ("é token=abc", "é token=[redacted]"),
    ])
    func masksSecrets(input: String, expected: String) {
        #expect(Redactor.redact(input) == expected)
    }

    @Test(arguments: [
        "tokens: 5 used",             // a longer word
        "mytoken=abc",                // not at a word start
        "token_count=3",
        "code =",                     // no value
        #""token": """#,              // an empty value
        "sk-short",                   // too short for a key
        "the 1//",                    // nothing after the prefix
        "Bearer",                     // nothing after it
        "input to frame ms=2.31",     // an ordinary log line
        "conversation list drawn since_start_ms=51 キー=値",
    ])
    func leavesOrdinaryTextAlone(input: String) {
        #expect(Redactor.redact(input) == input)
    }
}
