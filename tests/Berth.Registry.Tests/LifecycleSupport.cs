using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Microsoft.Data.Sqlite;

namespace Berth.Registry.Tests;

/// <summary>Shared steps of the registry lifecycle tests (reset, delete, allocation, brute force).</summary>
internal static class LifecycleSupport
{
    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="expected"/> (true) or <paramref name="limit"/> passes (false).</summary>
    public static async Task<bool> EventuallyStatusAsync(HttpClient http, string path, HttpStatusCode expected, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(path);
                if (response.StatusCode == expected)
                {
                    return true;
                }
            }
            catch (TaskCanceledException)
            {
                // A check that hangs on the dead endpoint until the client gives up: try again.
            }

            await Task.Delay(250);
        }

        return false;
    }

    /// <summary><c>skopeo login</c> against <paramref name="host"/>; the result says whether the registry accepted the password.</summary>
    public static Task<ProcessResult> LoginAsync(Skopeo skopeo, string host, string username, string password) =>
        skopeo.RunAsync("login", "--tls-verify=false", "--username", username, "--password", password, host);

    /// <summary>
    /// Pulls <paramref name="remote"/> with skopeo into a fresh OCI layout and asserts it is byte-identical to
    /// <paramref name="image"/>: the same manifest digest and bytes, and every blob the same.
    /// </summary>
    public static async Task AssertPullsIdenticalAsync(Skopeo skopeo, string layoutDir, string remote, string creds, OciImage image, string context)
    {
        var pulled = await skopeo.CopyAsync(remote, $"oci:{layoutDir}:pulled", sourceCreds: creds);
        Assert.True(pulled.Succeeded, $"pull of {remote} failed ({context}): {pulled}");
        Assert.Equal(image.ManifestDigest, OciLayout.FindTag(layoutDir, "pulled").Digest);
        Assert.Equal(image.ManifestBytes, File.ReadAllBytes(OciLayout.BlobPath(layoutDir, image.ManifestDigest)));
        foreach (var (digest, size) in image.Blobs)
        {
            var copy = File.ReadAllBytes(OciLayout.BlobPath(layoutDir, digest));
            Assert.Equal(size, copy.LongLength);
            Assert.True(image.ReadBlob(digest).AsSpan().SequenceEqual(copy), $"blob {digest} differs after the pull ({context})");
        }
    }

    /// <summary>
    /// A raw request with HTTP Basic credentials (no token dance, no caching in the client), from the loopback address
    /// <paramref name="from"/> when given (a client of its own, as the server sees it).
    /// </summary>
    public static async Task<HttpResponseMessage> BasicAsync(BerthProcess server, HttpMethod method, string path, string username, string password,
        HttpContent? content = null, IPAddress? from = null)
    {
        using var http = new HttpClient(ClientAddress.Handler(from)) { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = ManagementClient.BasicAuth(username, password);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>A raw request with a bearer token.</summary>
    public static async Task<HttpResponseMessage> BearerAsync(BerthProcess server, HttpMethod method, string path, string token,
        HttpContent? content = null, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>GET /auth/token with Basic credentials: the raw response.</summary>
    public static Task<HttpResponseMessage> TokenRequestAsync(BerthProcess server, string username, string password, string scope, IPAddress? from = null) =>
        BasicAsync(server, HttpMethod.Get, "auth/token?service=berth&scope=" + Uri.EscapeDataString(scope), username, password, from: from);

    /// <summary>A bearer token for <paramref name="scope"/>; asserts the token endpoint grants it.</summary>
    public static async Task<string> TokenAsync(BerthProcess server, string username, string password, string scope)
    {
        using var response = await TokenRequestAsync(server, username, password, scope);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"token request for {username} returned {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("token").GetString()!;
    }

    public static string FullScope(string repository) => $"repository:{repository}:pull,push,delete";

    /// <summary>The registry detail as raw JSON, for before/after comparisons of every field.</summary>
    public static Task<JsonElement> DetailJsonAsync(ManagementClient admin, string registry) =>
        admin.GetRawJsonAsync($"api/v1/registries/{Uri.EscapeDataString(registry)}");

    public static async Task<HttpStatusCode> DetailStatusAsync(ManagementClient admin, string registry)
    {
        using var response = await admin.Http.GetAsync($"api/v1/registries/{Uri.EscapeDataString(registry)}");
        return response.StatusCode;
    }

    /// <summary>POST …/password: asserts 200 and returns the new password.</summary>
    public static async Task<string> ResetPasswordAsync(ManagementClient admin, string registry)
    {
        using var response = await admin.Http.PostAsync($"api/v1/registries/{Uri.EscapeDataString(registry)}/password", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"reset of {registry} returned {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        Assert.Equal(registry, document.RootElement.GetProperty("username").GetString());
        var password = document.RootElement.GetProperty("password").GetString()!;
        Assert.False(string.IsNullOrEmpty(password));
        return password;
    }

    /// <summary>
    /// DELETE /api/v1/registries/{name} with a JSON body <c>{"confirm":…}</c> and/or <c>?confirm=</c>; the raw response.
    /// The body is sent with a Content-Length, or, with <paramref name="chunked"/>, the way HttpClient's
    /// <see cref="JsonContent"/> sends it (streamed: Transfer-Encoding chunked, no Content-Length).
    /// </summary>
    public static async Task<HttpResponseMessage> DeleteRegistryAsync(ManagementClient admin, string registry, string? confirmBody,
        string? confirmQuery = null, bool chunked = false)
    {
        var path = $"api/v1/registries/{Uri.EscapeDataString(registry)}";
        if (confirmQuery is not null)
        {
            path += "?confirm=" + Uri.EscapeDataString(confirmQuery);
        }

        using var request = new HttpRequestMessage(HttpMethod.Delete, path);
        if (confirmBody is not null)
        {
            request.Content = chunked
                ? JsonContent.Create(new { confirm = confirmBody })
                : new StringContent(JsonSerializer.Serialize(new { confirm = confirmBody }), System.Text.Encoding.UTF8, "application/json");
        }

        var response = await admin.Http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public static async Task<List<JsonElement>> AuditAsync(ManagementClient admin, string path)
    {
        var json = await admin.GetRawJsonAsync(path);
        return json.EnumerateArray().ToList();
    }

    public static string? Str(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// Scan rows of a manifest digest in the server's SQLite database, in every registry (read directly: what the API
    /// no longer shows for a deleted registry must be gone from the store too).
    /// </summary>
    public static long CountScanRows(string dataDir, string manifestDigest)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "berth.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM scans WHERE manifest_digest = $digest;";
        command.Parameters.AddWithValue("$digest", manifestDigest);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The blobs the server's SQLite store records for a registry (digest → size), read directly.</summary>
    public static Dictionary<string, long> RecordedBlobs(string dataDir, string registryId)
    {
        using var connection = OpenReadOnly(dataDir);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT digest, size FROM blobs WHERE registry_id = $id;";
        command.Parameters.AddWithValue("$id", registryId);
        using var reader = command.ExecuteReader();
        var blobs = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            blobs[reader.GetString(0)] = reader.GetInt64(1);
        }

        return blobs;
    }

    /// <summary>Whether the store still lists a purge of <paramref name="registryId"/> as pending (table <c>registry_purges</c>).</summary>
    public static bool PurgePending(string dataDir, string registryId)
    {
        using var connection = OpenReadOnly(dataDir);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM registry_purges WHERE registry_id = $id;";
        command.Parameters.AddWithValue("$id", registryId);
        return (long)command.ExecuteScalar()! > 0;
    }

    /// <summary>
    /// The blob store of a registry agrees with itself and with <paramref name="expectedDigests"/>: the metadata records
    /// exactly those blobs, the blob tree on disk holds exactly one file per recorded blob (and nothing else), each
    /// file has its recorded size and hashes to its digest, and the usage the API reports equals a recount of the
    /// files on disk.
    /// </summary>
    public static async Task AssertStoreConsistentAsync(ManagementClient admin, string dataDir, string registryName, string registryId,
        IEnumerable<string> expectedDigests, string context)
    {
        var expected = expectedDigests.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var recorded = RecordedBlobs(dataDir, registryId);
        Assert.True(expected.SequenceEqual(recorded.Keys.Order(StringComparer.Ordinal)),
            $"{context}: recorded blobs [{string.Join(", ", recorded.Keys.Order(StringComparer.Ordinal))}], expected [{string.Join(", ", expected)}]");

        var blobsRoot = Path.Combine(BlobTree.RegistryDir(dataDir, registryId), "blobs");
        var files = Directory.Exists(blobsRoot) ? Directory.GetFiles(blobsRoot, "*", SearchOption.AllDirectories) : [];
        var onDisk = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(blobsRoot, file).Split(Path.DirectorySeparatorChar);
            var isBlob = relative is [_, var prefix, var hex, "data"] && hex.StartsWith(prefix, StringComparison.Ordinal);
            Assert.True(isBlob, $"{context}: unexpected file in the blob tree: {file}");
            onDisk[relative[0] + ":" + relative[2]] = file;
        }

        Assert.True(expected.SequenceEqual(onDisk.Keys.Order(StringComparer.Ordinal)),
            $"{context}: blob files on disk [{string.Join(", ", onDisk.Keys.Order(StringComparer.Ordinal))}], recorded [{string.Join(", ", expected)}]");
        long recount = 0;
        foreach (var (digest, file) in onDisk)
        {
            var length = new FileInfo(file).Length;
            Assert.True(length == recorded[digest], $"{context}: blob {digest} is {length} bytes on disk, recorded as {recorded[digest]}");
            await using var stream = File.OpenRead(file);
            var actual = "sha256:" + Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream));
            Assert.True(actual == digest, $"{context}: the file of blob {digest} hashes to {actual}");
            recount += length;
        }

        var usage = (await admin.GetRegistryAsync(registryName)).StorageUsageBytes;
        Assert.True(usage == recount, $"{context}: storageUsageBytes {usage} != recount {recount} of {onDisk.Count} blob files");
    }

    /// <summary>
    /// A counter of the server's <c>/metrics</c>, summed over its series whose line contains <paramref name="label"/>
    /// (e.g. <c>kind="unreferenced"</c>); 0 before its first count.
    /// </summary>
    public static async Task<double> CounterAsync(BerthProcess server, string name, string label = "")
    {
        var metrics = await MetricsScrape.GetAsync(server.BaseUrl);
        return metrics.Split('\n')
            .Where(l => (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
                && l.Contains(label, StringComparison.Ordinal))
            .Sum(l => double.Parse((l.Contains('}', StringComparison.Ordinal) ? l[(l.LastIndexOf('}') + 1)..] : l[name.Length..]).Trim().Split(' ')[0],
                System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Sends a request; the status and body, or a null status when the connection failed.</summary>
    public static async Task<(int? Status, string Body)> SendCatchingAsync(RegistryClient client, HttpMethod method, string path, HttpContent content)
    {
        try
        {
            using var request = new HttpRequestMessage(method, client.Resolve(path)) { Content = content };
            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.Message);
        }
    }

    private static SqliteConnection OpenReadOnly(string dataDir)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "berth.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>Polls <paramref name="condition"/> every 200 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(200);
        }

        return true;
    }
}
