using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// docs/api.md, "Reset password" with <c>keepPreviousFor</c>: the previous password (Basic on /v2, /auth/token GET and
/// POST, and the bearer tokens issued under it) keeps working until the end of the overlap, then stops by itself;
/// revoked early it stops at once; a plain reset ends the overlap; both are audited.
/// </summary>
public sealed class PasswordRotationTests(BerthFixture fixture) : IClassFixture<BerthFixture>
{
    private readonly Skopeo _skopeo = new(fixture.NewDir("skopeo"));

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task ThePreviousPasswordKeepsWorkingForEveryClientDuringTheOverlapAndStopsAtOnceWhenRevokedEarly()
    {
        var registry = await fixture.NewRegistryAsync("ov");
        var image = fixture.BuildImage(seed: 3201, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("rot/app", "v1"));
        (await _skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();
        var name = registry.Repo("rot/app");
        var manifest = $"v2/{name}/manifests/v1";
        var tokenBefore = await TokenAsync(Server, registry.Username, registry.Password, FullScope(name));

        var started = DateTimeOffset.UtcNow;
        var (newPassword, validUntil) = await ResetAsync(registry.Name, """{"keepPreviousFor":"24h"}""");
        Assert.NotNull(validUntil);
        Assert.InRange(validUntil.Value, started.AddHours(24).AddSeconds(-5), DateTimeOffset.UtcNow.AddHours(24).AddSeconds(5));
        Assert.Equal(validUntil, DetailValidUntil(await DetailJsonAsync(fixture.Admin, registry.Name)));

        // The previous password, through every path: a real skopeo pull (byte-identical), Basic, both token requests,
        // a token issued before the reset and one issued during the overlap.
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("overlap-pull"), remote, registry.Creds, image, "previous password during the overlap");
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, registry.Password, manifest));
        var tokenDuring = await TokenAsync(Server, registry.Username, registry.Password, FullScope(name));
        var postToken = await PostTokenAsync(registry.Username, registry.Password, name);
        Assert.Equal(HttpStatusCode.OK, postToken.Status);
        foreach (var (label, token) in new[] { ("before", tokenBefore), ("during", tokenDuring), ("post", postToken.Token!) })
        {
            Assert.Equal(HttpStatusCode.OK, await BearerStatusAsync(token, manifest, $"token issued {label} the reset, during the overlap"));
        }

        // The new password works alongside.
        var newCreds = registry.Username + ":" + newPassword;
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("new-pull"), remote, newCreds, image, "new password during the overlap");
        var newToken = await TokenAsync(Server, registry.Username, newPassword, FullScope(name));

        using (var revoke = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/password/previous"))
        {
            Assert.True(revoke.StatusCode == HttpStatusCode.NoContent, $"revoke: {(int)revoke.StatusCode} {await revoke.Content.ReadAsStringAsync()}");
        }

        // The very next requests with the previous password or its tokens fail; skopeo can no longer pull.
        var pull = await _skopeo.CopyAsync(remote, $"oci:{fixture.NewDir("revoked-pull")}:x", sourceCreds: registry.Creds);
        Assert.False(pull.Succeeded, "skopeo pull with the previous password after the early revocation succeeded: " + pull);
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, registry.Password, manifest));
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, registry.Password, "v2/"));
        using (var token = await TokenRequestAsync(Server, registry.Username, registry.Password, FullScope(name)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostTokenAsync(registry.Username, registry.Password, name)).Status);
        foreach (var (label, token) in new[] { ("before", tokenBefore), ("during", tokenDuring), ("post", postToken.Token!) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BearerStatusAsync(token, manifest, $"token issued {label} the reset, after the revocation"));
        }

        // The current password and its token are untouched; nothing is left to revoke.
        Assert.Equal(HttpStatusCode.OK, await BearerStatusAsync(newToken, manifest, "token of the new password after the revocation"));
        await AssertPullsIdenticalAsync(_skopeo, fixture.NewDir("new-pull-after"), remote, newCreds, image, "new password after the revocation");
        Assert.Null(DetailValidUntil(await DetailJsonAsync(fixture.Admin, registry.Name)));
        using (var again = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/password/previous"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }

        // Audited: the reset with its overlap, the early revocation; never a password.
        var events = await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit");
        Assert.Equal("registry.password.previous_revoked", Str(events[0], "action"));
        Assert.Equal("admin", Str(events[0], "actor"));
        var reset = Assert.Single(events, e => Str(e, "action") == "registry.password.reset");
        Assert.Contains("kept for 1d", Str(reset, "detail"), StringComparison.Ordinal);
        Assert.Contains(validUntil.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), Str(reset, "detail"), StringComparison.Ordinal);
        var all = string.Join("\n", events.Select(e => e.GetRawText()));
        Assert.DoesNotContain(newPassword, all, StringComparison.Ordinal);
        Assert.DoesNotContain(registry.Password, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AShortOverlapEndsByItselfAtItsEndTime()
    {
        var registry = await fixture.NewRegistryAsync("oe");
        var name = registry.Repo("end/app");
        using (var client = fixture.Client(registry))
        {
            await ImageContent.PushSmallImageAsync(client, name, "v1");
        }

        var manifest = $"v2/{name}/manifests/v1";
        var (_, validUntil) = await ResetAsync(registry.Name, """{"keepPreviousFor":"00:00:04"}""");
        var clock = Stopwatch.StartNew();
        Assert.NotNull(validUntil);
        var token = await TokenAsync(Server, registry.Username, registry.Password, FullScope(name));
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, registry.Password, manifest));
        Assert.Equal(HttpStatusCode.OK, await BearerStatusAsync(token, manifest, "token issued during the short overlap"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the checks during the overlap took {clock.Elapsed}: too slow to prove anything");

        // Past the end (the server's clock): the password, its cached verification and its token all fail.
        var wait = validUntil.Value - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, registry.Password, manifest));
        Assert.Equal(HttpStatusCode.Unauthorized, await BearerStatusAsync(token, manifest, "token of the previous password after the overlap"));
        using (var request = await TokenRequestAsync(Server, registry.Username, registry.Password, FullScope(name)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, request.StatusCode);
        }

        Assert.Null(DetailValidUntil(await DetailJsonAsync(fixture.Admin, registry.Name)));
        using var revoke = await fixture.Admin.Http.DeleteAsync($"api/v1/registries/{registry.Name}/password/previous");
        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
    }

    [Fact]
    public async Task APlainResetDuringAnOverlapEndsIt()
    {
        var registry = await fixture.NewRegistryAsync("op");
        var (second, _) = await ResetAsync(registry.Name, """{"keepPreviousFor":"7d"}""");
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, registry.Password, "v2/"));

        // No body, and {}: the instant reset, as before.
        var (third, none) = await ResetAsync(registry.Name, null);
        Assert.Null(none);
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, registry.Password, "v2/"));
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, second, "v2/"));
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, third, "v2/"));
        Assert.Null(DetailValidUntil(await DetailJsonAsync(fixture.Admin, registry.Name)));

        var (fourth, stillNone) = await ResetAsync(registry.Name, "{}");
        Assert.Null(stillNone);
        Assert.Equal(HttpStatusCode.Unauthorized, await BasicStatusAsync(registry.Username, third, "v2/"));
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, fourth, "v2/"));
    }

    [Theory]
    [InlineData("""{"keepPreviousFor":"0m"}""")]
    [InlineData("""{"keepPreviousFor":"-1h"}""")]
    [InlineData("""{"keepPreviousFor":"8d"}""")]
    [InlineData("""{"keepPreviousFor":"7.00:00:01"}""")]
    [InlineData("""{"keepPreviousFor":"soon"}""")]
    [InlineData("""{"keepPreviousFor":""}""")]
    [InlineData("""{"keepPreviousFor":24}""")]
    [InlineData("""{"keepPreviousFor":""")]
    public async Task AnInvalidKeepPreviousForIsA400ProblemAndChangesNothing(string body)
    {
        var registry = await fixture.NewRegistryAsync("ob");
        using var response = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/password",
            new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, registry.Password, "v2/"));
        var events = await AuditAsync(fixture.Admin, $"api/v1/registries/{registry.Name}/audit");
        Assert.DoesNotContain(events, e => Str(e, "action") == "registry.password.reset");
    }

    [Fact]
    public async Task ABodyTooLargeToReadIsA400NotAnInstantReset()
    {
        var registry = await fixture.NewRegistryAsync("ol");
        var body = $$"""{"keepPreviousFor":"24h","padding":"{{new string('x', 70 * 1024)}}"}""";
        using var response = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry.Name}/password",
            new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, await BasicStatusAsync(registry.Username, registry.Password, "v2/"));
    }

    private async Task<(string Password, DateTimeOffset? PreviousValidUntil)> ResetAsync(string registry, string? body)
    {
        using var response = await fixture.Admin.Http.PostAsync($"api/v1/registries/{registry}/password",
            body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"reset {body}: {(int)response.StatusCode} {text}");
        using var document = JsonDocument.Parse(text);
        return (document.RootElement.GetProperty("password").GetString()!, DetailValidUntil(document.RootElement));
    }

    private static DateTimeOffset? DetailValidUntil(JsonElement element) =>
        element.TryGetProperty("previousPasswordValidUntil", out var value) && value.ValueKind != JsonValueKind.Null ? value.GetDateTimeOffset() : null;

    private async Task<HttpStatusCode> BasicStatusAsync(string username, string password, string path)
    {
        using var response = await BasicAsync(Server, HttpMethod.Get, path, username, password);
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> BearerStatusAsync(string token, string path, string context)
    {
        using var response = await BearerAsync(Server, HttpMethod.Get, path, token, null, ("Accept", RegistryClient.ManifestAccept));
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"{context}: {(int)response.StatusCode}");
        return response.StatusCode;
    }

    /// <summary>The OAuth2 password grant of POST /auth/token.</summary>
    private async Task<(HttpStatusCode Status, string? Token)> PostTokenAsync(string username, string password, string repository)
    {
        using var http = new HttpClient { BaseAddress = Server.BaseUrl };
        using var response = await http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = username, ["password"] = password,
            ["service"] = "berth", ["scope"] = FullScope(repository), ["client_id"] = "berth-tests",
        }));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null);
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.GetProperty("access_token").GetString());
    }
}
