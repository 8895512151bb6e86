using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using Microsoft.Data.Sqlite;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// Registry access tokens (docs/api.md, "Access tokens") with real clients: the token is the password, the registry's
/// name the username; scopes and repository patterns hold on every /v2 path; expiry, revocation, a password reset
/// (which spares them) and revoke-all (which doesn't); the pull-only Kubernetes secret.
/// </summary>
public sealed class RegistryAccessTokenTests(BerthFixture fixture) : IClassFixture<BerthFixture>, IDisposable
{
    private readonly Podman _podman = new(fixture.NewDir("podman"));

    public void Dispose() => _podman.Dispose();

    [Fact]
    public async Task APullOnlyTokenPullsWithSkopeoAndPodmanButIsDeniedPushAndDelete()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = fixture.BuildImage(seed: 1301, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("app", "v1"));
        (await skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();
        var token = await CreateTokenAsync(registry.Name, new { name = "puller", scopes = new[] { "pull" } });
        var creds = $"{registry.Username}:{token.Token}";

        await AssertPullsIdenticalAsync(skopeo, fixture.NewDir("pull"), remote, creds, image, "pull-only token");
        (await _podman.LoginAsync(fixture.Server.Host, registry.Username, token.Token)).EnsureSuccess();
        (await _podman.PullAsync(registry.Image("app", "v1"))).EnsureSuccess();

        var push = await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app", "v2")), destinationCreds: creds);
        Assert.False(push.Succeeded, "a pull-only token must not push");
        Assert.Contains("denied", push.Stderr, StringComparison.OrdinalIgnoreCase);
        var podmanPush = await _podman.PushAsync(registry.Image("app", "v1"), "docker://" + registry.Image("app", "v3"));
        Assert.False(podmanPush.Succeeded, "a pull-only token must not push with podman");
        var delete = await skopeo.DeleteAsync(remote, creds);
        Assert.False(delete.Succeeded, "a pull-only token must not delete");
        Assert.Contains("denied", delete.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(remote, registry.Creds));

        // On the wire: 403 DENIED, Basic or bearer, for a push and a delete.
        using (var upload = await BasicAsync(fixture.Server, HttpMethod.Post, $"v2/{registry.Repo("app")}/blobs/uploads/", registry.Username, token.Token))
        {
            await OciAssert.ErrorAsync(upload, HttpStatusCode.Forbidden, "DENIED");
        }

        var bearer = await TokenAsync(fixture.Server, registry.Username, token.Token, FullScope(registry.Repo("app")));
        using (var remove = await BearerAsync(fixture.Server, HttpMethod.Delete, $"v2/{registry.Repo("app")}/manifests/{image.ManifestDigest}", bearer))
        {
            await OciAssert.ErrorAsync(remove, HttpStatusCode.Forbidden, "DENIED");
        }

        using (var read = await BearerAsync(fixture.Server, HttpMethod.Get, $"v2/{registry.Repo("app")}/tags/list", bearer))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
    }

