using System.Net;
using System.Net.Http.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>Berth trusting loopback OIDC issuers, with the default login throttling.</summary>
public sealed class FederationThrottleFixture : ConfiguredBerthFixture
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["Berth__Federation__AllowHttpLoopbackIssuers"] = "true",
    };
}

/// <summary>Failed federated sign-ins count toward login throttling like wrong passwords.</summary>
public sealed class FederationThrottleTests(FederationThrottleFixture fixture) : IClassFixture<FederationThrottleFixture>
{
    [Fact]
    public async Task RefusedIdTokensAreThrottledLikeWrongPasswords()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        var registry = await fixture.NewRegistryAsync("fedthr");
        (await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry.Name}/federation",
            new { name = "ci", issuer = issuer.Issuer, audience = "berth", scopes = new[] { "pull" } })).EnsureSuccessStatusCode();
        using var client = new RegistryClient(fixture.Server.BaseUrl, registry.Name, issuer.IdToken("someone-else"));

        // Five failures are allowed (Berth:Auth:FailedLoginsBeforeDelay); the next attempt must wait.
        for (var i = 0; i < 5; i++)
        {
            using var refused = await client.RequestTokenAsync($"repository:{registry.Repo("app")}:pull");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var throttled = await client.RequestTokenAsync($"repository:{registry.Repo("app")}:pull");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);

        // The exchange is throttled the same way.
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl };
        using var exchange = await http.PostAsJsonAsync("/auth/federation/token", new { registry = registry.Name, token = issuer.IdToken("berth") });
        Assert.Equal(HttpStatusCode.TooManyRequests, exchange.StatusCode);
    }
}
