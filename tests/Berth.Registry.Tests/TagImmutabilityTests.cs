using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// Issue 14, section 4, with real clients: a protected tag can be created and pushed again with the same image, but
/// not moved (skopeo fails, a raw PUT is 403 DENIED naming the rule) nor deleted (/v2 403, API 409), with the
/// manifest carrying it or the repository holding it; the excluded <c>latest</c> moves and deletes. Two pushes racing
/// to create a protected tag: exactly one wins. The rules API validates every field.
/// </summary>
public sealed class TagImmutabilityTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private const string RuleText = "rule 1: repositories \"**\", tagPattern \".*\", excludeTagPattern \"^latest$\"";

    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    [Fact]
    public async Task AProtectedTagRefusesOverwritesAndDeletesWhileTheExcludedLatestMoves()
    {
        var registry = await fixture.NewRegistryAsync("im");
        await SetRulesAsync(registry.Name, """{"rules":[{"repositories":"**","tagPattern":".*","excludeTagPattern":"^latest$"}]}""");
        var first = fixture.BuildImage(seed: 14401, layers: 1, tag: "v1");
        var second = fixture.BuildImage(seed: 14402, layers: 1, tag: "v1");

        foreach (var tag in new[] { "v1", "latest" })
        {
            (await _skopeo.CopyAsync(first.OciReference, Skopeo.Docker(registry.Image("app", tag)), destinationCreds: registry.Creds)).EnsureSuccess();
        }

        // The same image again is no move.
        (await _skopeo.CopyAsync(first.OciReference, Skopeo.Docker(registry.Image("app", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();

        var refused = await _skopeo.CopyAsync(second.OciReference, Skopeo.Docker(registry.Image("app", "v1")), destinationCreds: registry.Creds);
        Assert.False(refused.Succeeded, "skopeo moved an immutable tag: " + refused);
        Assert.Contains("immutable", refused.Stderr, StringComparison.Ordinal);

        using var client = fixture.Client(registry);
        using (var put = await client.PutManifestAsync(registry.Repo("app"), "v1", second.ManifestBytes))
        {
            Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
            var error = await RegistryClient.ReadErrorAsync(put);
            Assert.Equal("DENIED", error?.Code);
            Assert.Equal($"tag \"v1\" is immutable ({RuleText})", error?.Message);
        }

        // The excluded tag moves; the protected one still names the first image.
        (await _skopeo.CopyAsync(second.OciReference, Skopeo.Docker(registry.Image("app", "latest")), destinationCreds: registry.Creds)).EnsureSuccess();
        Assert.Equal(first.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("app", "v1")), registry.Creds));
        Assert.Equal(second.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("app", "latest")), registry.Creds));

        // Deletes: the tag itself, the manifest carrying it (skopeo delete resolves the tag to the digest), by /v2 ...
        foreach (var reference in new[] { "v1", first.ManifestDigest })
        {
            using var delete = await client.DeleteAsync($"v2/{registry.Repo("app")}/manifests/{reference}");
            Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
            Assert.Contains("tag \"v1\" is immutable", (await RegistryClient.ReadErrorAsync(delete))?.Message, StringComparison.Ordinal);
        }

        Assert.False((await _skopeo.DeleteAsync(Skopeo.Docker(registry.Image("app", "v1")), registry.Creds)).Succeeded);

        // ... and by the API, which answers 409 naming the rule; the repository holding it can't be deleted either.
        var repository = $"api/v1/registries/{registry.Name}/repositories/app";
        foreach (var path in new[] { $"{repository}/tags/v1", $"{repository}/manifests/{first.ManifestDigest}", repository })
        {
            using var delete = await fixture.Admin.Http.DeleteAsync(path);
            Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
            var problem = await delete.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(($"tag \"v1\" is immutable ({RuleText})", "Tag is immutable"), (Str(problem, "detail"), Str(problem, "title")));
        }

        Assert.Equal(first.ManifestDigest, await _skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("app", "v1")), registry.Creds));

        // The excluded tag deletes, and its manifest too once no protected tag is on it.
        using (var untag = await client.DeleteAsync($"v2/{registry.Repo("app")}/manifests/latest"))
        {
            Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
        }

        using (var delete = await client.DeleteAsync($"v2/{registry.Repo("app")}/manifests/{second.ManifestDigest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        // Without rules the tag is an ordinary one again.
        await SetRulesAsync(registry.Name, """{"rules":[]}""");
        using (var untag = await client.DeleteAsync($"v2/{registry.Repo("app")}/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
        }

        var updates = (await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit")).Where(e => Str(e, "action") == "immutability.updated").ToList();
        Assert.Equal(2, updates.Count);
        Assert.Contains(updates, e => Str(e, "detail") == RuleText);
    }

    [Fact]
    public async Task TwoPushesRacingToCreateAProtectedTagHaveExactlyOneWinner()
    {
        var registry = await fixture.NewRegistryAsync("ir");
        await SetRulesAsync(registry.Name, """{"rules":[{"repositories":"race","tagPattern":"^r"}]}""");
        using var client = fixture.Client(registry);
        var name = registry.Repo("race");
        var a = await ImageContent.PushSmallImageAsync(client, name, "a");
        var b = await ImageContent.PushSmallImageAsync(client, name, "b");

        for (var round = 0; round < 12; round++)
        {
            var tag = $"r{round}";
            using var barrier = new Barrier(2);
            var pushes = new[] { a, b }.Select(image => Task.Run(async () =>
            {
                barrier.SignalAndWait();
                using var put = await client.PutManifestAsync(name, tag, image.Manifest);
                return (Image: image, put.StatusCode, Error: await RegistryClient.ReadErrorAsync(put));
            })).ToList();
            var results = await Task.WhenAll(pushes);

            var winner = Assert.Single(results, r => r.StatusCode == HttpStatusCode.Created);
            var loser = Assert.Single(results, r => r.StatusCode != HttpStatusCode.Created);
            Assert.Equal((HttpStatusCode.Forbidden, "DENIED"), (loser.StatusCode, loser.Error?.Code));
            using var get = await client.GetManifestAsync(name, tag);
            Assert.Equal(winner.Image.Digest, RegistryClient.Header(get, "Docker-Content-Digest"));
        }
    }

    [Fact]
    public async Task TheRulesApiValidatesEveryFieldAndReturnsWhatItStored()
    {
        var registry = await fixture.NewRegistryAsync("iv");
        var path = $"api/v1/registries/{registry.Name}/immutability";

        var empty = await fixture.Admin.GetRawJsonAsync(path);
        Assert.Equal(0, empty.GetProperty("rules").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("updatedAt").ValueKind);

        await AssertInvalidAsync(path, """{"rules":[{"repositories":"**","tagPattern":"("}]}""", "rules[0].tagPattern");
        await AssertInvalidAsync(path, """{"rules":[{"repositories":"**"},{"tagPattern":"^v"}]}""", "rules[1].repositories");
        await AssertInvalidAsync(path, """{"rules":[{"repositories":"**","excludeTagPattern":"(?=x)"}]}""", "rules[0].excludeTagPattern");
        var tooMany = JsonSerializer.Serialize(new { rules = Enumerable.Range(0, 51).Select(_ => new { repositories = "**" }) });
        await AssertInvalidAsync(path, tooMany, "rules");

        await SetRulesAsync(registry.Name, """{"rules":[{"repositories":"app/*","tagPattern":"^v[0-9]"},{"repositories":"**","excludeTagPattern":"-dev$"}]}""");
        var stored = await fixture.Admin.GetRawJsonAsync(path);
        var rules = stored.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(2, rules.Count);
        Assert.Equal(("app/*", "^v[0-9]"), (Str(rules[0], "repositories"), Str(rules[0], "tagPattern")));
        Assert.Equal(("**", "-dev$"), (Str(rules[1], "repositories"), Str(rules[1], "excludeTagPattern")));
        Assert.Equal(JsonValueKind.String, stored.GetProperty("updatedAt").ValueKind);
    }

    private async Task SetRulesAsync(string registry, string json)
    {
        using var response = await fixture.Admin.Http.PutAsync($"api/v1/registries/{registry}/immutability",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task AssertInvalidAsync(string path, string json, string field)
    {
        using var response = await fixture.Admin.Http.PutAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, Str(problem, "field"));
        Assert.StartsWith(field, Str(problem, "detail"), StringComparison.Ordinal);
    }
}
