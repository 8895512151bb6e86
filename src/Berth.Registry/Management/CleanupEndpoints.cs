using Berth.Registry.Auditing;
using System.Globalization;
using Berth.Api;
using Berth.Core.Metadata;

using Berth.Registry.Retention;

namespace Berth.Registry.Management;

/// <summary>
/// <c>/api/v1/registries/{name}/cleanup-policy</c> and <c>…/cleanup-runs</c>: a registry's cleanup policy (owners
/// change it, viewers read it), its dry run and runs (developers), and the run history (viewers).
/// </summary>
public static class CleanupEndpoints
{
    private const string RunsSortKey = "started";

    public static RouteGroupBuilder MapBerthCleanupApi(this RouteGroupBuilder api)
    {
        api.MapGet("/registries/{name}/cleanup-policy", GetPolicyAsync)
            .WithSummary("The registry's cleanup policy (no rules and schedule off when none is set)")
            .Produces<CleanupPolicyResponse>();
        api.MapPut("/registries/{name}/cleanup-policy", PutPolicyAsync)
            .WithSummary("Set the registry's cleanup policy: rules, untagged manifests, schedule")
            .Produces<CleanupPolicyResponse>();
        api.MapDelete("/registries/{name}/cleanup-policy", DeletePolicyAsync)
            .WithSummary("Remove the registry's cleanup policy (no more scheduled runs)")
            .Produces(StatusCodes.Status204NoContent);
        api.MapPost("/registries/{name}/cleanup-policy/dry-run", DryRunAsync)
            .WithSummary("What a cleanup run would delete now, what it keeps and why, and the bytes it frees")
            .AddOpenApiOperationTransformer(async (operation, context, ct) => operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
            {
                // Read by hand (no body at all must stay valid), so the document is told about it here.
                Required = false,
                Description = "Optional: a policy to preview instead of the stored one.",
                Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(CleanupPolicyRequest), null, ct) },
                },
            })
            .Produces<CleanupDryRunResponse>();
        api.MapPost("/registries/{name}/cleanup-policy/run", RunAsync)
            .WithSummary("Start a cleanup run of the stored policy now (409 while one is running)")
            .Produces<CleanupRunResponse>(StatusCodes.Status202Accepted);
        api.MapGet("/registries/{name}/cleanup-runs", ListRunsAsync)
            .WithSummary("The registry's cleanup runs, newest first (paged)")
            .ProducesPagedList<CleanupRunResponse>();
        api.MapGet("/registries/{name}/cleanup-runs/{id:long}", GetRunAsync)
            .WithSummary("One cleanup run")
            .Produces<CleanupRunResponse>();
        return api;
    }

    private static async Task<CleanupPolicyResponse> GetPolicyAsync(string name, HttpContext context, CleanupPolicies policies, ProjectAccess access,
        CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        return await policies.DescribeAsync(registry, ct);
    }

    private static async Task<CleanupPolicyResponse> PutPolicyAsync(string name, CleanupPolicyRequest? body, HttpContext context, CleanupPolicies policies,
        ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        return await policies.SetAsync(registry, body, AuditActor.From(context), ct);
    }

    private static async Task<IResult> DeletePolicyAsync(string name, HttpContext context, CleanupPolicies policies, ProjectAccess access,
        CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        await policies.DeleteAsync(registry, AuditActor.From(context), ct);
        return Results.NoContent();
    }

    /// <summary>No body: the stored policy (400 when there is none); a policy body: that policy, without storing it.</summary>
    private static async Task<CleanupDryRunResponse> DryRunAsync(string name, HttpContext context, CleanupPolicies policies, CleanupPlanner planner,
        ProjectAccess access, CancellationToken ct)
    {
        // Read by hand, not bound: a bare POST (no body, no Content-Type) must run the stored policy.
        var body = await ManagementEndpoints.ReadOptionalJsonAsync<CleanupPolicyRequest>(context.Request,
            "a cleanup policy like PUT …/cleanup-policy takes, or nothing", ct);
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Developer, ct);
        var policy = body is null ? (await policies.GetAsync(registry, ct)).Policy ?? throw NoPolicy(registry) : CleanupPolicies.Parse(body);
        return (await planner.PlanAsync(registry, policy, ct)).ToResponse();
    }

    private static async Task<IResult> RunAsync(string name, HttpContext context, CleanupPolicies policies, CleanupRuns runs, ProjectAccess access,
        CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Developer, ct);
        var policy = (await policies.GetAsync(registry, ct)).Policy ?? throw NoPolicy(registry);
        var run = await runs.StartAsync(registry, policy, CleanupRuns.Manual, AuditActor.From(context), ct)
            ?? throw new ManagementException(StatusCodes.Status409Conflict, "Cleanup already running",
                $"A cleanup of registry '{registry.Name}' is running; see GET /api/v1/registries/{registry.Name}/cleanup-runs.");
        return Results.Accepted($"/api/v1/registries/{registry.Name}/cleanup-runs/{run.Id}", ToResponse(run));
    }

    private static async Task<PagedList<CleanupRunResponse>> ListRunsAsync(string name, [AsParameters] ListQuery query, HttpContext context,
        ICleanupStore store, ProjectAccess access, CancellationToken ct)
    {
        if (query.Q is not null)
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid query", "q: cleanup runs are not searchable.");
        }

        var page = query.ToRequest(ListSort.Descend(RunsSortKey), RunsSortKey);
        if (!page.Sort.Descending || page.After is { SortKey: not RunsSortKey })
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid query", "sort: cleanup runs are listed newest first (-started) only.");
        }

        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        // One row more than the page says whether there is a next one.
        var runs = await store.ListCleanupRunsAsync(registry.Id, page.After?.NumericId, page.Limit + 1, ct);
        var items = runs.Take(page.Limit).Select(ToResponse).ToList();
        var next = runs.Count > page.Limit
            ? ListCursor.Of(RunsSortKey, items[^1].Id.ToString(CultureInfo.InvariantCulture), items[^1].Id)
            : null;
        return new PagedList<CleanupRunResponse>(items, next, page);
    }

    private static async Task<CleanupRunResponse> GetRunAsync(string name, long id, HttpContext context, ICleanupStore store, ProjectAccess access,
        CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var run = await store.GetCleanupRunAsync(registry.Id, id, ct)
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "Cleanup run not found", $"Registry '{registry.Name}' has no cleanup run {id}.");
        return ToResponse(run);
    }

    internal static CleanupRunResponse ToResponse(CleanupRunRecord run) =>
        new(run.Id, run.Trigger, run.Status, run.StartedAt, run.FinishedAt, run.TagsDeleted, run.ManifestsDeleted, run.Skipped, run.BytesFreed, run.Errors);

    internal static ManagementException NoPolicy(RegistryRecord registry) =>
        new(StatusCodes.Status400BadRequest, "No cleanup policy",
            $"Registry '{registry.Name}' has no cleanup policy: set one with PUT /api/v1/registries/{registry.Name}/cleanup-policy.");
}
