using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// A server that makes a client (a username at one address) wait 2 minutes after 3 failed passwords, and never
/// remembers a verified password: every attempt below goes through the throttle.
/// </summary>
public sealed class ThrottledBerthFixture : ConfiguredBerthFixture
{
    public const int FailedLoginsBeforeDelay = 3;

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Auth__FailedLoginsBeforeDelay"] = FailedLoginsBeforeDelay.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Berth__Auth__FirstLoginDelay"] = "00:02:00",
        ["Berth__Auth__BasicCacheLifetime"] = "00:00:00",
        [MetricsScrape.Environment.Key] = MetricsScrape.Environment.Value,
    };
}

/// <summary>
/// docs/api.md, "Brute force": failures slow down only the client that makes them (that username, from that address);
/// the rightful client elsewhere, and a stale client still sending the replaced password, are never refused.
/// Loopback addresses 127.0.0.2…127.0.0.9 stand for other clients; the admin and skopeo use 127.0.0.1.
/// </summary>
public sealed class LoginThrottleTests(ThrottledBerthFixture fixture) : IClassFixture<ThrottledBerthFixture>
{
    private const int Allowed = ThrottledBerthFixture.FailedLoginsBeforeDelay;

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task AnAttackerHammeringAUsernameNeverStopsTheRightfulClientOnAnotherAddress()
    {
        var registry = await fixture.NewRegistryAsync("lt");
        var scope = FullScope(registry.Repo("app"));
        var attacker = ClientAddress.Loopback(2);
        var refused = 0;
        for (var i = 1; i <= 20; i++)
        {
            using var guess = i % 2 == 0
                ? await TokenRequestAsync(Server, registry.Username, "guess-" + i, scope, attacker)
                : await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, "guess-" + i, from: attacker);
            var expected = i <= Allowed ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests;
            Assert.True(guess.StatusCode == expected, $"guess #{i} from the attacker: expected {expected}, got {guess.StatusCode}: {await guess.Content.ReadAsStringAsync()}");
            refused += guess.StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
        }

        Assert.Equal(20 - Allowed, refused);

        // The attacker is slowed even with the right password (it can't tell a right guess from a wrong one)…
        using (var right = await TokenRequestAsync(Server, registry.Username, registry.Password, scope, attacker))
        {
            await AssertTooManyRequestsAsync(right, "the right password from the attacker's address");
        }

        // …while the rightful client, never verified before, logs in, pushes and pulls from elsewhere: a real client on
        // 127.0.0.1 and raw requests from two more addresses, through both the token endpoint and Basic on /v2.
        using (var token = await TokenRequestAsync(Server, registry.Username, registry.Password, scope, ClientAddress.Loopback(3)))
        {
            await OciAssert.StatusAsync(token, HttpStatusCode.OK, "the right password from another address" + fixture.ServerLog);
        }

