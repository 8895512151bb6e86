using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// A refresh token never stands for more than the credential it was issued to: one from a pull-only access token
/// limited to some repositories gets no push, no delete and nothing outside them when it is redeemed (a
/// password-issued one gets the whole registry); a federated sign-in, which must not outlive its ID token, gets none.
/// </summary>
public sealed class LimitedRefreshTests(FederationFixture fixture) : IClassFixture<FederationFixture>
{
    [Fact]
    public async Task AFederatedSignInGetsNoRefreshTokenAndOnlyTheRulesScopesAndRepositories()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        var registry = await fixture.NewRegistryAsync("fedrefresh");
        using (var created = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry.Name}/federation",
            new { name = "ci", issuer = issuer.Issuer, audience = "berth", scopes = new[] { "pull" }, repositories = new[] { "app/*" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var signIn = await SignInAsync(registry, issuer.IdToken("berth"));
        Assert.Equal($"repository:{registry.Repo("app/x")}:pull", signIn.RootElement.GetProperty("scope").GetString());
        Assert.False(signIn.RootElement.TryGetProperty("refresh_token", out _), "a refresh token would outlive the ID token");
    }

    [Fact]
    public async Task ARefreshTokenOfAnAccessTokenKeepsItsScopesAndRepositories()
    {
        var registry = await fixture.NewRegistryAsync("rtrefresh");
        using var created = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry.Name}/tokens",
            new { name = "ci", scopes = new[] { "pull" }, repositories = new[] { "app/*" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());

        await AssertRefreshGrantsOnlyPullOnAppAsync(registry, json.RootElement.GetProperty("token").GetString()!);
    }

    private static string Asked(CreatedRegistry registry) =>
        $"repository:{registry.Repo("app/x")}:pull,push,delete repository:{registry.Repo("other/y")}:pull";

    /// <summary>The OAuth2 password grant (containerd's way), asking for a refresh token too.</summary>
    private async Task<JsonDocument> SignInAsync(CreatedRegistry registry, string password)
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var signIn = await http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = registry.Name, ["password"] = password,
            ["service"] = "berth", ["scope"] = Asked(registry), ["access_type"] = "offline", ["client_id"] = "berth-tests",
        }));
        var body = await signIn.Content.ReadAsStringAsync();
        Assert.True(signIn.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    private async Task AssertRefreshGrantsOnlyPullOnAppAsync(CreatedRegistry registry, string password)
    {
        var asked = Asked(registry);
        string refreshToken;
        using (var signIn = await SignInAsync(registry, password))
        {
            Assert.Equal($"repository:{registry.Repo("app/x")}:pull", signIn.RootElement.GetProperty("scope").GetString());
            refreshToken = signIn.RootElement.GetProperty("refresh_token").GetString()!;
        }

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var refreshed = await http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["service"] = "berth", ["scope"] = asked,
            ["client_id"] = "berth-tests",
        }));
        var refreshedBody = await refreshed.Content.ReadAsStringAsync();
        Assert.True(refreshed.StatusCode == HttpStatusCode.OK, refreshedBody);
        using var granted = JsonDocument.Parse(refreshedBody);
        Assert.Equal($"repository:{registry.Repo("app/x")}:pull", granted.RootElement.GetProperty("scope").GetString());
    }
}
