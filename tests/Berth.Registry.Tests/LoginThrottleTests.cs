using System.Net;
using System.Text.Json;
using Berth.Registry.Tests.Infrastructure;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>A server that locks a username out after 3 failed passwords.</summary>
public sealed class ThrottledBerthFixture : ConfiguredBerthFixture
{
    public const int MaxFailedLoginsPerUser = 3;

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Auth__MaxFailedLoginsPerUser"] = MaxFailedLoginsPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// A server that locks a client address out after 6 failed passwords, whatever the usernames, while the per-username
/// limit is far out of reach.
/// </summary>
public sealed class AddressThrottledBerthFixture : ConfiguredBerthFixture
{
    public const int MaxFailedLoginsPerAddress = 6;

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Auth__MaxFailedLoginsPerAddress"] = MaxFailedLoginsPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Berth__Auth__MaxFailedLoginsPerUser"] = "1000",
    };
}

/// <summary>
/// docs/api.md, "Brute force": past the limit of failed passwords for a username, password checks answer
/// <c>429 TOOMANYREQUESTS</c> with <c>Retry-After</c>, even for the right password; passwords verified before the
/// lockout keep working. (Each test uses its own registries, so only 3–4 failures per test count against the
/// address limit of 30.)
/// </summary>
public sealed class LoginThrottleTests(ThrottledBerthFixture fixture) : IClassFixture<ThrottledBerthFixture>
{
    private const int Limit = ThrottledBerthFixture.MaxFailedLoginsPerUser;

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task FailuresOnTheTokenEndpointLockTheUsernameOutEvenForTheRightPassword()
    {
        var registry = await fixture.NewRegistryAsync("lt");
        var scope = FullScope(registry.Repo("app"));
        for (var i = 1; i <= Limit; i++)
        {
            using var wrong = await TokenRequestAsync(Server, registry.Username, "wrong-password-" + i, scope);
            await OciAssert.StatusAsync(wrong, HttpStatusCode.Unauthorized, $"wrong password #{i}");
        }

        // The right password, never verified before: locked out.
        using (var right = await TokenRequestAsync(Server, registry.Username, registry.Password, scope))
        {
            await AssertTooManyRequestsAsync(right, "/auth/token with the right password after the lockout");
        }

        using (var v2 = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password))
        {
            await AssertTooManyRequestsAsync(v2, "/v2/ Basic with the right password after the lockout");
            await OciAssert.ErrorAsync(v2, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        }

        using (var v2 = await BasicAsync(Server, HttpMethod.Get, $"v2/{registry.Repo("app")}/tags/list", registry.Username, "another-guess"))
        {
            await OciAssert.ErrorAsync(v2, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", "a wrong password during the lockout");
        }

        using (var form = await PasswordGrantAsync(Server, registry.Username, registry.Password, scope))
        {
            await AssertTooManyRequestsAsync(form, "OAuth2 password grant during the lockout");
        }

        var login = await LoginAsync(new Skopeo(fixture.NewDir("login")), Server.Host, registry.Username, registry.Password);
        Assert.False(login.Succeeded, "skopeo login during the lockout succeeded: " + login);

        // The lockout is per username: another registry's right password still works.
        var other = await fixture.NewRegistryAsync("lto");
        using var otherToken = await TokenRequestAsync(Server, other.Username, other.Password, FullScope(other.Repo("app")));
        await OciAssert.StatusAsync(otherToken, HttpStatusCode.OK, "another username during the lockout");
    }

    [Fact]
    public async Task FailuresWithBasicOnV2LockTheTokenEndpointOutToo()
    {
        var registry = await fixture.NewRegistryAsync("lb");
        for (var i = 1; i <= Limit; i++)
        {
            using var wrong = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, "wrong-password-" + i);
            await OciAssert.StatusAsync(wrong, HttpStatusCode.Unauthorized, $"wrong Basic password #{i}");
        }

        using (var v2 = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password))
        {
            await AssertTooManyRequestsAsync(v2, "/v2/ Basic with the right password after the lockout");
            await OciAssert.ErrorAsync(v2, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        }

        using (var token = await TokenRequestAsync(Server, registry.Username, registry.Password, FullScope(registry.Repo("app"))))
        {
            await AssertTooManyRequestsAsync(token, "/auth/token with the right password after a /v2 lockout");
        }
    }

