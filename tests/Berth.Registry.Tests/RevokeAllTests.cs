using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// <c>POST …/credentials/revoke-all</c> is the answer to a compromise, so it also ends a rotation's overlap: a previous
/// password kept by <c>keepPreviousFor</c> (and the bearer tokens issued under it) dies with everything else.
/// </summary>
public sealed class RevokeAllTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    [Fact]
    public async Task RevokeAllEndsAPreviousPasswordsOverlap()
    {
        var registry = await fixture.NewRegistryAsync("ra");
        var name = registry.Repo("app");
        string current;
        using (var reset = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/password",
            new StringContent("""{"keepPreviousFor":"24h"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            using var json = JsonDocument.Parse(await reset.Content.ReadAsStringAsync());
            current = json.RootElement.GetProperty("password").GetString()!;
        }

        // The previous password works in the overlap, and has a bearer token.
        using (var during = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, registry.Password))
        {
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        }

        var token = await TokenAsync(fixture.Server, registry.Username, registry.Password, FullScope(name));

        string newPassword;
        using (var revokeAll = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/credentials/revoke-all", null))
        {
            var body = await revokeAll.Content.ReadAsStringAsync();
            Assert.True(revokeAll.StatusCode == HttpStatusCode.OK, body);
            using var json = JsonDocument.Parse(body);
            newPassword = json.RootElement.GetProperty("password").GetString()!;
        }

        // Neither the password of before the overlap nor the one revoke-all replaced (which a leftover overlap would
        // have kept as "the previous password" for a day) works any more.
        foreach (var old in new[] { registry.Password, current })
        {
            using var basic = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, old);
            Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        }

        using (var bearer = await BearerAsync(fixture.Server, HttpMethod.Get, $"v2/{name}/tags/list", token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        }

        Assert.True((await DetailJsonAsync(fixture.Admin, registry.Name)).GetProperty("previousPasswordValidUntil").ValueKind == JsonValueKind.Null);
        using var fresh = await BasicAsync(fixture.Server, HttpMethod.Get, "v2/", registry.Username, newPassword);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }
}
