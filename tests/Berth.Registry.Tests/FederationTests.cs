using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>Berth trusting a test OIDC issuer on 127.0.0.1, whose keys it may fetch again every 2 s.</summary>
public sealed class FederationFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["Berth__Federation__AllowHttpLoopbackIssuers"] = "true",
        ["Berth__Federation__KeyRefreshInterval"] = "00:00:02",

        // The refusal tests fail on purpose many times from one address; the throttle has tests of its own.
        ["Berth__Auth__FailedLoginsBeforeDelay"] = "1000",
        ["Berth__Auth__MaxFailedLoginsPerAddress"] = "100000",
    };
}

/// <summary>
/// Workload identity federation end to end: ID tokens of a real (test) OIDC issuer sign in with skopeo and podman,
/// are exchanged for registry tokens, are limited to their rule's scopes and repositories, and are refused for every
/// way a token can be wrong; a rotated key is picked up, and a deleted rule's tokens die.
/// </summary>
public sealed class FederationTests(FederationFixture fixture) : IClassFixture<FederationFixture>, IDisposable
{
    private const string Audience = "berth";

    private static readonly Dictionary<string, object> MainBranch = new() { ["repository"] = "acme/app", ["ref"] = "refs/heads/main" };

    private readonly List<IAsyncDisposable> _issuers = [];
    private readonly HttpClient _http = new() { BaseAddress = fixture.Server.BaseUrl };

    public void Dispose()
    {
        _http.Dispose();
        foreach (var issuer in _issuers)
        {
            issuer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Fact]
    public async Task AnRs256IdTokenPushesAndPullsWithSkopeoAndAnEs256OnePulls()
    {
        var (registry, issuer, _) = await SetUpAsync(["pull", "push"], ["app/*"]);
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = fixture.BuildImage(seed: 1301, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("app/web", "v1"));

        var rsa = issuer.IdToken(Audience, MainBranch);
        (await skopeo.CopyAsync(image.OciReference, remote, destinationCreds: $"{registry.Name}:{rsa}")).EnsureSuccess();
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(remote, $"{registry.Name}:{rsa}"));

        var ec = issuer.IdToken(Audience, MainBranch, issuer.EcKeyId);
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(remote, $"{registry.Name}:{ec}"));