    [Fact]
    public async Task PasswordVerifiedBeforeTheLockoutKeepsWorking()
    {
        var registry = await fixture.NewRegistryAsync("lc");
        var name = registry.Repo("app");
        var scope = FullScope(name);
        var image = fixture.BuildImage(seed: 3401, layers: 1, tag: "v1");
        var skopeo = new Skopeo(fixture.NewDir("skopeo"));
        var remote = Skopeo.Docker(registry.Image("app", "v1"));

        // Verified (and so remembered) before anyone guesses.
        (await skopeo.CopyAsync(image.OciReference, remote, destinationCreds: registry.Creds)).EnsureSuccess();
        using (var ok = await BasicAsync(Server, HttpMethod.Get, "v2/", registry.Username, registry.Password))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "Basic before the lockout");
        }

        for (var i = 1; i <= Limit; i++)
        {
            using var wrong = await TokenRequestAsync(Server, registry.Username, "wrong-password-" + i, scope);
            await OciAssert.StatusAsync(wrong, HttpStatusCode.Unauthorized, $"wrong password #{i}");
        }

        // Locked for guesses…
        using (var guess = await TokenRequestAsync(Server, registry.Username, "yet-another-guess", scope))
        {
            await AssertTooManyRequestsAsync(guess, "a guess after the lockout");
        }

        // …but not for the password verified before: token endpoint, Basic on /v2, and a real client.
        var token = await TokenAsync(Server, registry.Username, registry.Password, scope);
        using (var manifest = await BearerAsync(Server, HttpMethod.Get, $"v2/{name}/manifests/v1", token, null, ("Accept", RegistryClient.ManifestAccept)))
        {
            await OciAssert.StatusAsync(manifest, HttpStatusCode.OK, "token of the already verified password" + fixture.ServerLog);
        }

        using (var basic = await BasicAsync(Server, HttpMethod.Get, $"v2/{name}/manifests/v1", registry.Username, registry.Password))
        {
            await OciAssert.StatusAsync(basic, HttpStatusCode.OK, "Basic with the already verified password during the lockout");
        }

        await AssertPullsIdenticalAsync(skopeo, fixture.NewDir("pull"), remote, registry.Creds, image, "already verified password during the lockout");
        var push = fixture.BuildImage(seed: 3402, layers: 1, tag: "v2");
        (await skopeo.CopyAsync(push.OciReference, Skopeo.Docker(registry.Image("app", "v2")), destinationCreds: registry.Creds)).EnsureSuccess();
    }

    internal static async Task AssertTooManyRequestsAsync(HttpResponseMessage response, string context)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{context}: expected 429, got {(int)response.StatusCode}: {body}");
        var retryAfter = RegistryClient.Header(response, "Retry-After");
        Assert.True(retryAfter is not null, $"{context}: 429 without Retry-After");
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds > 0 && seconds <= 300,
            $"{context}: Retry-After '{retryAfter}' is not a number of seconds within the 5-minute window");
        OciAssert.NoStackTrace(body);
    }

    internal static async Task<HttpResponseMessage> PasswordGrantAsync(BerthProcess server, string username, string password, string scope)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var response = await http.PostAsync("auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = username, ["password"] = password,
            ["service"] = "berth", ["scope"] = scope, ["client_id"] = "berth-tests",
        }));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}

