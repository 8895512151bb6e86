using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Core.Distribution;
using Berth.Testing;

namespace Berth.Registry.Tests.Infrastructure;

public enum RegistryAuthMode
{
    /// <summary>Docker token auth: a bearer token from <c>/auth/token</c> for the scopes a request needs.</summary>
    Bearer,

    /// <summary>HTTP Basic with the registry credentials directly on /v2.</summary>
    Basic,

    /// <summary>No Authorization header at all.</summary>
    None,
}

/// <summary>The first entry of an OCI error body, plus the raw body.</summary>
public sealed record OciError(string Code, string? Message, string Body);

/// <summary>
/// Raw HTTP access to /v2 for spec-level tests. Never follows redirects. In <see cref="RegistryAuthMode.Bearer"/>
/// mode each request gets a token for the scopes derived from its path (<c>repository:NAME:pull,push,delete</c>,
/// <c>registry:catalog:*</c>, plus <c>repository:FROM:pull</c> for a cross-repository mount), fetched once per scope
/// set with the client's Basic credentials.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Dictionary<string, string> _tokens = [];

    public RegistryClient(Uri baseUrl, string? username, string? password, RegistryAuthMode mode = RegistryAuthMode.Bearer)
    {
        BaseUrl = baseUrl;
        Username = username;
        Password = password;
        Mode = mode;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromMinutes(2),
        };
    }

    public RegistryClient(BerthProcess server, CreatedRegistry registry, RegistryAuthMode mode = RegistryAuthMode.Bearer)
        : this(server.BaseUrl, registry.Username, registry.Password, mode)
    {
    }

    public Uri BaseUrl { get; }

    public string? Username { get; }

    public string? Password { get; }

    public RegistryAuthMode Mode { get; }

    public HttpClient Http => _http;

    /// <summary>Asks <c>/auth/token</c> (GET, Basic credentials) for a token; returns the raw response.</summary>
    public async Task<HttpResponseMessage> RequestTokenAsync(params string[] scopes)
    {
        var query = "service=berth" + string.Concat(scopes.Select(s => "&scope=" + Uri.EscapeDataString(s)));
        using var request = new HttpRequestMessage(HttpMethod.Get, "auth/token?" + query);
        if (Username is not null)
        {
            request.Headers.Authorization = ManagementClient.BasicAuth(Username, Password ?? "");
        }

        return await _http.SendAsync(request);
    }

    /// <summary>A bearer token for <paramref name="scopes"/> (cached); throws when the token endpoint refuses.</summary>
    public async Task<string> GetTokenAsync(params string[] scopes) =>
        await TryGetTokenAsync(scopes) ?? throw new InvalidOperationException(
            $"the token endpoint refused credentials '{Username}' for '{string.Join(' ', scopes)}'");

    /// <summary>
    /// A bearer token for <paramref name="scopes"/> (cached), or null when the token endpoint answers 401/403
    /// (the request then goes out without credentials, as a client without a token would send it).
    /// </summary>
    public async Task<string?> TryGetTokenAsync(params string[] scopes)
    {
        var key = string.Join(' ', scopes);
        if (_tokens.TryGetValue(key, out var cached))
        {
            return cached;
        }

        using var response = await RequestTokenAsync(scopes);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"token request for '{key}' returned {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        var token = document.RootElement.TryGetProperty("token", out var t) ? t.GetString()
            : document.RootElement.GetProperty("access_token").GetString();
        _tokens[key] = token!;
        return token!;
    }

    /// <summary>Sends a request, adding authorization as the mode requires.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, params string[] extraScopes)
    {
        await AuthorizeAsync(request, extraScopes);
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathOrUrl, HttpContent? content = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(method, Resolve(pathOrUrl)) { Content = content };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string pathOrUrl, params (string Name, string Value)[] headers) =>
        SendAsync(HttpMethod.Get, pathOrUrl, null, headers.Select(h => KeyValuePair.Create(h.Name, h.Value)));

    public Task<HttpResponseMessage> HeadAsync(string pathOrUrl, params (string Name, string Value)[] headers) =>
        SendAsync(HttpMethod.Head, pathOrUrl, null, headers.Select(h => KeyValuePair.Create(h.Name, h.Value)));

    public Task<HttpResponseMessage> DeleteAsync(string pathOrUrl) => SendAsync(HttpMethod.Delete, pathOrUrl);

    /// <summary>Resolves a path or a Location header (absolute or relative) against the base URL.</summary>
    public Uri Resolve(string pathOrUrl) =>
        Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? absolute
            : new Uri(BaseUrl, pathOrUrl.TrimStart('/'));

    // ---- blobs ---------------------------------------------------------------------------------------------

    /// <summary>Monolithic upload: <c>POST /v2/NAME/blobs/uploads/?digest=…</c> with the whole body.</summary>
    public async Task<HttpResponseMessage> PostBlobMonolithicAsync(string name, byte[] content, string? digest = null)
    {
        digest ??= Digest.Compute(content).ToString();
        return await SendAsync(HttpMethod.Post, $"v2/{name}/blobs/uploads/?digest={digest}", Octets(content));
    }

    /// <summary>
    /// Pushes a blob and asserts success; returns its digest. Tries the single-POST upload and, when the registry
    /// answers 202 (the spec lets it ignore <c>?digest=</c> on POST), completes with PUT as clients do.
    /// </summary>
    public async Task<string> PushBlobAsync(string name, byte[] content)
    {
        var digest = Digest.Compute(content).ToString();
        using var post = await PostBlobMonolithicAsync(name, content, digest);
        if (post.StatusCode == HttpStatusCode.Created)
        {
            return digest;
        }

        using var response = post.StatusCode == HttpStatusCode.Accepted && Location(post) is { } location
            ? await PutUploadAsync(location, digest, content)
            : null;
        if (response?.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException(
                $"blob push to {name} returned {(int)(response ?? post).StatusCode}: {await (response ?? post).Content.ReadAsStringAsync()}");
        }

        return digest;
    }

    /// <summary>Starts an upload session (<c>POST /v2/NAME/blobs/uploads/</c>, expects 202) and returns its Location.</summary>
    public async Task<string> StartUploadAsync(string name)
    {
        using var response = await SendAsync(HttpMethod.Post, $"v2/{name}/blobs/uploads/");
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException(
                $"starting an upload in {name} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return Location(response) ?? throw new InvalidOperationException("202 upload response without Location");
    }

    /// <summary>PATCH a chunk; <paramref name="offset"/> null sends no Content-Range (streamed upload).</summary>
    public Task<HttpResponseMessage> PatchAsync(string location, byte[] chunk, long? offset)
    {
        var content = Octets(chunk);
        if (offset is { } start)
        {
            content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + chunk.Length - 1}");
        }

        return SendAsync(HttpMethod.Patch, location, content);
    }

    /// <summary>Completes an upload: <c>PUT LOCATION?digest=…</c> with an optional final chunk.</summary>
    public Task<HttpResponseMessage> PutUploadAsync(string location, string digest, byte[]? body = null) =>
        SendAsync(HttpMethod.Put, WithQuery(location, "digest=" + digest), body is null ? null : Octets(body));

    // ---- manifests -----------------------------------------------------------------------------------------

    public Task<HttpResponseMessage> PutManifestAsync(string name, string reference, byte[] manifest,
        string mediaType = MediaTypes.OciManifest)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return SendAsync(HttpMethod.Put, $"v2/{name}/manifests/{reference}", content);
    }

    /// <summary>Pushes a manifest and asserts 201; returns its digest.</summary>
    public async Task<string> PushManifestAsync(string name, string reference, byte[] manifest,
        string mediaType = MediaTypes.OciManifest)
    {
        using var response = await PutManifestAsync(name, reference, manifest, mediaType);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException(
                $"manifest push to {name}:{reference} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return Digest.Compute(manifest).ToString();
    }

    /// <summary>The Accept header value a client sends for manifests.</summary>
    public const string ManifestAccept =
        MediaTypes.OciManifest + ", " + MediaTypes.OciIndex + ", " + MediaTypes.DockerManifest + ", " + MediaTypes.DockerManifestList;

    public Task<HttpResponseMessage> GetManifestAsync(string name, string reference) =>
        GetAsync($"v2/{name}/manifests/{reference}", ("Accept", ManifestAccept));

    public Task<HttpResponseMessage> HeadManifestAsync(string name, string reference) =>
        HeadAsync($"v2/{name}/manifests/{reference}", ("Accept", ManifestAccept));

    /// <summary>Pushes <paramref name="image"/>'s blobs and manifest (from its layout) to NAME:TAG.</summary>
    public async Task<string> PushImageAsync(string name, OciImage image, string? tag = null)
    {
        foreach (var (digest, _) in image.Blobs)
        {
            using var head = await HeadAsync($"v2/{name}/blobs/{digest}");
            if (head.StatusCode != HttpStatusCode.OK)
            {
                await PushBlobAsync(name, image.ReadBlob(digest));
            }
        }

        return await PushManifestAsync(name, tag ?? image.Tag, image.ManifestBytes);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    public static ByteArrayContent Octets(byte[] content)
    {
        var result = new ByteArrayContent(content);
        result.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return result;
    }

    public static string WithQuery(string url, string query) => url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    /// <summary>A response header wherever HttpClient filed it (response or content headers), unvalidated.</summary>
    public static string? Header(HttpResponseMessage response, string name)
    {
        if (response.Headers.NonValidated.TryGetValues(name, out var values))
        {
            return string.Join(", ", values);
        }

        return response.Content.Headers.NonValidated.TryGetValues(name, out var contentValues)
            ? string.Join(", ", contentValues)
            : null;
    }

    public static string? Location(HttpResponseMessage response) => Header(response, "Location");

    /// <summary>Parses an OCI error body; null when the body is not one.</summary>
    public static async Task<OciError?> ReadErrorAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                return new OciError(
                    first.TryGetProperty("code", out var code) ? code.GetString() ?? "" : "",
                    first.TryGetProperty("message", out var message) ? message.GetString() : null,
                    body);
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>The <c>rel="next"</c> target of a Link header, or null.</summary>
    public static string? NextLink(HttpResponseMessage response)
    {
        var link = Header(response, "Link");
        if (link is null)
        {
            return null;
        }

        var match = NextLinkRegex().Match(link);
        return match.Success ? match.Groups["url"].Value : null;
    }

    /// <summary>Scopes a /v2 path needs: the repository it names (pull,push,delete) or the catalog.</summary>
    public static List<string> ScopesFor(Uri uri)
    {
        var scopes = new List<string>();
        var path = uri.AbsolutePath;
        if (path.StartsWith("/v2/_catalog", StringComparison.Ordinal))
        {
            scopes.Add("registry:catalog:*");
            return scopes;
        }

        var match = RepositoryPathRegex().Match(path);
        if (match.Success)
        {
            scopes.Add($"repository:{Uri.UnescapeDataString(match.Groups["name"].Value)}:pull,push,delete");
        }

        var from = System.Web.HttpUtility.ParseQueryString(uri.Query)["from"];
        if (from is not null)
        {
            scopes.Add($"repository:{from}:pull");
        }

        return scopes;
    }

    public void Dispose() => _http.Dispose();

    private async Task AuthorizeAsync(HttpRequestMessage request, string[] extraScopes)
    {
        if (request.Headers.Authorization is not null || Mode == RegistryAuthMode.None)
        {
            return;
        }

        var uri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(BaseUrl, request.RequestUri);
        if (Mode == RegistryAuthMode.Basic)
        {
            request.Headers.Authorization = ManagementClient.BasicAuth(Username ?? "", Password ?? "");
            return;
        }

        var scopes = ScopesFor(uri);
        scopes.AddRange(extraScopes);
        if (await TryGetTokenAsync([.. scopes]) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    [GeneratedRegex(@"<(?<url>[^>]+)>\s*;\s*rel=""?next""?")]
    private static partial Regex NextLinkRegex();

    [GeneratedRegex(@"^/v2/(?<name>.+)/(manifests|blobs|tags|referrers)/")]
    private static partial Regex RepositoryPathRegex();
}
