/// The API's root as configured (`RUNPOD_API_BASE_URL`, e.g. `https://api.runpod.io`), with
/// trailing slashes and a `/graphql` copied from RunPod's GraphQL docs dropped, so each client
/// adds its own path (`/graphql`, `/v2/...`) to the same root.
enum RunPodAPIRoot {
    static func of(_ configured: String) -> String {
        var root = Substring(configured)
        while root.hasSuffix("/") { root.removeLast() }
        if root.hasSuffix("/graphql") { root.removeLast("/graphql".count) }
        return String(root)
    }
}
