import AutopodSupport
import FoundationEssentials

/// Builds the `CloudProvider` for the API the user chose, and says in words what each choice
/// uses where. The only place outside the providers that knows there are two APIs.
public enum RunPodBackend {
    /// The provider for `choice` at `baseURL`. `timeout` bounds each request, `deadline` all of
    /// them together.
    public static func makeProvider(
        choice: CloudAPIChoice, baseURL: String, apiKey: String, timeout: Duration? = nil, deadline: Deadline? = nil
    ) -> any CloudProvider {
        let http = HTTPClient(deadline: deadline)
        var graphQL = GraphQLClient(baseURL: baseURL, apiKey: apiKey, http: http)
        var rest = RESTClient(baseURL: baseURL, apiKey: apiKey, http: http)
        if let timeout {
            graphQL.timeout = timeout
            rest.timeout = timeout
        }
        switch choice {
        case .graphql: return RunPodProvider(client: graphQL)
        case .rest: return RunPodRESTProvider(client: rest)
        case .auto: return RunPodAutoProvider(rest: RunPodRESTProvider(client: rest), graphQL: RunPodProvider(client: graphQL))
        }
    }

    /// What each choice uses for what, for `config show` (`-v` names the API of every call).
    public static func routes(_ choice: CloudAPIChoice) -> [(what: String, api: String)] {
        switch choice {
        case .graphql:
            return [
                ("pods, GPU stock, SSH keys", "GraphQL"),
                ("pod logs, utilisation in `list`", "not available (REST v2 only)"),
                ("account balance in `list`", "GraphQL"),
                ("billing records for `cost`", "not available (REST v2 only)"),
            ]
        case .rest:
            return [
                ("pods, GPU stock, SSH keys, pod logs, utilisation", "REST v2"),
                ("ALL cloud", "REST v2: stock of both clouds; create tries SECURE, then COMMUNITY"),
                ("billing records for `cost`", "REST v2"),
                ("account balance in `list`", "not available (GraphQL only)"),
            ]
        case .auto:
            return [
                ("pods, GPU stock, SSH keys, pod logs, utilisation", "REST v2"),
                ("account id, ALL-cloud stock and create", "GraphQL while it answers, else REST v2"),
                ("billing records for `cost`", "REST v2"),
                ("account balance in `list`", "GraphQL"),
            ]
        }
    }
}