    [Fact]
    public async Task APatternLimitedTokenSeesAndPullsOnlyItsRepositoriesCatalogIncluded()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = fixture.BuildImage(seed: 1302, layers: 1, tag: "v1");
        foreach (var repository in new[] { "api/web", "api/worker", "apiary", "lib/base" })
        {
            (await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image(repository, "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        }

        var token = await CreateTokenAsync(registry.Name, new { name = "api-ci", scopes = new[] { "pull", "push" }, repositories = new[] { "api/*" } });
        var creds = $"{registry.Username}:{token.Token}";

        using (var client = new RegistryClient(fixture.Server.BaseUrl, registry.Username, token.Token))
        {
            using var catalog = await client.GetAsync("v2/_catalog");
            Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
            using var json = JsonDocument.Parse(await catalog.Content.ReadAsStringAsync());
            Assert.Equal([registry.Repo("api/web"), registry.Repo("api/worker")],
                json.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!).ToArray());
        }

        Assert.Equal(["v1"], await skopeo.ListTagsAsync(Skopeo.Docker(registry.Endpoint + "/api/web"), creds));
        Assert.False((await skopeo.RunAsync("list-tags", "--tls-verify=false", "--creds", creds, Skopeo.Docker(registry.Endpoint + "/lib/base"))).Succeeded,
            "tags of a repository outside the patterns");
        Assert.False((await skopeo.InspectAsync(Skopeo.Docker(registry.Image("apiary", "v1")), creds)).Succeeded, "a repository outside the patterns");
        (await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("api/new", "v1")), destinationCreds: creds)).EnsureSuccess();
        Assert.False((await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("lib/new", "v1")), destinationCreds: creds)).Succeeded,
            "a push outside the patterns");

        using (var basic = await BasicAsync(fixture.Server, HttpMethod.Get, $"v2/{registry.Repo("lib/base")}/tags/list", registry.Username, token.Token))
        {
            await OciAssert.ErrorAsync(basic, HttpStatusCode.Forbidden, "DENIED");
        }

        using (var referrers = await BasicAsync(fixture.Server, HttpMethod.Get, $"v2/{registry.Repo("lib/base")}/referrers/{image.ManifestDigest}",
                   registry.Username, token.Token))
        {
            await OciAssert.ErrorAsync(referrers, HttpStatusCode.Forbidden, "DENIED");
        }

        // A mount from a repository outside the patterns is no mount: an ordinary upload session starts instead (202),
        // and the blob is not linked; from inside them it mounts (201).
        var layer = image.Layers[0].Digest;
        using (var outside = await BasicAsync(fixture.Server, HttpMethod.Post,
                   $"v2/{registry.Repo("api/mounted")}/blobs/uploads/?mount={layer}&from={registry.Repo("lib/base")}", registry.Username, token.Token))
        {
            Assert.Equal(HttpStatusCode.Accepted, outside.StatusCode);
        }

        using (var inside = await BasicAsync(fixture.Server, HttpMethod.Post,
                   $"v2/{registry.Repo("api/mounted")}/blobs/uploads/?mount={layer}&from={registry.Repo("api/web")}", registry.Username, token.Token))
        {
            Assert.Equal(HttpStatusCode.Created, inside.StatusCode);
        }
    }

    [Fact]
    public async Task AnExpiredTokenFails()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var token = await CreateTokenAsync(registry.Name, new { name = "short", scopes = new[] { "pull" }, expiresInDays = 1 });
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, token.Token));

        // A day later, as far as the server can tell: the row says so (the server reads it again after a restart).
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.Server.DataDir, "berth.db")};Pooling=False;Default Timeout=30"))
        {
            await connection.OpenAsync();
            await using var expire = connection.CreateCommand();
            expire.CommandText = "UPDATE registry_tokens SET expires_at = @past WHERE id = @id;";
            expire.Parameters.AddWithValue("@past", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
            expire.Parameters.AddWithValue("@id", token.Id);
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }

        await fixture.Server.RestartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, token.Token));
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        Assert.False((await LoginAsync(skopeo, fixture.Server.Host, registry.Username, token.Token)).Succeeded, "an expired token must not log in");
        var listed = Assert.Single(await ListTokensAsync(registry.Name));
        Assert.Equal("expired", listed.GetProperty("state").GetString());
    }

    [Fact]
    public async Task ARevokedTokenAndTheBearerTokensIssuedFromItFailAtOnce()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var token = await CreateTokenAsync(registry.Name, new { name = "gone", scopes = new[] { "pull" } });
        var bearer = await TokenAsync(fixture.Server, registry.Username, token.Token, $"repository:{registry.Repo("app")}:pull");
        var refresh = await RefreshTokenAsync(registry.Username, token.Token);
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, token.Token));
        using (var before = await BearerAsync(fixture.Server, HttpMethod.Get, $"v2/{registry.Repo("app")}/tags/list", bearer))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        using (var revoke = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/tokens/{token.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, token.Token));
        using (var after = await BearerAsync(fixture.Server, HttpMethod.Get, $"v2/{registry.Repo("app")}/tags/list", bearer))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }

        using (var refreshed = await PostTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["service"] = "berth" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refreshed.StatusCode);
        }

        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        Assert.False((await skopeo.InspectAsync(Skopeo.Docker(registry.Image("app", "v1")), $"{registry.Username}:{token.Token}")).Succeeded);
        Assert.Empty(await ListTokensAsync(registry.Name));
        using (var again = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/tokens/{token.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task ATokenSurvivesAPasswordResetWhichNamesItAndDiesOnRevokeAll()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = fixture.BuildImage(seed: 1303, layers: 1, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("app", "v1"));
        (await skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();
        var token = await CreateTokenAsync(registry.Name, new { name = "ci", scopes = new[] { "pull", "push" } });
        var creds = $"{registry.Username}:{token.Token}";
        var bearer = await TokenAsync(fixture.Server, registry.Username, token.Token, $"repository:{registry.Repo("app")}:pull");

        using (var reset = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/password", null))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            using var json = JsonDocument.Parse(await reset.Content.ReadAsStringAsync());
            var kept = Assert.Single(json.RootElement.GetProperty("accessTokensStillValid").EnumerateArray());
            Assert.Equal((token.Id, "ci", "pull,push"), (kept.GetProperty("id").GetString(), kept.GetProperty("name").GetString(),
                string.Join(',', kept.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()))));
        }

        Assert.False((await skopeo.InspectAsync(remote, registry.Creds)).Succeeded, "the old password after a reset");
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(remote, creds));
        using (var still = await BearerAsync(fixture.Server, HttpMethod.Get, $"v2/{registry.Repo("app")}/tags/list", bearer))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        string newPassword;
        using (var revokeAll = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/credentials/revoke-all", null))
        {
            Assert.Equal(HttpStatusCode.OK, revokeAll.StatusCode);
            using var json = JsonDocument.Parse(await revokeAll.Content.ReadAsStringAsync());
            newPassword = json.RootElement.GetProperty("password").GetString()!;
            Assert.Equal(1, json.RootElement.GetProperty("revokedTokenCount").GetInt32());
            Assert.Equal(token.Id, Assert.Single(json.RootElement.GetProperty("revokedTokens").EnumerateArray()).GetProperty("id").GetString());
        }

        Assert.False((await skopeo.InspectAsync(remote, creds)).Succeeded, "a token after revoke-all");
        using (var dead = await BearerAsync(fixture.Server, HttpMethod.Get, $"v2/{registry.Repo("app")}/tags/list", bearer))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, dead.StatusCode);
        }

        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(remote, $"{registry.Username}:{newPassword}"));
        var actions = (await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit")).Select(e => Str(e, "action")).ToList();
        Assert.Contains("registry.token.created", actions);
        Assert.Contains("registry.token.first_used", actions);
        Assert.Contains("registry.credentials.revoked_all", actions);
        Assert.Single(actions, a => a == "registry.token.first_used");
    }

    [Fact]
    public async Task TheDefaultPullSecretEmbedsAPullOnlyTokenThatPullsAndCannotPush()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = fixture.BuildImage(seed: 1304, layers: 1, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("app", "v1"));
        (await skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();

        string Secret(string yaml)
        {
            const string Key = ".dockerconfigjson:";
            var line = yaml.Split('\n').Single(l => l.TrimStart().StartsWith(Key, StringComparison.Ordinal));
            using var config = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(line.Trim()[Key.Length..].Trim())));
            var entry = config.RootElement.GetProperty("auths").GetProperty(fixture.Server.Host);
            Assert.Equal(registry.Username, entry.GetProperty("username").GetString());
            return entry.GetProperty("password").GetString()!;
        }

        var path = $"api/v1/registries/{registry.Name}/kubernetes-secret";
        using var first = await fixture.Admin.Http.PostAsJsonAsync(path, new { @namespace = "shop", secretName = "pull" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var token = Secret(await first.Content.ReadAsStringAsync());
        Assert.StartsWith("berth_rt_", token, StringComparison.Ordinal);

        // What kubectl would make of the same credentials, used as a kubelet would: pulls, can't push.
        var kubectl = (await ProcessRunner.RunAsync("kubectl",
        [
            "create", "secret", "docker-registry", "pull", "--namespace", "shop",
            $"--docker-server={fixture.Server.Host}", $"--docker-username={registry.Username}", $"--docker-password={token}",
            "--dry-run=client", "-o", "json",
        ])).EnsureSuccess();
        Assert.Contains("kubernetes.io/dockerconfigjson", kubectl.Stdout, StringComparison.Ordinal);
        var creds = $"{registry.Username}:{token}";
        await AssertPullsIdenticalAsync(skopeo, fixture.NewDir("pull"), remote, creds, image, "pull secret token");
        Assert.False((await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app", "v2")), destinationCreds: creds)).Succeeded,
            "the pull secret must not push");
        Assert.False((await skopeo.DeleteAsync(remote, creds)).Succeeded, "the pull secret must not delete");

        // A second secret of the same name gets a token of its own; the password still works for both.
        using var second = await fixture.Admin.Http.PostAsJsonAsync(path, new { @namespace = "shop", secretName = "pull" });
        Assert.NotEqual(token, Secret(await second.Content.ReadAsStringAsync()));
        var listed = await ListTokensAsync(registry.Name);
        Assert.Equal(["k8s-shop-pull", "k8s-shop-pull-2"], listed.Select(t => t.GetProperty("name").GetString()!).Order().ToArray());
        Assert.All(listed, t => Assert.Equal(["pull"], t.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray()));
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(remote, registry.Creds));
    }

    [Fact]
    public async Task TheApiValidatesListsAndProtectsTokens()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var path = $"api/v1/registries/{registry.Name}/tokens";
        foreach (var bad in new object[]
                 {
                     new { name = "x", scopes = new[] { "pull", "admin" } },
                     new { name = "x", scopes = Array.Empty<string>() },
                     new { name = "x", scopes = new[] { "Pull" } },
                     new { name = "", scopes = new[] { "pull" } },
                     new { name = new string('n', 101), scopes = new[] { "pull" } },
                     new { name = "x", scopes = new[] { "pull" }, repositories = new[] { "API/*" } },
                     new { name = "x", scopes = new[] { "pull" }, repositories = new[] { "/a" } },
                     new { name = "x", scopes = new[] { "pull" }, expiresInDays = 0 },
                     new { name = "x", scopes = new[] { "pull" }, expiresInDays = 3651 },
                 })
        {
            using var response = await fixture.Admin.Http.PostAsJsonAsync(path, bad);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(bad)}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using (var created = await fixture.Admin.Http.PostAsJsonAsync(path, new { name = "k8s-prod", scopes = new[] { "pull" }, repositories = new[] { "api/*" }, expiresInDays = 90 }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
            using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            var root = json.RootElement;
            Assert.Equal(["id", "name", "token", "scopes", "repositories", "createdAt", "expiresAt"], root.EnumerateObject().Select(p => p.Name).ToArray());
            var createdAt = root.GetProperty("createdAt").GetDateTimeOffset();
            Assert.Equal(createdAt.AddDays(90), root.GetProperty("expiresAt").GetDateTimeOffset());
            Assert.Equal(["api/*"], root.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!).ToArray());

            using var from = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, root.GetProperty("token").GetString()!, from: ClientAddress.Loopback(4));
            Assert.Equal(HttpStatusCode.OK, from.StatusCode);
        }

        using (var duplicate = await fixture.Admin.Http.PostAsJsonAsync(path, new { name = "k8s-prod", scopes = new[] { "push" } }))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }

        var listed = Assert.Single(await ListTokensAsync(registry.Name));
        Assert.Equal(["id", "name", "scopes", "repositories", "createdAt", "expiresAt", "lastUsedAt", "lastUsedFrom", "state"],
            listed.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(("active", "127.0.0.4"), (listed.GetProperty("state").GetString(), listed.GetProperty("lastUsedFrom").GetString()));
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("lastUsedAt").ValueKind);
        Assert.DoesNotContain("berth_rt_", listed.ToString(), StringComparison.Ordinal);

        using (var unknown = await fixture.Admin.Http.DeleteAsync($"{path}/0123456789abcdef"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // A token of one registry is no credential for another, and a malformed one is just a wrong password.
        var other = await fixture.NewRegistryAsync("rt");
        var token = await CreateTokenAsync(registry.Name, new { name = "mine", scopes = new[] { "pull" } });
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(other.Username, token.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, token.Token[..^1] + "0"));
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, "berth_rt_nonsense"));
    }

    [Fact]
    public async Task ProjectRolesDecideWhoListsAndWhoManagesTokens()
    {
        var registry = await fixture.NewRegistryAsync("rt");
        var token = await CreateTokenAsync(registry.Name, new { name = "ci", scopes = new[] { "pull" } });
        const string Password = "correct horse battery";
        var developer = Names.Unique("dev");
        (await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username = developer, password = Password })).EnsureSuccessStatusCode();
        (await fixture.Admin.Http.PutAsJsonAsync($"api/v1/projects/{registry.Project}/members/{developer}", new { role = "developer" })).EnsureSuccessStatusCode();
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        http.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(developer, Password);
        var path = $"api/v1/registries/{registry.Name}";

        // A developer sees the tokens (never a secret) but can't create, revoke or revoke all: owners do.
        using (var list = await http.GetAsync($"{path}/tokens"))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }

        using (var create = await http.PostAsJsonAsync($"{path}/tokens", new { name = "mine", scopes = new[] { "push" } }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        }

        using (var revoke = await http.DeleteAsync($"{path}/tokens/{token.Id}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, revoke.StatusCode);
        }

        using (var revokeAll = await http.PostAsync($"{path}/credentials/revoke-all", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, revokeAll.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, token.Token));
    }

    internal sealed record CreatedToken(string Id, string Token);

    private async Task<CreatedToken> CreateTokenAsync(string registry, object body)
    {
        using var response = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry}/tokens", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new CreatedToken(json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("token").GetString()!);
    }

    private async Task<List<JsonElement>> ListTokensAsync(string registry)
    {
        using var json = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync($"api/v1/registries/{registry}/tokens"));
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private async Task<HttpStatusCode> BasicStatusAsync(string username, string password)
    {
        using var response = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", username, password);
        return response.StatusCode;
    }

    private async Task<string> RefreshTokenAsync(string username, string password)
    {
        using var response = await PostTokenAsync(new()
        {
            ["grant_type"] = "password", ["username"] = username, ["password"] = password, ["service"] = "berth",
            ["access_type"] = "offline", ["client_id"] = "berth-tests",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var refresh = json.RootElement.GetProperty("refresh_token").GetString()!;

        // The refresh token works while the access token does.
        using var refreshed = await PostTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["service"] = "berth" });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        return refresh;
    }

    private async Task<HttpResponseMessage> PostTokenAsync(Dictionary<string, string> form)
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        var response = await http.PostAsync("auth/token", new FormUrlEncodedContent(form));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
