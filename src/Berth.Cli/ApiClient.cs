using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Berth.Api;
using Berth.Core.Metadata;

namespace Berth.Cli;

/// <summary>Client of the Berth management API (docs/api.md): HTTP Basic auth, JSON in and out.</summary>
public sealed partial class ApiClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ImportTimeout = TimeSpan.FromMinutes(30);

    private readonly HttpClient _http;

    public ApiClient(CliConfig config, HttpMessageHandler? handler = null)
    {
        Url = config.Url.TrimEnd('/');
        BaseUrl = new Uri(Url + "/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = BaseUrl;
        // Per request instead (see SendCheckedAsync), so that an import can take longer than the rest.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{config.Username}:{config.Secret}"));
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("berth-cli", typeof(ApiClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    /// <summary>The server URL as given (no trailing slash), for messages.</summary>
    public string Url { get; }

    public Uri BaseUrl { get; }

    private static CliJsonContext Json => CliJsonContext.Default;

    // --- projects -------------------------------------------------------------------------------------------

    public Task<ApiResponse<List<ProjectResponse>>> ListProjectsAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/projects", null, Json.ListProjectResponse, cancellationToken);

    public Task<ApiResponse<ProjectResponse>> GetProjectAsync(string project, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/projects/{Segment(project)}", null, Json.ProjectResponse, cancellationToken);

    public Task<ApiResponse<ProjectResponse>> CreateProjectAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/projects", Body(name), Json.ProjectResponse, cancellationToken);

    /// <summary>Deletes a project; one with registries only with <paramref name="confirm"/> set to its name (else 409).</summary>
    public Task DeleteProjectAsync(string project, string? confirm, CancellationToken cancellationToken) =>
        SendNoContentAsync(
            HttpMethod.Delete,
            $"api/v1/projects/{Segment(project)}",
            confirm is null ? null : Body(new DeleteConfirmation(confirm), Json.DeleteConfirmation),
            cancellationToken);

    public Task<ApiResponse<List<MembershipResponse>>> ListMembersAsync(string project, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/projects/{Segment(project)}/members", null, Json.ListMembershipResponse, cancellationToken);

    public Task<ApiResponse<MembershipResponse>> SetMemberAsync(string project, string username, string role, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Put,
            $"api/v1/projects/{Segment(project)}/members/{Segment(username)}",
            Body(new SetRoleRequest(role), Json.SetRoleRequest),
            Json.MembershipResponse,
            cancellationToken);

    public Task RemoveMemberAsync(string project, string username, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"api/v1/projects/{Segment(project)}/members/{Segment(username)}", null, cancellationToken);

    // --- users and personal access tokens -------------------------------------------------------------------

    public Task<ApiResponse<UserResponse>> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/users", Body(request, Json.CreateUserRequest), Json.UserResponse, cancellationToken);

    public Task<ApiResponse<List<UserResponse>>> ListUsersAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/users", null, Json.ListUserResponse, cancellationToken);

    public Task<ApiResponse<MeResponse>> MeAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/users/me", null, Json.MeResponse, cancellationToken);

    /// <summary>Changes the caller's password (the current one is checked again); ends the caller's other sessions.</summary>
    public Task ChangePasswordAsync(ChangePasswordRequest request, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Put, "api/v1/users/me/password", Body(request, Json.ChangePasswordRequest), cancellationToken);

    /// <summary>Creates a personal access token of the caller; the response is the only time its secret is shown.</summary>
    public Task<ApiResponse<CreatedTokenResponse>> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/users/me/tokens", Body(request, Json.CreateTokenRequest), Json.CreatedTokenResponse, cancellationToken);

    public Task<ApiResponse<List<AccessTokenResponse>>> ListTokensAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/users/me/tokens", null, Json.ListAccessTokenResponse, cancellationToken);

    public Task RevokeTokenAsync(string id, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"api/v1/users/me/tokens/{Segment(id)}", null, cancellationToken);

    // --- federation rules -----------------------------------------------------------------------------------

    public Task<ApiResponse<FederationRuleResponse>> CreateFederationRuleAsync(string registry, CreateFederationRuleRequest request,
        CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/registries/{Segment(registry)}/federation", Body(request, Json.CreateFederationRuleRequest),
            Json.FederationRuleResponse, cancellationToken);

    public Task<ApiResponse<List<FederationRuleResponse>>> ListFederationRulesAsync(string registry, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/registries/{Segment(registry)}/federation", null, Json.ListFederationRuleResponse, cancellationToken);

    public Task DeleteFederationRuleAsync(string registry, string id, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"api/v1/registries/{Segment(registry)}/federation/{Segment(id)}", null, cancellationToken);

    // --- tag immutability -----------------------------------------------------------------------------------

    public Task<ApiResponse<ImmutabilityResponse>> GetImmutabilityAsync(string registry, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/registries/{Segment(registry)}/immutability", null, Json.ImmutabilityResponse, cancellationToken);

    public Task<ApiResponse<ImmutabilityResponse>> SetImmutabilityAsync(string registry, ImmutabilityRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, $"api/v1/registries/{Segment(registry)}/immutability", Body(request, Json.ImmutabilityRequest),
            Json.ImmutabilityResponse, cancellationToken);

    // --- registries -----------------------------------------------------------------------------------------

    public Task<ApiResponse<CreatedRegistryResponse>> CreateRegistryAsync(
        string project, string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/projects/{Segment(project)}/registries", Body(name), Json.CreatedRegistryResponse, cancellationToken);

    public Task<ApiResponse<List<RegistryResponse>>> ListRegistriesAsync(string project, CancellationToken cancellationToken) =>
        GetAllPagesAsync($"api/v1/projects/{Segment(project)}/registries", Json.ListRegistryResponse, cancellationToken);

    public Task<ApiResponse<RegistryResponse>> GetRegistryAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/registries/{Segment(name)}", null, Json.RegistryResponse, cancellationToken);

    /// <summary>The first page of repositories (the server's default size).</summary>
    public Task<ApiResponse<List<RepositoryView>>> ListRepositoriesAsync(string registry, CancellationToken cancellationToken) =>
        GetAllPagesAsync($"api/v1/registries/{Segment(registry)}/repositories", Json.ListRepositoryView, cancellationToken);

    /// <summary>The repositories whose names contain <paramref name="search"/>, the largest page the server gives.</summary>
    public Task<ApiResponse<List<RepositoryView>>> SearchRepositoriesAsync(string registry, string search, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/registries/{Segment(registry)}/repositories?limit=1000&q={Segment(search)}", null, Json.ListRepositoryView, cancellationToken);

    /// <summary>
    /// Every tag of a repository, page after page; <paramref name="repository"/> may contain '/' (kept as path separators).
    /// </summary>
    public Task<ApiResponse<List<TagResponse>>> ListTagsAsync(string registry, string repository, CancellationToken cancellationToken) =>
        GetAllPagesAsync(
            $"api/v1/registries/{Segment(registry)}/repositories/{string.Join('/', repository.Split('/').Select(Segment))}/tags",
            Json.ListTagResponse,
            cancellationToken);

    /// <summary><c>PATCH</c>: sets the storage allocation to <paramref name="storageLimitGiB"/> GiB (409 when below usage).</summary>
    public Task<ApiResponse<RegistryResponse>> ResizeRegistryAsync(string name, long storageLimitGiB, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Patch,
            $"api/v1/registries/{Segment(name)}",
            Body(new ResizeRequest(storageLimitGiB), Json.ResizeRequest),
            Json.RegistryResponse,
            cancellationToken);

    public Task<ApiResponse<CreatedRegistryTokenResponse>> CreateRegistryTokenAsync(string registry, CreateRegistryTokenRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/registries/{Segment(registry)}/tokens", Body(request, Json.CreateRegistryTokenRequest), Json.CreatedRegistryTokenResponse, cancellationToken);

    public Task<ApiResponse<List<RegistryTokenResponse>>> ListRegistryTokensAsync(string registry, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/registries/{Segment(registry)}/tokens", null, Json.ListRegistryTokenResponse, cancellationToken);

    public Task RevokeRegistryTokenAsync(string registry, string id, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"api/v1/registries/{Segment(registry)}/tokens/{Segment(id)}", null, cancellationToken);

    public Task<ApiResponse<RevokeAllCredentialsResponse>> RevokeAllCredentialsAsync(string registry, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/registries/{Segment(registry)}/credentials/revoke-all", null, Json.RevokeAllCredentialsResponse, cancellationToken);

    /// <summary>
    /// Replaces the registry's password; the response is the only time the new one is shown. With
    /// <paramref name="keepPreviousFor"/> (e.g. <c>24h</c>) the previous one keeps working that long.
    /// </summary>
    public Task<ApiResponse<PasswordResetResponse>> ResetPasswordAsync(string name, string? keepPreviousFor, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/registries/{Segment(name)}/password",
            keepPreviousFor is null ? null : Body(new PasswordResetRequest(keepPreviousFor), Json.PasswordResetRequest), Json.PasswordResetResponse, cancellationToken);

    /// <summary>Ends the previous password's overlap at once (404 when there is none).</summary>
    public Task RevokePreviousPasswordAsync(string name, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"api/v1/registries/{Segment(name)}/password/previous", null, cancellationToken);

    /// <summary>Deletes the registry irreversibly; <paramref name="confirm"/> must be its exact name (else 400).</summary>
    public Task DeleteRegistryAsync(string name, string confirm, CancellationToken cancellationToken) =>
        SendNoContentAsync(
            HttpMethod.Delete,
            $"api/v1/registries/{Segment(name)}",
            Body(new DeleteConfirmation(confirm), Json.DeleteConfirmation),
            cancellationToken);

    /// <summary>A <c>kubernetes.io/dockerconfigjson</c> Secret as YAML (with the given password, or a freshly reset one).</summary>
    public async Task<string> CreateKubernetesSecretAsync(string name, KubernetesSecretRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            HttpMethod.Post, $"api/v1/registries/{Segment(name)}/kubernetes-secret", Body(request, Json.KubernetesSecretRequest), cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Deletes a repository with all its manifests and tags.</summary>
    public Task DeleteRepositoryAsync(string registry, string repository, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"api/v1/registries/{Segment(registry)}/repositories/{RepositorySegments(repository)}", null, cancellationToken);

    /// <summary>Untags; the manifest stays reachable by digest.</summary>
    public Task DeleteTagAsync(string registry, string repository, string tag, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, $"api/v1/registries/{Segment(registry)}/repositories/{RepositorySegments(repository)}/tags/{Segment(tag)}", null, cancellationToken);

    /// <summary>Deletes a manifest (by digest) and its tags.</summary>
    public Task DeleteManifestAsync(string registry, string repository, string digest, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, ManifestPath(registry, repository, digest), null, cancellationToken);

    // --- recovery bin ---------------------------------------------------------------------------------------

    /// <summary>Every recently deleted tag and manifest of the registry (of one repository when given), newest first.</summary>
    public Task<ApiResponse<List<DeletedEntryResponse>>> ListDeletedAsync(string registry, string? repository, CancellationToken cancellationToken) =>
        GetAllPagesAsync(
            $"api/v1/registries/{Segment(registry)}/deleted{(repository is null ? "" : "?repository=" + Segment(repository))}",
            Json.ListDeletedEntryResponse,
            cancellationToken);

    /// <summary>Restores a deleted tag (with its manifest) or manifest.</summary>
    public Task<ApiResponse<DeletedEntryResponse>> RestoreDeletedAsync(string registry, RestoreRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/registries/{Segment(registry)}/deleted/restore", Body(request, Json.RestoreRequest), Json.DeletedEntryResponse,
            cancellationToken);

    // --- vulnerability scanning -----------------------------------------------------------------------------

    /// <summary>Imports OSV advisories: a JSON document or array (<c>application/json</c>) or a zip archive (<c>application/zip</c>).</summary>
    public Task<ApiResponse<AdvisoryImportResult>> ImportAdvisoriesAsync(Stream content, string mediaType, string source, CancellationToken cancellationToken)
    {
        var body = new StreamContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        if (content.CanSeek)
        {
            body.Headers.ContentLength = content.Length;
        }

        // A large archive takes a while to store and index; the usual request timeout would cut it off.
        return SendAsync(HttpMethod.Post, $"api/v1/vulndb?source={Segment(source)}", body, Json.AdvisoryImportResult, cancellationToken, ImportTimeout);
    }

    public Task<ApiResponse<AdvisoryDatabaseStatus>> GetAdvisoryDatabaseAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/vulndb", null, Json.AdvisoryDatabaseStatus, cancellationToken);

    /// <summary>The vulnerability report of a manifest by tag or digest, optionally only findings at or above a severity.</summary>
    public Task<ApiResponse<VulnerabilityReportView>> GetVulnerabilitiesAsync(
        string registry, string repository, string reference, string? minSeverity, bool fixableOnly, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (minSeverity is not null)
        {
            query.Add("severity=" + Segment(minSeverity));
        }

        if (fixableOnly)
        {
            query.Add("fixable=true");
        }

        var suffix = query.Count == 0 ? "" : "?" + string.Join('&', query);
        return SendAsync(HttpMethod.Get, $"{ManifestPath(registry, repository, reference)}/vulnerabilities{suffix}", null, Json.VulnerabilityReportView, cancellationToken);
    }

    /// <summary>The CycloneDX SBOM (JSON text, unchanged) of a scanned image.</summary>
    public async Task<string> GetSbomAsync(string registry, string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(HttpMethod.Get, $"{ManifestPath(registry, repository, reference)}/sbom", null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>Queues a scan of a manifest (an index: each platform image) and returns its report as it stands.</summary>
    public Task<ApiResponse<VulnerabilityReportView>> ScanAsync(string registry, string repository, string reference, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{ManifestPath(registry, repository, reference)}/scan", null, Json.VulnerabilityReportView, cancellationToken);

    // --- audit ----------------------------------------------------------------------------------------------

    /// <summary>Audit events of a registry, newest first.</summary>
    public Task<ApiResponse<List<AuditEventResponse>>> ListRegistryAuditAsync(string name, int? limit, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/registries/{Segment(name)}/audit{Limit(limit)}", null, Json.ListAuditEventResponse, cancellationToken);

    /// <summary>Audit events of a project, including those of its deleted registries, newest first.</summary>
    public Task<ApiResponse<List<AuditEventResponse>>> ListProjectAuditAsync(string project, int? limit, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/projects/{Segment(project)}/audit{Limit(limit)}", null, Json.ListAuditEventResponse, cancellationToken);

    // --- login throttles ------------------------------------------------------------------------------------

    /// <summary>One page of the failed-login counters not yet forgotten (administrators).</summary>
    public Task<ApiResponse<LoginThrottlePage>> ListLoginThrottlesAsync(string? after, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/v1/login-throttles?limit=1000" + (after is null ? "" : "&after=" + Segment(after)), null, Json.LoginThrottlePage, cancellationToken);

    /// <summary>Clears the matching counters (administrators); returns how many had failures.</summary>
    public Task<ApiResponse<LiftedThrottlesResponse>> LiftLoginThrottlesAsync(string? kind, string? username, string? address, CancellationToken cancellationToken)
    {
        var query = new[] { ("kind", kind), ("username", username), ("address", address) }
            .Where(p => p.Item2 is not null)
            .Select(p => $"{p.Item1}={Segment(p.Item2!)}");
        return SendAsync(HttpMethod.Delete, "api/v1/login-throttles?" + string.Join('&', query), null, Json.LiftedThrottlesResponse, cancellationToken);
    }

    // --- plumbing -------------------------------------------------------------------------------------------

    public void Dispose() => _http.Dispose();

    private static string Segment(string value) => Uri.EscapeDataString(value);

    // Repository names keep their '/' (the API's catch-all route), each segment escaped on its own.
    private static string ManifestPath(string registry, string repository, string reference) =>
        $"api/v1/registries/{Segment(registry)}/repositories/{RepositorySegments(repository)}/manifests/{Segment(reference)}";

    private static string RepositorySegments(string repository) => string.Join('/', repository.Split('/').Select(Segment));

    private static string Limit(int? limit) =>
        limit is { } l ? "?limit=" + l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";

    private static ByteArrayContent Body(string name) => Body(new CreateNameRequest(name), Json.CreateNameRequest);

    // Serialized up front (not JsonContent's streaming) so the request has a Content-Length rather than chunking.
    private static ByteArrayContent Body<TBody>(TBody value, JsonTypeInfo<TBody> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>For requests answered with a bodiless success (<c>204</c>); errors are thrown as for <see cref="SendAsync"/>.</summary>
    private async Task SendNoContentAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(method, path, content, cancellationToken);
    }

    private async Task<ApiResponse<T>> SendAsync<T>(
        HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var response = await SendCheckedAsync(method, path, content, cancellationToken, timeout);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            var json = document.RootElement.Clone();
            var value = json.Deserialize(typeInfo)
                ?? throw new CliException($"unexpected response from {method} /{path}: empty JSON");
            return new ApiResponse<T>(value, json);
        }
        catch (JsonException e)
        {
            throw new CliException($"unexpected response from {method} /{path} (HTTP {(int)response.StatusCode}): {e.Message}", e);
        }
    }

    /// <summary>
    /// A paged list in full: pages of the server's default size, each next one at the query of the previous one's
    /// <c>Link: &lt;…&gt;; rel="next"</c> (on our own path, so a reverse proxy's path prefix stays right). The JSON is
    /// the items of every page as one array, as <c>--json</c> printed before the lists were paged.
    /// </summary>
    private async Task<ApiResponse<List<T>>> GetAllPagesAsync<T>(string path, JsonTypeInfo<List<T>> typeInfo, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var raw = new List<string>();
        var query = "";
        while (query is not null)
        {
            // The next page's query carries the list's filters too: it replaces the first request's.
            using var response = await SendCheckedAsync(HttpMethod.Get, query.Length == 0 ? path : path.Split('?')[0] + query, null, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                using var document = JsonDocument.Parse(body);
                items.AddRange(document.RootElement.Deserialize(typeInfo)
                    ?? throw new CliException($"unexpected response from GET /{path}: empty JSON"));
                raw.AddRange(document.RootElement.EnumerateArray().Select(e => e.GetRawText()));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new CliException($"unexpected response from GET /{path} (HTTP {(int)response.StatusCode}): {e.Message}", e);
            }

            query = response.Headers.TryGetValues("Link", out var links)
                ? links.Select(l => NextLink().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value
                : null;
        }

        using var all = JsonDocument.Parse("[" + string.Join(',', raw) + "]");
        return new ApiResponse<List<T>>(items, all.RootElement.Clone());
    }

    /// <summary>The query of a <c>Link</c> header's next page: <c>&lt;/path?query&gt;; rel="next"</c>.</summary>
    [GeneratedRegex("""<[^>?]*(\?[^>]*)>\s*;\s*rel="?next"?""")]
    private static partial Regex NextLink();

    /// <summary>Sends the request; a successful response is returned (the caller disposes it), an error status thrown.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(
        HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var limit = timeout ?? RequestTimeout;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(limit);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, timer.Token);
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
                ? $"{e.Message} ({inner.Message})"
                : e.Message;
            throw new CliException($"cannot reach {Url}: {reason}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"cannot reach {Url}: no response within {limit.TotalSeconds:0} s", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new ApiException((int)response.StatusCode, TryParseProblem(body), FallbackMessage(response, $"{method} /{path}"));
        }
    }

    private static ApiProblem? TryParseProblem(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, Json.ApiProblem);
        }
        catch (JsonException)
        {
            return null; // not problem details (e.g. an HTML page from a proxy): fall back to the status line
        }
    }

    private string FallbackMessage(HttpResponseMessage response, string request) => response.StatusCode switch
    {
        HttpStatusCode.Unauthorized => $"{Url} rejected the credentials; run `berth login` or check BERTH_USERNAME/BERTH_PASSWORD",
        HttpStatusCode.NotFound => $"{request}: not found (is {Url} a Berth server?)",
        _ => $"{request}: " + (response.ReasonPhrase is { Length: > 0 } reason ? reason : "request failed"),
    };
}
