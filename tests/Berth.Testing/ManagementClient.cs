using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Testing;

public sealed record ProjectInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("registryCount")] int RegistryCount);

/// <summary>The response of <c>POST …/registries</c>: the only one that carries the password.</summary>
public sealed record CreatedRegistry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("password")] string Password)
{
    /// <summary><c>user:password</c> for skopeo's <c>--creds</c> options.</summary>
    public string Creds => Username + ":" + Password;

    /// <summary>The image reference of a repository in this registry, e.g. <c>127.0.0.1:5000/reg/app:1</c>.</summary>
    public string Image(string repository, string tag) => $"{Endpoint}/{repository}:{tag}";

    /// <summary>The full /v2 repository name, e.g. <c>reg/app</c>.</summary>
    public string Repo(string repository) => $"{Name}/{repository}";
}

public sealed record RegistryDetail(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("storageUsageBytes")] long StorageUsageBytes,
    [property: JsonPropertyName("storageLimitBytes")] long StorageLimitBytes,
    [property: JsonPropertyName("repositoryCount")] int RepositoryCount,
    [property: JsonPropertyName("uploadBytes")] long UploadBytes);

public sealed record RepositoryInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("tagCount")] int TagCount,
    [property: JsonPropertyName("artifactCount")] int ArtifactCount,
    [property: JsonPropertyName("sizeBytes")] long SizeBytes);

public sealed record TagInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("digest")] string Digest);

/// <summary>Typed access to the management API (<c>/api/v1</c>) as the administrator.</summary>
public sealed class ManagementClient : IDisposable
{
    private readonly HttpClient _http;

    public ManagementClient(Uri baseUrl, string username, string password)
    {
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = baseUrl };
        _http.DefaultRequestHeaders.Authorization = BasicAuth(username, password);
    }

    public HttpClient Http => _http;

    public static AuthenticationHeaderValue BasicAuth(string username, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password)));

    public async Task<ProjectInfo> CreateProjectAsync(string name)
    {
        using var response = await _http.PostAsJsonAsync("api/v1/projects", new { name });
        await EnsureStatusAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<ProjectInfo>())!;
    }

    public async Task<CreatedRegistry> CreateRegistryAsync(string project, string name)
    {
        using var response = await _http.PostAsJsonAsync($"api/v1/projects/{Uri.EscapeDataString(project)}/registries", new { name });
        await EnsureStatusAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<CreatedRegistry>())!;
    }

    /// <summary>Creates a fresh project and a registry in it, both with unique names.</summary>
    public async Task<CreatedRegistry> CreateProjectAndRegistryAsync(string prefix = "t")
    {
        var project = await CreateProjectAsync(Names.Unique(prefix + "p"));
        return await CreateRegistryAsync(project.Name, Names.Unique(prefix + "r"));
    }

    public async Task<RegistryDetail> GetRegistryAsync(string name) =>
        await GetJsonAsync<RegistryDetail>($"api/v1/registries/{Uri.EscapeDataString(name)}");

    public async Task<IReadOnlyList<RegistryDetail>> ListRegistriesAsync(string project) =>
        await GetJsonAsync<List<RegistryDetail>>($"api/v1/projects/{Uri.EscapeDataString(project)}/registries");

    public async Task<IReadOnlyList<RepositoryInfo>> ListRepositoriesAsync(string registry) =>
        await GetJsonAsync<List<RepositoryInfo>>($"api/v1/registries/{Uri.EscapeDataString(registry)}/repositories");

    /// <summary>Tags of a repository; <paramref name="repository"/> may contain '/' and is sent as path segments.</summary>
    public async Task<IReadOnlyList<TagInfo>> ListTagsAsync(string registry, string repository) =>
        await GetJsonAsync<List<TagInfo>>(
            $"api/v1/registries/{Uri.EscapeDataString(registry)}/repositories/{EscapePath(repository)}/tags");

    public async Task<T> GetJsonAsync<T>(string path)
    {
        using var response = await _http.GetAsync(path);
        await EnsureStatusAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    public async Task<JsonElement> GetRawJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        await EnsureStatusAsync(response, HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    public void Dispose() => _http.Dispose();

    private static async Task EnsureStatusAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} returned {(int)response.StatusCode} "
                + $"(expected {(int)expected}): {body}");
        }
    }
}
