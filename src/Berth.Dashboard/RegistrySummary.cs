using Berth.Core.Metadata;
using Berth.Registry.Distribution;

namespace Berth.Dashboard;

/// <summary>A registry as the pages show it: its record, the endpoint clients use, and what it stores now.</summary>
public sealed record RegistrySummary(RegistryRecord Registry, string Endpoint, string LoginHost, RegistryUsage Usage)
{
    public string Name => Registry.Name;

    public static async Task<RegistrySummary> LoadAsync(RegistryRecord registry, IArtifactStore artifacts, RegistryAddressing addressing,
        HttpRequest request, CancellationToken cancellationToken) =>
        new(registry, addressing.Endpoint(registry.Name, request), addressing.LoginHost(registry.Name, request),
            await artifacts.GetUsageAsync(registry.Id, cancellationToken));
}
