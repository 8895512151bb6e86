using Berth.Registry.Hosting;
using Microsoft.Extensions.Options;

namespace Berth.Registry.Tests;

/// <summary>What <c>berth serve</c> refuses to start with: the ranges of every section, and the rules across keys.</summary>
public sealed class BerthOptionsTests
{
    private static readonly DataAnnotationValidateOptions<BerthOptions> Annotations = new(null);

    [Fact]
    public void TheDefaultsAreValid()
    {
        Assert.True(Annotations.Validate(null, new BerthOptions()).Succeeded);
        Assert.True(new BerthOptionsValidator().Validate(null, new BerthOptions()).Succeeded);
    }

    [Fact]
    public void RangesOfNestedSectionsAreEnforced()
    {
        // Without [ValidateObjectMembers] only BerthOptions' own properties were checked: a 0 here started a server.
        var result = Annotations.Validate(null, new BerthOptions { Auth = { FailedLoginsBeforeDelay = 0 } });
        Assert.True(result.Failed);
        Assert.Contains("FailedLoginsBeforeDelay", result.FailureMessage, StringComparison.Ordinal);

        Assert.True(Annotations.Validate(null, new BerthOptions { Scanning = { Workers = 65 } }).Failed);
        Assert.True(Annotations.Validate(null, new BerthOptions { Federation = { KeyRefreshInterval = TimeSpan.Zero } }).Failed);
        Assert.False(new BerthOptions().Federation.AllowHttpLoopbackIssuers);
        Assert.True(Annotations.Validate(null, new BerthOptions { Storage = { S3 = { Bucket = "b" } }, Uploads = { MaxIdle = TimeSpan.Zero } }).Failed);
    }

    [Fact]
    public void PostgresNeedsADataProtectionKeyOfThirtyTwoBytes()
    {
        var postgres = new BerthOptions { Metadata = { Provider = MetadataOptions.PostgresProvider, ConnectionString = "Host=db" } };
        var missing = new BerthOptionsValidator().Validate(null, postgres);
        Assert.True(missing.Failed);
        Assert.Contains("Berth:DataProtection:Key is required", missing.FailureMessage, StringComparison.Ordinal);

        postgres.DataProtection.Key = Convert.ToBase64String(new byte[16]);
        Assert.Contains("base64 of 32 bytes", new BerthOptionsValidator().Validate(null, postgres).FailureMessage, StringComparison.Ordinal);
        postgres.DataProtection.Key = "change-me-to-the-output-of-openssl-rand-base64-32";
        Assert.True(new BerthOptionsValidator().Validate(null, postgres).Failed);

        postgres.DataProtection.Key = Convert.ToBase64String(new byte[32]);
        Assert.True(new BerthOptionsValidator().Validate(null, postgres).Succeeded);
    }

    [Fact]
    public void ALoginDelayMustBeShorterThanTheMemoryOfFailures()
    {
        var result = new BerthOptionsValidator().Validate(null, new BerthOptions { Auth = { MaxLoginDelay = TimeSpan.FromHours(2) } });

        Assert.True(result.Failed);
        Assert.Contains("Berth:Auth:MaxLoginDelay", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10GiB", true)]
    [InlineData("1", true)]
    [InlineData("5G", true)]
    [InlineData("1.5GiB", false)]
    [InlineData("512MiB", false)]
    [InlineData("0", false)]
    [InlineData("lots", false)]
    [InlineData("2048TiB", false)]
    public void TheAllocationStepIsAWholeNumberOfGiB(string step, bool valid)
    {
        var result = new BerthOptionsValidator().Validate(null, new BerthOptions { Registries = { AllocationStep = step } });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Berth:Registries:AllocationStep", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheNearlyFullThresholdIsAPercentageBelow100()
    {
        Assert.True(Annotations.Validate(null, new BerthOptions { Registries = { NearlyFullPercent = 100 } }).Failed);
        Assert.True(Annotations.Validate(null, new BerthOptions { Registries = { NearlyFullPercent = 90 } }).Succeeded);
    }

    [Fact]
    public void TheFullThresholdIsAtMost100AndAboveTheNearlyFullOne()
    {
        Assert.True(Annotations.Validate(null, new BerthOptions { Registries = { FullPercent = 101 } }).Failed);
        var result = new BerthOptionsValidator().Validate(null, new BerthOptions { Registries = { NearlyFullPercent = 90, FullPercent = 90 } });
        Assert.True(result.Failed);
        Assert.Contains("Berth:Registries:FullPercent", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new BerthOptionsValidator().Validate(null, new BerthOptions { Registries = { NearlyFullPercent = 70, FullPercent = 90 } }).Succeeded);
    }
}