        using (var basic = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password, from: ClientAddress.Loopback(9)))
        {
            await OciAssert.StatusAsync(basic, HttpStatusCode.OK, "Basic /v2 with the right password from another address");
        }

        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        (await LoginAsync(skopeo, Server.Host, registry.Username, registry.Password)).EnsureSuccess();
        var image = fixture.BuildImage(seed: 3401, layers: 2, tag: "v1");
        var remote = Skopeo.Docker(registry.Image("app", "v1"));
        (await skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();
        await AssertPullsIdenticalAsync(skopeo, fixture.NewDir("pull"), remote, registry.Creds, image, "rightful client while an attacker guesses");
    }

    [Fact]
    public async Task OldPasswordsAfterAResetAreToldSoAndNeverThrottleTheNewPassword()
    {
        var registry = await fixture.NewRegistryAsync("ls");
        var scope = FullScope(registry.Repo("app"));
        var newPassword = await ResetPasswordAsync(fixture.Admin, registry.Name);
        var ci = ClientAddress.Loopback(4);

        // Stale CI jobs and kubelets on the same address keep sending the old password, on every path.
        for (var i = 1; i <= 25; i++)
        {
            using var stale = (i % 3) switch
            {
                0 => await TokenRequestAsync(Server, registry.Username, registry.Password, scope, ci),
                1 => await BasicAsync(Server, HttpMethod.Get, $"v2/{registry.Repo("app")}/tags/list", registry.Username, registry.Password, from: ci),
                _ => await PasswordGrantAsync(Server, registry.Username, registry.Password, scope, ci),
            };
            var body = await stale.Content.ReadAsStringAsync();
            Assert.True(stale.StatusCode == HttpStatusCode.Unauthorized, $"old password #{i}: expected 401, got {(int)stale.StatusCode}: {body}");
            Assert.Contains("this password was replaced at ", body, StringComparison.Ordinal);
            Assert.Contains("log in with the new one", body, StringComparison.Ordinal);
        }

        using (var fresh = await TokenRequestAsync(Server, registry.Username, newPassword, scope, ci))
        {
            await OciAssert.StatusAsync(fresh, HttpStatusCode.OK, "the new password after 25 old-password attempts from the same address" + fixture.ServerLog);
        }

        using (var basic = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, newPassword, from: ci))
        {
            await OciAssert.StatusAsync(basic, HttpStatusCode.OK, "Basic /v2 with the new password from the same address");
        }

        // Real clients print Berth's reason, not a generic "authentication required" (their `login` verbs print a fixed
        // text of their own whatever the server says, so the reason shows on pulls and pushes).
        var remote = "docker://" + registry.Image("app", "v1");
        var skopeoPull = await new Skopeo(fixture.NewDir("inspect")).RunAsync("inspect", "--tls-verify=false", "--creds", registry.Creds, remote);
        Assert.False(skopeoPull.Succeeded, "skopeo with the old password succeeded: " + skopeoPull);
        Assert.Contains("this password was replaced at", skopeoPull.Stderr, StringComparison.Ordinal);
        using var podman = new Podman(fixture.NewDir("podman"));
        var podmanPull = await podman.RunAsync("pull", "--tls-verify=false", "--creds", registry.Creds, registry.Image("app", "v1"));
        Assert.False(podmanPull.Succeeded, "podman with the old password succeeded: " + podmanPull);
        Assert.Contains("this password was replaced at", podmanPull.Stderr, StringComparison.Ordinal);
        (await podman.LoginAsync(Server.Host, registry.Username, newPassword)).EnsureSuccess();
    }

    [Fact]
    public async Task ANewPasswordNeverWorksAsTheOldOneAndWrongPasswordsStillCount()
    {
        // Recognising the old password must not make it, or anything else, a way in or a way around the throttle.
        var registry = await fixture.NewRegistryAsync("lw");
        var scope = FullScope(registry.Repo("app"));
        await ResetPasswordAsync(fixture.Admin, registry.Name);
        var client = ClientAddress.Loopback(5);
        for (var i = 1; i <= Allowed; i++)
        {
            using var wrong = await TokenRequestAsync(Server, registry.Username, "wrong-" + i, scope, client);
            var body = await wrong.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.DoesNotContain("replaced", body, StringComparison.Ordinal);
        }

        using var old = await TokenRequestAsync(Server, registry.Username, registry.Password, scope, client);
        await AssertTooManyRequestsAsync(old, "the old password from a client throttled for wrong ones");
    }

    [Fact]
    public async Task TokenEndpointErrorsCarryTheOAuthFieldsAndTheOciErrorsArray()
    {
        var registry = await fixture.NewRegistryAsync("le");
        var scope = FullScope(registry.Repo("app"));
        var client = ClientAddress.Loopback(6);
        for (var i = 1; i <= Allowed + 1; i++)
        {
            using var response = i % 2 == 0
                ? await TokenRequestAsync(Server, registry.Username, "wrong-" + i, scope, client)
                : await PasswordGrantAsync(Server, registry.Username, "wrong-" + i, scope, client);
            var throttled = i > Allowed;
            Assert.Equal(throttled ? HttpStatusCode.TooManyRequests : HttpStatusCode.Unauthorized, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = body.RootElement;
            Assert.Equal(throttled ? "too_many_requests" : "unauthorized", root.GetProperty("error").GetString());
            var description = root.GetProperty("error_description").GetString();
            Assert.False(string.IsNullOrEmpty(description));
            var error = Assert.Single(root.GetProperty("errors").EnumerateArray().ToList());
            Assert.Equal(throttled ? "TOOMANYREQUESTS" : "UNAUTHORIZED", error.GetProperty("code").GetString());
            Assert.Equal(description, error.GetProperty("message").GetString());
        }

        // skopeo shows the message of a refused token request, and of a throttled one with its wait.
        var stranger = Names.Unique("nobody");
        var inspect = await new Skopeo(fixture.NewDir("inspect")).RunAsync("inspect", "--tls-verify=false", "--creds", stranger + ":x", $"docker://{Server.Host}/{stranger}/app:1");
        Assert.False(inspect.Succeeded);
        Assert.Contains("unauthorized: invalid username or password", inspect.Stderr, StringComparison.Ordinal);
        for (var i = 1; i < Allowed; i++)
        {
            using var _ = await TokenRequestAsync(Server, stranger, "x" + i, FullScope(stranger + "/app"));
        }

        var slowed = await new Skopeo(fixture.NewDir("inspect")).RunAsync("inspect", "--tls-verify=false", "--creds", stranger + ":x", $"docker://{Server.Host}/{stranger}/app:1");
        Assert.False(slowed.Succeeded);
        Assert.Contains("too many", slowed.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FailedLoginsAndThrottlingAreLoggedAndCountedWithoutThePassword()
    {
        var registry = await fixture.NewRegistryAsync("lg");
        var client = ClientAddress.Loopback(7);
        const string Secret = "guess-that-must-never-be-logged";
        for (var i = 1; i <= Allowed + 1; i++)
        {
            using var _ = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, Secret + i, from: client);
        }

        await ResetPasswordAsync(fixture.Admin, registry.Name);
        using (var stale = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password, from: ClientAddress.Loopback(8)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }

        Assert.True(await EventuallyAsync(() => Server.Output.Contains($"Failed login for registry {registry.Username} from 127.0.0.7: wrong_password", StringComparison.Ordinal)
                && Server.Output.Contains($"Login for registry {registry.Username} from 127.0.0.7 throttled (client)", StringComparison.Ordinal)
                && Server.Output.Contains($"Login for registry {registry.Username} from 127.0.0.8 used the password replaced at", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10)),
            "failed, throttled and stale logins are logged with username and address" + fixture.ServerLog);
        Assert.DoesNotContain(Secret, Server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(registry.Password, Server.Output, StringComparison.Ordinal);

        var metrics = await MetricsScrape.GetAsync(Server.BaseUrl);
        Assert.Matches("berth_auth_login_failures_total\\{[^}]*account=\"registry\",[^}]*reason=\"wrong_password\"\\} [1-9]", metrics);
        Assert.Matches("berth_auth_login_failures_total\\{[^}]*account=\"registry\",[^}]*reason=\"previous_password\"\\} [1-9]", metrics);
        Assert.Matches("berth_auth_logins_throttled_total\\{[^}]*account=\"registry\",[^}]*scope=\"client\"\\} [1-9]", metrics);
    }

    [Fact]
    public async Task AnAdministratorListsAndLiftsAThrottleThroughTheApiAndTheCli()
    {
        var registry = await fixture.NewRegistryAsync("ll");
        var scope = FullScope(registry.Repo("app"));
        var client = ClientAddress.Loopback(9);
        for (var i = 1; i <= Allowed; i++)
        {
            using var _ = await TokenRequestAsync(Server, registry.Username, "typo-" + i, scope, client);
        }

        using (var locked = await TokenRequestAsync(Server, registry.Username, registry.Password, scope, client))
        {
            await AssertTooManyRequestsAsync(locked, "the right password after the client's failures");
        }

        var entry = (await ListThrottlesAsync()).Single(e => Str(e, "username") == registry.Username);
        Assert.Equal(("registry", "127.0.0.9", Allowed), (Str(entry, "kind"), Str(entry, "address"), entry.GetProperty("failures").GetInt32()));
        Assert.True(entry.GetProperty("throttledUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        var list = await CliRunner.RunAsync(CliRunner.Environment(fixture), null, "throttle", "list");
        list.EnsureSuccess();
        Assert.Contains(registry.Username, list.Stdout, StringComparison.Ordinal);
        Assert.Contains("127.0.0.9", list.Stdout, StringComparison.Ordinal);

        var lift = await CliRunner.RunAsync(CliRunner.Environment(fixture), null, "throttle", "lift", "--username", registry.Username, "--address", "127.0.0.9");
        lift.EnsureSuccess();
        Assert.Contains("Cleared 1 ", lift.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(await ListThrottlesAsync(), e => Str(e, "username") == registry.Username);

        using (var ok = await TokenRequestAsync(Server, registry.Username, registry.Password, scope, client))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "the right password once the throttle is lifted");
        }

        // Administrators only; a lift names what it lifts.
        await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username = "throttle-viewer", password = "viewer-password-1", admin = false });
        using var viewer = new ManagementClient(Server.BaseUrl, "throttle-viewer", "viewer-password-1");
        using (var denied = await viewer.Http.GetAsync("api/v1/login-throttles"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        using var unnamed = await fixture.Admin.Http.DeleteAsync("api/v1/login-throttles");
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.Equal("application/problem+json", unnamed.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AUsersReplacedPasswordIsRecognisedAndNeverThrottlesTheNewOne()
    {
        var username = Names.Unique("rotating");
        (await fixture.Admin.Http.PostAsJsonAsync("api/v1/users", new { username, password = "first-password-1", admin = false })).EnsureSuccessStatusCode();
        using (var user = new ManagementClient(Server.BaseUrl, username, "first-password-1"))
        {
            (await user.Http.PutAsJsonAsync("api/v1/users/me/password", new { currentPassword = "first-password-1", newPassword = "second-password-2" }))
                .EnsureSuccessStatusCode();
        }

        var laptop = ClientAddress.Loopback(3);
        for (var i = 1; i <= 25; i++)
        {
            using var stale = await BasicAsync(Server, HttpMethod.Get, "api/v1/users/me", username, "first-password-1", from: laptop);
            var body = await stale.Content.ReadAsStringAsync();
            Assert.True(stale.StatusCode == HttpStatusCode.Unauthorized, $"old password #{i}: {(int)stale.StatusCode} {body}");
            Assert.Contains("This password was replaced at ", body, StringComparison.Ordinal);
        }

        using var fresh = await BasicAsync(Server, HttpMethod.Get, "api/v1/users/me", username, "second-password-2", from: laptop);
        await OciAssert.StatusAsync(fresh, HttpStatusCode.OK, "the new password after 25 old-password attempts");
    }

    internal static async Task AssertTooManyRequestsAsync(HttpResponseMessage response, string context)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{context}: expected 429, got {(int)response.StatusCode}: {body}");
        var retryAfter = RegistryClient.Header(response, "Retry-After");
        Assert.True(retryAfter is not null, $"{context}: 429 without Retry-After");
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds > 0 && seconds <= 300,
            $"{context}: Retry-After '{retryAfter}' is not a number of seconds within the 5-minute cap");
        OciAssert.NoStackTrace(body);
    }

    internal static async Task<HttpResponseMessage> PasswordGrantAsync(BerthProcess server, string username, string password, string scope, IPAddress? from = null)
    {
        using var http = new HttpClient(ClientAddress.Handler(from)) { BaseAddress = server.BaseUrl };
        var response = await http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = username, ["password"] = password,
            ["service"] = "berth", ["scope"] = scope, ["client_id"] = "berth-tests",
        }));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<List<JsonElement>> ListThrottlesAsync()
    {
        var page = await fixture.Admin.GetRawJsonAsync("api/v1/login-throttles");
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next").ValueKind);
        return page.GetProperty("items").EnumerateArray().ToList();
    }
}