/// <summary>
/// docs/api.md, "Brute force": past <c>MaxFailedLoginsPerAddress</c> failed passwords from one address, spread over
/// any number of usernames (none near its own limit) and over both the token endpoint and Basic on /v2, password checks
/// from that address answer <c>429 TOOMANYREQUESTS</c> with <c>Retry-After</c>, even for the right password of a
/// username that never failed; passwords verified before the lockout keep working. One test only: the lockout holds the
/// fixture's whole address (127.0.0.1) for the 5-minute window.
/// </summary>
public sealed class AddressLockoutTests(AddressThrottledBerthFixture fixture) : IClassFixture<AddressThrottledBerthFixture>
{
    private const int Limit = AddressThrottledBerthFixture.MaxFailedLoginsPerAddress;

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task FailuresAcrossUsernamesFromOneAddressLockTheAddressOutOnBothPaths()
    {
        // Every admin call happens before the first failure: the admin's own password check shares the address.
        var guessed = new[] { await fixture.NewRegistryAsync("ag"), await fixture.NewRegistryAsync("ah") };
        var verified = await fixture.NewRegistryAsync("av");
        var probe = await fixture.NewRegistryAsync("ap");
        var fresh = await fixture.NewRegistryAsync("af");
        using (var ok = await BasicAsync(Server, HttpMethod.Get, "v2/", verified.Username, verified.Password))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "Basic of the registry verified before the failures");
        }

        // Limit - 1 failures over five usernames (two registries, three names that don't exist), alternating paths.
        var attempts = new (string Username, bool Token)[]
        {
            (guessed[0].Username, true), (guessed[1].Username, false), (Names.Unique("nobody"), true),
            (Names.Unique("nobody"), false), (Names.Unique("nobody"), true),
        };
        Assert.Equal(Limit - 1, attempts.Length);
        for (var i = 0; i < attempts.Length; i++)
        {
            var (username, viaToken) = attempts[i];
            using var wrong = await WrongPasswordAsync(username, viaToken, i);
            await OciAssert.StatusAsync(wrong, HttpStatusCode.Unauthorized, $"failure #{i + 1} ({username}, {(viaToken ? "token" : "Basic /v2")})");
        }

        // One failure short of the limit the address is not locked yet: a right password is checked and accepted.
        using (var ok = await TokenRequestAsync(Server, probe.Username, probe.Password, FullScope(probe.Repo("app"))))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, $"right password after {Limit - 1} failures from the address" + fixture.ServerLog);
        }

        // The failure that reaches the limit is still answered as a wrong password…
        using (var last = await WrongPasswordAsync(guessed[0].Username, viaToken: false, Limit))
        {
            await OciAssert.StatusAsync(last, HttpStatusCode.Unauthorized, $"failure #{Limit}");
        }

        // …and from now on the address is locked: the right password of a registry that never failed is refused with
        // 429 on the token endpoint (GET and OAuth2 form) and on Basic /v2.
        var scope = FullScope(fresh.Repo("app"));
        using (var token = await TokenRequestAsync(Server, fresh.Username, fresh.Password, scope))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(token, "/auth/token with a right password from the locked address" + fixture.ServerLog);
            using var body = JsonDocument.Parse(await token.Content.ReadAsStringAsync());
            Assert.Equal("TOOMANYREQUESTS", body.RootElement.GetProperty("error").GetString());
        }

        using (var form = await LoginThrottleTests.PasswordGrantAsync(Server, fresh.Username, fresh.Password, scope))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(form, "OAuth2 password grant from the locked address");
        }

        using (var v2 = await BasicAsync(Server, HttpMethod.Get, $"v2/{fresh.Repo("app")}/tags/list", fresh.Username, fresh.Password))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(v2, "Basic /v2 with a right password from the locked address");
            await OciAssert.ErrorAsync(v2, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        }

        using (var v2 = await BasicAsync(Server, HttpMethod.Get, "v2/", Names.Unique("nobody"), "a-guess"))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(v2, "a guess for a new username from the locked address");
        }

        var login = await LoginAsync(new Skopeo(fixture.NewDir("login")), Server.Host, fresh.Username, fresh.Password);
        Assert.False(login.Succeeded, "skopeo login from the locked address succeeded: " + login);

        // Passwords verified before the lockout are not checked again, so they keep working on both paths.
        using (var ok = await BasicAsync(Server, HttpMethod.Get, "v2/", verified.Username, verified.Password))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "Basic of a password verified before the lockout");
        }

        using (var ok = await TokenRequestAsync(Server, probe.Username, probe.Password, FullScope(probe.Repo("app"))))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "/auth/token with a password verified before the lockout");
        }
    }

    private Task<HttpResponseMessage> WrongPasswordAsync(string username, bool viaToken, int attempt) => viaToken
        ? TokenRequestAsync(Server, username, "wrong-password-" + attempt, FullScope(username + "/app"))
        : BasicAsync(Server, HttpMethod.Get, "v2/", username, "wrong-password-" + attempt);
}
