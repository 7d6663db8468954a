public enum LumeKitInfo { public static let version = "0.1.0" }
