using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// <c>/api/v1/registries/{name}/federation</c>: a registry's workload identity federation rules (owners create and
/// delete them; viewers list them).
/// </summary>
public static class FederationEndpoints
{
    public static RouteGroupBuilder MapBerthFederationApi(this RouteGroupBuilder api)
    {
        api.MapPost("/registries/{name}/federation", CreateAsync)
            .WithSummary("Trust OIDC ID tokens of an issuer (e.g. a CI system) to sign in to the registry")
            .Produces<FederationRuleResponse>(StatusCodes.Status201Created);
        api.MapGet("/registries/{name}/federation", ListAsync)
            .WithSummary("List the registry's federation rules, with when each was last used");
        api.MapDelete("/registries/{name}/federation/{id}", DeleteAsync)
            .WithSummary("Delete a federation rule: the tokens it issued stop working at once")
            .Produces(StatusCodes.Status204NoContent);
        return api;
    }

    private static async Task<IResult> CreateAsync(string name, CreateFederationRuleRequest? body, HttpContext context, FederationRuleManagement rules,
        ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        var rule = await rules.CreateAsync(registry, body, AuditActor.From(context), ct);
        return Results.Created($"/api/v1/registries/{registry.Name}/federation/{rule.Id}", FederationRuleManagement.ToResponse(rule));
    }

    private static async Task<List<FederationRuleResponse>> ListAsync(string name, HttpContext context, FederationRuleManagement rules,
        ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        return [.. (await rules.ListAsync(registry, ct)).Select(FederationRuleManagement.ToResponse)];
    }

    private static async Task<IResult> DeleteAsync(string name, string id, HttpContext context, FederationRuleManagement rules,
        ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        await rules.DeleteAsync(registry, id, AuditActor.From(context), ct);
        return Results.NoContent();
    }
}
