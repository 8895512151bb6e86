using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// Failed access-token logins are throttled like passwords (docs/api.md, "Brute force"): the guesser's address waits,
/// the rightful client elsewhere is never refused. Loopback 127.0.0.2 is the attacker, 127.0.0.3 the victim.
/// </summary>
public sealed class RegistryAccessTokenThrottleTests(ThrottledBerthFixture fixture) : IClassFixture<ThrottledBerthFixture>
{
    private const int Allowed = ThrottledBerthFixture.FailedLoginsBeforeDelay;

    [Fact]
    public async Task GuessingTokensSlowsTheGuesserOnlyAndNeverTheTokensRightfulUser()
    {
        var registry = await fixture.NewRegistryAsync("rtt");
        using var created = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry.Name}/tokens", new { name = "ci", scopes = new[] { "pull" } });
        created.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var token = json.RootElement.GetProperty("token").GetString()!;
        var scope = $"repository:{registry.Repo("app")}:pull";
        var attacker = ClientAddress.Loopback(2);

        for (var i = 1; i <= Allowed + 3; i++)
        {
            // The real token's id with a wrong secret, through both Basic on /v2 and the token endpoint.
            var guess = token[..^8] + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
            using var response = i % 2 == 0
                ? await TokenRequestAsync(fixture.Server, registry.Username, guess, scope, attacker)
                : await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, guess, from: attacker);
            var expected = i <= Allowed ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests;
            Assert.True(response.StatusCode == expected, $"guess #{i}: expected {expected}, got {response.StatusCode}");
        }

        // The guesser waits even with the right token; the rightful client elsewhere gets through at once, both ways.
        using (var right = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, token, from: attacker))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(right, "the right token from the attacker's address");
        }

        var victim = ClientAddress.Loopback(3);
        using (var basic = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, token, from: victim))
        {
            await OciAssert.StatusAsync(basic, HttpStatusCode.OK, "the token from the victim's address" + fixture.ServerLog);
        }

        using (var issued = await TokenRequestAsync(fixture.Server, registry.Username, token, scope, victim))
        {
            await OciAssert.StatusAsync(issued, HttpStatusCode.OK, "a bearer token for the victim");
        }

        Assert.True(await EventuallyAsync(() => fixture.Server.Output.Contains($"Failed login for registry {registry.Username} from 127.0.0.2: wrong_token", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5)), fixture.ServerLog);
    }

    [Fact]
    public async Task ARevokedTokenIsAStaleClientRefusedButNeverThrottled()
    {
        var registry = await fixture.NewRegistryAsync("rtt");
        using var created = await fixture.Admin.Http.PostAsJsonAsync($"api/v1/registries/{registry.Name}/tokens", new { name = "old", scopes = new[] { "pull" } });
        created.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var token = json.RootElement.GetProperty("token").GetString()!;
        (await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/tokens/{json.RootElement.GetProperty("id").GetString()}")).EnsureSuccessStatusCode();

        var kubelet = ClientAddress.Loopback(5);
        for (var i = 1; i <= Allowed + 3; i++)
        {
            using var response = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, token, from: kubelet);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"attempt #{i}: {response.StatusCode}");
        }

        // Its address is not slowed for the registry's password either.
        using var password = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, registry.Password, from: kubelet);
        Assert.Equal(HttpStatusCode.OK, password.StatusCode);
    }
}
