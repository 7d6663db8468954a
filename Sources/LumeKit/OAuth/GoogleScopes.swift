/// The scopes of each sign-in stage (CONTRACT.md), and what a granted scope list means.
public enum GoogleScopes {
    static let prefix = "https://www.googleapis.com/auth/"

    /// Stage 1: who the user is, and their contacts (to resolve names to addresses).
    public static let identity = ["openid", prefix + "userinfo.email", prefix + "userinfo.profile", prefix + "contacts.readonly"]

    /// Stage 2: what each service needs. A service counts as granted only with all of them.
    public static func scopes(for service: Service) -> [String] {
        switch service {
        case .email: return ["gmail.readonly", "gmail.send", "gmail.modify"].map { prefix + $0 }
        case .calendar: return ["calendar", "calendar.events"].map { prefix + $0 }
        case .tasks: return [prefix + "tasks"]
        case .keep: return [prefix + "keep.readonly"]
        }
    }

    /// The scopes in a token response's `scope`, with Google's short aliases ("email",
    /// "profile") written as the `userinfo.*` URLs they stand for.
    public static func parse(_ scope: String) -> Set<String> {
        Set(scope.split(whereSeparator: { $0 == " " || $0 == "," }).map { item -> String in
            switch item {
            case "email": return prefix + "userinfo.email"
            case "profile": return prefix + "userinfo.profile"
            default: return String(item)
            }
        })
    }

    public enum Coverage: Equatable, Sendable {
        case all, some, none
    }

    /// How much of a service's scopes `granted` holds.
    public static func coverage(of service: Service, in granted: Set<String>) -> Coverage {
        let needed = scopes(for: service)
        let held = needed.filter(granted.contains).count
        return held == needed.count ? .all : held == 0 ? .none : .some
    }

    /// The scope list as it is sent and stored: space-separated, in a stable order.
    public static func join(_ scopes: some Sequence<String>) -> String {
        Set(scopes).sorted { order($0) < order($1) || (order($0) == order($1) && $0 < $1) }.joined(separator: " ")
    }

    private static func order(_ scope: String) -> Int { scope == "openid" ? 0 : identity.contains(scope) ? 1 : 2 }
}
