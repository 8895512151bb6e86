using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Testing;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// The storage hygiene endpoints of the management API (cleanup policy, dry run, runs, immutability, recovery bin) as
/// raw JSON, for tests that check their answers against what the registry holds.
/// </summary>
public sealed class RetentionApi(ManagementClient admin, string registry)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private string Base => $"api/v1/registries/{Uri.EscapeDataString(registry)}";

    public Task SetPolicyAsync(object policy) => SendAsync(HttpMethod.Put, "/cleanup-policy", policy, HttpStatusCode.OK);

    public Task SetImmutabilityAsync(object rules) => SendAsync(HttpMethod.Put, "/immutability", rules, HttpStatusCode.OK);

    public async Task<JsonElement> DryRunAsync() => await SendAsync(HttpMethod.Post, "/cleanup-policy/dry-run", null, HttpStatusCode.OK);

    /// <summary>Starts a run (202) and polls it until it is no longer running; the finished run.</summary>
    public async Task<JsonElement> RunAsync()
    {
        var run = await SendAsync(HttpMethod.Post, "/cleanup-policy/run", null, HttpStatusCode.Accepted);
        var deadline = DateTime.UtcNow + RunTimeout;
        while (run.GetProperty("status").GetString() == "running")
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"cleanup run {run.GetProperty("id")} still running after {RunTimeout}");
            }

            await Task.Delay(200);
            run = await admin.GetRawJsonAsync($"{Base}/cleanup-runs/{run.GetProperty("id").GetInt64()}");
        }

        return run;
    }

    /// <summary>Every entry of the recovery bin, following <c>Link: rel="next"</c>.</summary>
    public Task<List<JsonElement>> DeletedAsync() => AllPagesAsync($"{Base}/deleted?limit=1000");

    public Task RestoreTagAsync(string repository, string tag) =>
        SendAsync(HttpMethod.Post, "/deleted/restore", new { repository, tag }, HttpStatusCode.OK, HttpStatusCode.NoContent);

    /// <summary>Every tag of a repository as (name, digest), following the pages.</summary>
    public async Task<Dictionary<string, string>> TagsAsync(string repository) =>
        (await AllPagesAsync($"{Base}/repositories/{ManagementClient.EscapePath(repository)}/tags?limit=1000"))
        .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("digest").GetString()!, StringComparer.Ordinal);

    public async Task<long> UsageAsync() => (await admin.GetRegistryAsync(registry)).StorageUsageBytes;

    private async Task<List<JsonElement>> AllPagesAsync(string path)
    {
        var items = new List<JsonElement>();
        for (var next = path; next is not null;)
        {
            using var response = await admin.Http.GetAsync(next);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {next}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            items.AddRange(page.RootElement.EnumerateArray().Select(e => e.Clone()));
            next = RegistryClient.NextLink(response)?.TrimStart('/');
        }

        return items;
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, params HttpStatusCode[] expected)
    {
        using var request = new HttpRequestMessage(method, Base + path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await admin.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected.Contains(response.StatusCode), $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