        // The ID token is the registry's password only: with another username it is nothing.
        Assert.False((await skopeo.InspectAsync(remote, $"someone:{rsa}")).Succeeded);
    }

    [Fact]
    public async Task PodmanLogsInPushesAndPullsWithAnIdToken()
    {
        var (registry, issuer, _) = await SetUpAsync(["pull", "push"], null);
        using var podman = new Podman(fixture.NewDir("podman"));
        var image = fixture.BuildImage(seed: 1302, layers: 2, tag: "v1");

        (await podman.LoginAsync(fixture.Server.Host, registry.Name, issuer.IdToken(Audience, MainBranch))).EnsureSuccess();
        (await podman.PullAsync(image.OciReference)).EnsureSuccess();
        var reference = registry.Image("ci/app", "v1");
        (await podman.TagAsync(image.ImageId, reference)).EnsureSuccess();
        (await podman.PushAsync(reference, "docker://" + reference, Path.Combine(fixture.NewDir("digest"), "digest"))).EnsureSuccess();
        (await podman.RmiAsync(image.ImageId)).EnsureSuccess();

        (await podman.PullAsync(reference)).EnsureSuccess();
        Assert.Equal(image.ImageId, await podman.InspectAsync(reference, "{{.Id}}"));
    }

    [Fact]
    public async Task TheExchangedRegistryTokenIsABearerTokenAndAPassword()
    {
        var (registry, issuer, _) = await SetUpAsync(["pull", "push"], ["app/*"], lifetimeMinutes: 10);
        var (token, expiresIn) = await ExchangeAsync(registry.Name, issuer.IdToken(Audience, MainBranch, lifetime: TimeSpan.FromHours(1)));

        // The rule's lifetime, not the ID token's hour.
        Assert.InRange(expiresIn, 540, 600);
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = fixture.BuildImage(seed: 1303, layers: 1, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("app/api", "v1"));
        (await skopeo.CopyAsync(image.OciReference, remote, destinationCreds: $"{registry.Name}:{token}")).EnsureSuccess();
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(remote, $"{registry.Name}:{token}"));

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        Assert.Equal(HttpStatusCode.OK, await BearerStatusAsync(http, $"/v2/{registry.Repo("app/api")}/tags/list", token));

        // /auth/token's bearer lasts as long as the sign-in (not Berth:Auth:TokenLifetime's 5 minutes), with no refresh token (which would outlive it), whether the
        // password is the ID token or the registry token.
        foreach (var password in new[] { issuer.IdToken(Audience, MainBranch, lifetime: TimeSpan.FromHours(1)), token })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"/auth/token?service=berth&offline_token=true&scope={Uri.EscapeDataString($"repository:{registry.Repo("app/api")}:pull")}");
            request.Headers.Authorization = ManagementClient.BasicAuth(registry.Name, password);
            using var response = await _http.SendAsync(request);
            var json = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, json);
            using var answer = JsonDocument.Parse(json);
            Assert.InRange(answer.RootElement.GetProperty("expires_in").GetInt32(), 500, 600);
            Assert.False(answer.RootElement.TryGetProperty("refresh_token", out _), "a federated sign-in gets no refresh token");
        }

        // A short ID token bounds the registry token.
        var (_, shortExpiry) = await ExchangeAsync(registry.Name, issuer.IdToken(Audience, MainBranch, lifetime: TimeSpan.FromMinutes(2)));
        Assert.InRange(shortExpiry, 100, 180);
    }

    [Fact]
    public async Task TheExchangeRefusesMalformedRequestsWithOAuthErrors()
    {
        var registry = await fixture.NewRegistryAsync("fedbad");
        var bodies = new (string Why, HttpContent? Body, HttpStatusCode Expected)[]
        {
            ("no body", null, HttpStatusCode.BadRequest),
            ("text", new StringContent("registry=x&token=y"), HttpStatusCode.BadRequest),
            ("broken JSON", new StringContent("{\"registry\":", System.Text.Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest),
            ("a JSON array", JsonContent.Create(new[] { registry.Name }), HttpStatusCode.BadRequest),
            ("no token", JsonContent.Create(new { registry = registry.Name }), HttpStatusCode.BadRequest),
            ("a number for the token", new StringContent($"{{\"registry\":\"{registry.Name}\",\"token\":5}}", System.Text.Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest),
            ("too large", JsonContent.Create(new { registry = registry.Name, token = new string('a', 100_000) }), HttpStatusCode.BadRequest),
            ("not a token", JsonContent.Create(new { registry = registry.Name, token = registry.Password }), HttpStatusCode.Unauthorized),
        };
        foreach (var (why, body, expected) in bodies)
        {
            using var response = await _http.PostAsync("/auth/federation/token", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{why}: {(int)response.StatusCode} {text}");
            using var json = JsonDocument.Parse(text);
            Assert.True(json.RootElement.TryGetProperty("error", out _), $"{why}: {text}");
            Assert.True(json.RootElement.TryGetProperty("errors", out _), $"{why}: {text}");
        }
    }

    [Fact]
    public async Task TheRulesRepositoryPatternsAndScopesLimitTheSignIn()
    {
        var (registry, issuer, _) = await SetUpAsync(["pull", "push"], ["app/*"]);
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var image = fixture.BuildImage(seed: 1304, layers: 1, tag: "v1");
        (await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("other/x", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        (await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("app/y", "v1")), destinationCreds: registry.Creds)).EnsureSuccess();
        var idToken = issuer.IdToken(Audience, MainBranch);
        var creds = $"{registry.Name}:{idToken}";

        Assert.False((await skopeo.CopyAsync(image.OciReference, Skopeo.Docker(registry.Image("other/z", "v1")), destinationCreds: creds)).Succeeded,
            "a push outside the rule's repositories must fail");
        Assert.False((await skopeo.InspectAsync(Skopeo.Docker(registry.Image("other/x", "v1")), creds)).Succeeded,
            "a pull outside the rule's repositories must fail");
        Assert.Equal(image.ManifestDigest, await skopeo.InspectDigestAsync(Skopeo.Docker(registry.Image("app/y", "v1")), creds));
        Assert.False((await skopeo.DeleteAsync(Skopeo.Docker(registry.Image("app/y", "v1")), creds)).Succeeded, "the rule grants no delete");

        // Straight on /v2 (Basic, or the exchanged registry token as a bearer): outside the patterns the answer is final,
        // 403 DENIED (no other token would help); the catalog shows only what the rule covers.
        using var basic = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        basic.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(registry.Name, idToken);
        Assert.Equal(HttpStatusCode.OK, (await basic.GetAsync($"/v2/{registry.Repo("app/y")}/tags/list")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await basic.GetAsync($"/v2/{registry.Repo("other/x")}/tags/list")).StatusCode);

        var (token, _) = await ExchangeAsync(registry.Name, idToken);
        using var bearer = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync($"/v2/{registry.Repo("app/y")}/tags/list")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bearer.GetAsync($"/v2/{registry.Repo("other/x")}/tags/list")).StatusCode);
        using var catalog = JsonDocument.Parse(await bearer.GetStringAsync("/v2/_catalog"));
        Assert.Equal([registry.Repo("app/y")], catalog.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task TokensThatAreWrongInAnyWayAreRefused()
    {
        var (registry, issuer, _) = await SetUpAsync(["pull"], null);
        await using var stranger = await TestOidcIssuer.StartAsync();
        var unknownKid = issuer.AddKey(TestOidcIssuer.Rs256, published: false);

        // The right token signs in (so the refusals below are for what each changes).
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(registry.Name, issuer.IdToken(Audience, MainBranch)));

        var wrong = new Dictionary<string, string>
        {
            ["another issuer"] = stranger.IdToken(Audience, MainBranch),
            ["iss claimed but signed by another issuer"] = stranger.IdToken(Audience, With(MainBranch, "iss", issuer.Issuer)),
            ["wrong audience"] = issuer.IdToken("not-berth", MainBranch),
            ["claim mismatch"] = issuer.IdToken(Audience, With(MainBranch, "ref", "refs/heads/feature")),
            ["claim missing"] = issuer.IdToken(Audience, new Dictionary<string, object> { ["repository"] = "acme/app" }),
            ["expired"] = issuer.IdToken(Audience, MainBranch, lifetime: TimeSpan.FromMinutes(-10)),
            ["not valid yet"] = issuer.IdToken(Audience, With(MainBranch, "nbf", DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds())),
            ["alg none"] = issuer.UnsignedIdToken(Audience, MainBranch),
            ["HS256 with the public key"] = issuer.Hs256WithPublicKey(Audience, MainBranch),
            ["unknown key"] = issuer.IdToken(Audience, MainBranch, unknownKid),
        };
        foreach (var (why, token) in wrong)
        {
            Assert.True(await TokenStatusAsync(registry.Name, token) == HttpStatusCode.Unauthorized, $"{why}: /auth/token must refuse it");
            using var basic = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
            basic.DefaultRequestHeaders.Authorization = ManagementClient.BasicAuth(registry.Name, token);
            Assert.True((await basic.GetAsync($"/v2/{registry.Repo("app")}/tags/list")).StatusCode == HttpStatusCode.Unauthorized,
                $"{why}: Basic on /v2 must refuse it");
            using var exchange = await PostExchangeAsync(registry.Name, token);
            Assert.True(exchange.StatusCode == HttpStatusCode.Unauthorized, $"{why}: the exchange must refuse it");
        }
    }

    [Fact]
    public async Task UnknownKeysRefreshTheJwksAtMostOncePerIntervalAndARotatedKeyIsPickedUp()
    {
        var (registry, issuer, _) = await SetUpAsync(["pull"], null);
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(registry.Name, issuer.IdToken(Audience, MainBranch)));
        var fetched = issuer.JwksRequests;

        // Made-up key ids, many at once: no more than one fetch.
        for (var i = 0; i < 10; i++)
        {
            var forged = issuer.AddKey(TestOidcIssuer.Es256, published: false);
            Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAsync(registry.Name, issuer.IdToken(Audience, MainBranch, forged)));
        }

        Assert.InRange(issuer.JwksRequests - fetched, 0, 1);

        // The issuer rotates: a new key in its JWKS signs the next tokens.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var rotated = issuer.AddKey(TestOidcIssuer.Rs256);
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(registry.Name, issuer.IdToken(Audience, MainBranch, rotated)));
    }

    [Fact]
    public async Task DeletingTheRuleKillsItsTokensAndItsUseIsRecorded()
    {
        var (registry, issuer, ruleId) = await SetUpAsync(["pull", "push"], null);
        var idToken = issuer.IdToken(Audience, MainBranch);
        var (registryToken, _) = await ExchangeAsync(registry.Name, idToken);
        using var client = new RegistryClient(fixture.Server.BaseUrl, registry.Name, idToken);
        var bearer = await client.GetTokenAsync($"repository:{registry.Repo("app")}:pull");
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        var path = $"/v2/{registry.Repo("app")}/tags/list";
        Assert.Equal(HttpStatusCode.NotFound, await BearerStatusAsync(http, path, bearer));
        Assert.Equal(HttpStatusCode.NotFound, await BearerStatusAsync(http, path, registryToken));
        Assert.Equal(HttpStatusCode.NotFound, await BasicStatusAsync(http, path, registry.Name, idToken));

        using var rules = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync($"api/v1/registries/{registry.Name}/federation"));
        Assert.NotEqual(JsonValueKind.Null, rules.RootElement[0].GetProperty("lastUsedAt").ValueKind);
        using var audit = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync($"api/v1/registries/{registry.Name}/audit"));
        var actions = audit.RootElement.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("registry.federation.created", actions);
        Assert.Single(actions, a => a == "registry.federation.first_used");

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/federation/{ruleId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await BearerStatusAsync(http, path, bearer));
        Assert.Equal(HttpStatusCode.Unauthorized, await BearerStatusAsync(http, path, registryToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(http, path, registry.Name, idToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(http, path, registry.Name, registryToken));
        using var after = JsonDocument.Parse(await fixture.Admin.Http.GetStringAsync($"api/v1/registries/{registry.Name}/audit"));
        Assert.Contains(after.RootElement.EnumerateArray(), e => e.GetProperty("action").GetString() == "registry.federation.deleted");
    }

    private async Task<(CreatedRegistry Registry, TestOidcIssuer Issuer, string RuleId)> SetUpAsync(string[] scopes, string[]? repositories,
        int lifetimeMinutes = 15)
    {
        var issuer = await TestOidcIssuer.StartAsync();
        _issuers.Add(issuer);
        var registry = await fixture.NewRegistryAsync("fed");
        using var created = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry.Name}/federation", new
        {
            name = "ci-main",
            issuer = issuer.Issuer,
            audience = Audience,
            claims = new Dictionary<string, string> { ["repository"] = "acme/*", ["ref"] = "refs/heads/main" },
            scopes,
            repositories,
            tokenLifetimeMinutes = lifetimeMinutes,
        });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        return (registry, issuer, json.RootElement.GetProperty("id").GetString()!);
    }

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value) =>
        new(claims) { [name] = value };

    private async Task<HttpStatusCode> TokenStatusAsync(string registry, string password)
    {
        using var client = new RegistryClient(fixture.Server.BaseUrl, registry, password);
        using var response = await client.RequestTokenAsync($"repository:{registry}/app:pull");
        return response.StatusCode;
    }

    private Task<HttpResponseMessage> PostExchangeAsync(string registry, string idToken) =>
        _http.PostAsync("/auth/federation/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["registry"] = registry, ["token"] = idToken }));

    private async Task<(string Token, int ExpiresIn)> ExchangeAsync(string registry, string idToken)
    {
        // JSON here, a form in PostExchangeAsync: both are accepted.
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var response = await http.PostAsJsonAsync("/auth/federation/token", new { registry, token = idToken });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(json.RootElement.GetProperty("token").GetString(), json.RootElement.GetProperty("access_token").GetString());
        Assert.True(json.RootElement.TryGetProperty("issued_at", out _));
        return (json.RootElement.GetProperty("token").GetString()!, json.RootElement.GetProperty("expires_in").GetInt32());
    }

    private static async Task<HttpStatusCode> BearerStatusAsync(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> BasicStatusAsync(HttpClient http, string path, string username, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = ManagementClient.BasicAuth(username, password);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
