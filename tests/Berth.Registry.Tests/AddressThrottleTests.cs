using System.Net;
using Berth.Registry.Tests.Infrastructure;
using Berth.Testing;
using static Berth.Registry.Tests.LifecycleSupport;

namespace Berth.Registry.Tests;

/// <summary>
/// A server that slows an address after 6 failed passwords across any usernames (for 2 minutes), while no single
/// client comes near its own limit, and never remembers a verified password.
/// </summary>
public sealed class AddressThrottledBerthFixture : ConfiguredBerthFixture
{
    public const int MaxFailedLoginsPerAddress = 6;

    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Berth__Auth__MaxFailedLoginsPerAddress"] = MaxFailedLoginsPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Berth__Auth__FailedLoginsBeforeDelay"] = "1000",
        ["Berth__Auth__FirstLoginDelay"] = "00:02:00",
        ["Berth__Auth__BasicCacheLifetime"] = "00:00:00",
    };
}

/// <summary>
/// docs/api.md, "Brute force": an address that fails across many usernames (a guesser spraying names) is slowed for
/// the accounts it has never signed in as, on every path; accounts that signed in from it before (the administrator
/// and CI behind the same NAT), and every other address, are not.
/// </summary>
public sealed class AddressThrottleTests(AddressThrottledBerthFixture fixture) : IClassFixture<AddressThrottledBerthFixture>
{
    private const int Limit = AddressThrottledBerthFixture.MaxFailedLoginsPerAddress;

    private BerthProcess Server => fixture.Server;

    [Fact]
    public async Task AnAddressGuessingAcrossUsernamesIsSlowedOnlyForAccountsItHasNotSignedInAs()
    {
        var nat = ClientAddress.Loopback(7);
        var known = await fixture.NewRegistryAsync("ak");
        var fresh = await fixture.NewRegistryAsync("af");
        using (var ok = await BasicAsync(Server, HttpMethod.Get, "v2/", known.Username, known.Password, from: nat))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "a CI runner behind the NAT signs in before the guessing");
        }

        // Limit failures over as many usernames (registries that don't exist), alternating paths.
        for (var i = 1; i <= Limit; i++)
        {
            var username = Names.Unique("nobody");
            using var wrong = i % 2 == 0
                ? await TokenRequestAsync(Server, username, "guess", FullScope(username + "/app"), nat)
                : await BasicAsync(Server, HttpMethod.Get, "v2/", username, "guess", from: nat);
            await OciAssert.StatusAsync(wrong, HttpStatusCode.Unauthorized, $"failure #{i}");
        }

        // An account never signed in from this address waits, even with the right password, on every path.
        var scope = FullScope(fresh.Repo("app"));
        using (var token = await TokenRequestAsync(Server, fresh.Username, fresh.Password, scope, nat))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(token, "/auth/token of an account new to the slowed address" + fixture.ServerLog);
        }

        using (var form = await LoginThrottleTests.PasswordGrantAsync(Server, fresh.Username, fresh.Password, scope, nat))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(form, "OAuth2 password grant from the slowed address");
        }

        using (var v2 = await BasicAsync(Server, HttpMethod.Get, $"v2/{fresh.Repo("app")}/tags/list", fresh.Username, fresh.Password, from: nat))
        {
            await LoginThrottleTests.AssertTooManyRequestsAsync(v2, "Basic /v2 from the slowed address");
            await OciAssert.ErrorAsync(v2, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        }

        // The account that signed in from there before is not slowed (its password is checked again: no cache here)…
        using (var ok = await TokenRequestAsync(Server, known.Username, known.Password, FullScope(known.Repo("app")), nat))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "an account known at the slowed address");
        }

        // …and no other address is: the same fresh account from elsewhere, and a real client.
        using (var ok = await TokenRequestAsync(Server, fresh.Username, fresh.Password, scope, ClientAddress.Loopback(8)))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "the fresh account from another address");
        }

        (await LoginAsync(new Skopeo(fixture.NewDir("login")), Server.Host, fresh.Username, fresh.Password)).EnsureSuccess();
        using (var me = await fixture.Admin.Http.GetAsync("api/v1/users/me"))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        // The administrator sees the address counter and lifts it; the fresh account then gets in from there.
        var entry = (await fixture.Admin.GetRawJsonAsync("api/v1/login-throttles")).GetProperty("items").EnumerateArray()
            .Single(e => Str(e, "kind") == "address" && Str(e, "address") == "127.0.0.7");
        Assert.Equal(Limit, entry.GetProperty("failures").GetInt32());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, entry.GetProperty("throttledUntil").ValueKind);
        using (var lift = await fixture.Admin.Http.DeleteAsync("api/v1/login-throttles?kind=address&address=127.0.0.7"))
        {
            Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        }

        using (var ok = await TokenRequestAsync(Server, fresh.Username, fresh.Password, scope, nat))
        {
            await OciAssert.StatusAsync(ok, HttpStatusCode.OK, "the fresh account at the address once lifted");
        }
    }
}
