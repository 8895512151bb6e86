using Berth.Core.Metadata;
using Berth.Registry.Auth;
using Berth.Registry.Hosting;

namespace Berth.Registry.Tests;

/// <summary>The throttling policy as pure logic: who waits how long for which counters.</summary>
public sealed class LoginThrottlePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static readonly AuthOptions Options = new()
    {
        FailedLoginsBeforeDelay = 5,
        MaxFailedLoginsPerAddress = 30,
        FirstLoginDelay = TimeSpan.FromSeconds(1),
        MaxLoginDelay = TimeSpan.FromMinutes(5),
        FailedLoginMemory = TimeSpan.FromHours(1),
        KnownClientMemory = TimeSpan.FromDays(30),
    };

    [Theory]
    [InlineData(0, 0)]
    [InlineData(4, 0)]
    [InlineData(5, 1)]
    [InlineData(6, 2)]
    [InlineData(9, 16)]
    [InlineData(13, 256)]
    [InlineData(14, 300)]
    [InlineData(100_000, 300)]
    public void TheWaitDoublesFromTheFirstDelayUpToTheCap(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), LoginThrottle.Delay(failures, 5, Options));

    [Fact]
    public void AClientWaitsFromItsLastFailure()
    {
        var state = new LoginThrottleState(Pair(6, Now.AddSeconds(-0.5)), Address(6, Now.AddSeconds(-0.5)));

        var wait = LoginThrottle.Wait(state, Now, Options);

        Assert.Equal((TimeSpan.FromSeconds(1.5), "client"), wait);
        Assert.Null(LoginThrottle.Wait(state, Now.AddSeconds(2), Options));
    }

    [Fact]
    public void FailuresOlderThanTheMemoryNoLongerCount() =>
        Assert.Null(LoginThrottle.Wait(new LoginThrottleState(Pair(50, Now.AddHours(-2)), Address(50, Now.AddHours(-2))), Now, Options));

    [Fact]
    public void AnAddressOverItsLimitSlowsAccountsItHasNotSignedInAs()
    {
        var address = Address(31, Now);

        Assert.Equal((TimeSpan.FromSeconds(2), "address"), LoginThrottle.Wait(new LoginThrottleState(null, address), Now, Options));
        Assert.Equal((TimeSpan.FromSeconds(2), "address"), LoginThrottle.Wait(new LoginThrottleState(Pair(1, Now), address), Now, Options));

        // Signed in from there within the memory: not slowed by the address (its own failures still count).
        var known = Pair(0, null) with { LastSuccessAt = Now.AddDays(-29) };
        Assert.Null(LoginThrottle.Wait(new LoginThrottleState(known, address), Now, Options));
        var forgotten = known with { LastSuccessAt = Now.AddDays(-31) };
        Assert.NotNull(LoginThrottle.Wait(new LoginThrottleState(forgotten, address), Now, Options));
        var knownButGuessing = known with { Failures = 7, LastFailureAt = Now };
        Assert.Equal((TimeSpan.FromSeconds(4), "client"), LoginThrottle.Wait(new LoginThrottleState(knownButGuessing, address), Now, Options));
    }

    [Theory]
    [InlineData("127.0.0.2", "127.0.0.2")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::1")]
    public void ClientsAreKeyedByAddressAndIPv6ByItsSlash64(string address, string key) =>
        Assert.Equal(key, LoginAttempt.Normalize(System.Net.IPAddress.Parse(address)));

    private static LoginThrottleEntry Pair(int failures, DateTimeOffset? at) => new("registry:web", "10.0.0.1", failures, at, null);

    private static LoginThrottleEntry Address(int failures, DateTimeOffset? at) => new(LoginThrottleEntry.AnyAccount, "10.0.0.1", failures, at, null);
}
