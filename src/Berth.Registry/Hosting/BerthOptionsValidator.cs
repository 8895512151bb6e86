using Berth.Core;

namespace Berth.Registry.Hosting;

/// <summary>Checks that the chosen providers have what they need.</summary>
public sealed class BerthOptionsValidator : IValidateOptions<BerthOptions>
{
    public ValidateOptionsResult Validate(string? name, BerthOptions options)
    {
        var failures = new List<string>();
        if (options.Metadata.Provider == MetadataOptions.PostgresProvider && string.IsNullOrWhiteSpace(options.Metadata.ConnectionString))
        {
            failures.Add("Berth:Metadata:ConnectionString is required when Berth:Metadata:Provider is 'postgres'.");
        }

        if (options.Storage.Provider == StorageOptions.S3Provider && string.IsNullOrWhiteSpace(options.Storage.S3.Bucket))
        {
            failures.Add("Berth:Storage:S3:Bucket is required when Berth:Storage:Provider is 's3'.");
        }

        foreach (var proxy in options.TrustedProxies)
        {
            if (!ForwardedHeaders.TryParse(proxy, out _))
            {
                failures.Add($"Berth:TrustedProxies: '{proxy}' is not an IP address or a CIDR range (e.g. 10.0.0.0/8).");
            }
        }

        if (options.Auth.MaxLoginDelay >= options.Auth.FailedLoginMemory)
        {
            failures.Add("Berth:Auth:MaxLoginDelay must be shorter than Berth:Auth:FailedLoginMemory (failures must outlive the wait they cause).");
        }

        if (options.Metrics.Token is { } token && token.Length < MetricsOptions.MinTokenLength)
        {
            failures.Add($"Berth:Metrics:Token must be at least {MetricsOptions.MinTokenLength} characters (or unset, which turns /metrics off).");
        }

        if (options.Scanning.Timeout + options.Scanning.MaxDeferral >= options.Scanning.ClaimTimeout)
        {
            failures.Add("Berth:Scanning:Timeout plus MaxDeferral must be shorter than Berth:Scanning:ClaimTimeout (a scan still running must not be taken over).");
        }

        if (options.DataProtection.Key is { } key && KeyRingOptions.Decode(key) is null)
        {
            failures.Add($"Berth:DataProtection:Key must be base64 of {KeyRingOptions.KeyBytes} bytes (e.g. the output of 'openssl rand -base64 32').");
        }
        else if (options.Metadata.Provider == MetadataOptions.PostgresProvider && string.IsNullOrWhiteSpace(options.DataProtection.Key))
        {
            failures.Add("Berth:DataProtection:Key is required when Berth:Metadata:Provider is 'postgres': every node must encrypt the shared " +
                "dashboard key ring with the same key (base64 of 32 bytes, e.g. 'openssl rand -base64 32').");
        }

        var step = options.Registries.AllocationStepBytes;
        if (step <= 0 || step % ByteSize.GiB != 0 || step > RegistryDefaultsOptions.MaxAllocationBytes)
        {
            failures.Add($"Berth:Registries:AllocationStep: '{options.Registries.AllocationStep}' is not a whole number of GiB from 1GiB to 1048576GiB (e.g. 10GiB).");
        }

        if (options.Registries.FullPercent <= options.Registries.NearlyFullPercent)
        {
            failures.Add($"Berth:Registries:FullPercent ({options.Registries.FullPercent}) must be above Berth:Registries:NearlyFullPercent ({options.Registries.NearlyFullPercent}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
