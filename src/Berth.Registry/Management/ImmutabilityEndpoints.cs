using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Metadata;

using Berth.Registry.Retention;

namespace Berth.Registry.Management;

/// <summary>
/// <c>/api/v1/registries/{name}/immutability</c>: a registry's tag immutability rules (viewers read them, owners
/// replace them).
/// </summary>
public static class ImmutabilityEndpoints
{
    public static RouteGroupBuilder MapBerthImmutabilityApi(this RouteGroupBuilder api)
    {
        api.MapGet("/registries/{name}/immutability", GetAsync)
            .WithSummary("The registry's tag immutability rules");
        api.MapPut("/registries/{name}/immutability", PutAsync)
            .WithSummary("Replace the registry's tag immutability rules: protected tags can be created but never moved or deleted");
        return api;
    }

    private static async Task<ImmutabilityResponse> GetAsync(string name, HttpContext context, TagImmutability immutability, ProjectAccess access,
        CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var (rules, updatedAt) = await immutability.GetAsync(registry.Id, ct);
        return new ImmutabilityResponse([.. rules.Rules.Select(TagImmutability.ToView)], updatedAt);
    }

    private static async Task<ImmutabilityResponse> PutAsync(string name, ImmutabilityRequest? body, HttpContext context, TagImmutability immutability,
        ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        var rules = await immutability.SetRulesAsync(registry, TagImmutability.Parse(body?.Rules), AuditActor.From(context), ct);
        var (_, updatedAt) = await immutability.GetAsync(registry.Id, ct);
        return new ImmutabilityResponse([.. rules.Rules.Select(TagImmutability.ToView)], updatedAt);
    }
}
