using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Metadata;
using Berth.Registry.Auth;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;
using Berth.Registry.Retention;

namespace Berth.Registry.Management;

/// <summary>The management REST API under <c>/api/v1</c> (see docs/api.md). Administrator Basic auth on every call.</summary>
public static class ManagementEndpoints
{
    /// <summary>Sort keys of the registry list.</summary>
    private static readonly string[] RegistrySortKeys = [ListSort.NameKey, ListSort.CreatedKey];

    public static RouteGroupBuilder MapBerthManagementApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization()
            .AddEndpointFilter(ProblemDetailsAsync);

        api.MapPost("/projects", CreateProjectAsync);
        api.MapGet("/projects", ListProjectsAsync);
        api.MapGet("/projects/{project}", GetProjectAsync);
        api.MapDelete("/projects/{project}", DeleteProjectAsync);
        api.MapPost("/projects/{project}/registries", CreateRegistryAsync);
        api.MapGet("/projects/{project}/registries", ListRegistriesAsync)
            .WithSummary("List the registries of a project, with their usage (paged; sort name, created)")
            .ProducesPagedList<RegistryResponse>();
        api.MapGet("/registries/{name}", GetRegistryAsync);
        api.MapPatch("/registries/{name}", ResizeRegistryAsync);
        api.MapDelete("/registries/{name}", DeleteRegistryAsync);
        api.MapPost("/registries/{name}/password", ResetPasswordAsync)
            .AddOpenApiOperationTransformer(async (operation, context, ct) => operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
            {
                // Read by hand (no body at all must stay valid), so the document is told about it here.
                Required = false,
                Description = "Optional: {\"keepPreviousFor\":\"24h\"} keeps the previous password working that long (30m, 24h, 7d or a TimeSpan; at most 7 days).",
                Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(PasswordResetRequest), null, ct) },
                },
            })
            .Produces<PasswordResetResponse>();
        api.MapDelete("/registries/{name}/password/previous", RevokePreviousPasswordAsync);
        api.MapGet("/registries/{name}/audit", ListRegistryAuditAsync).ProducesPagedList<AuditEventResponse>();
        api.MapPost("/registries/{name}/kubernetes-secret", CreateKubernetesSecretAsync);
        api.MapGet("/projects/{project}/audit", ListProjectAuditAsync).ProducesPagedList<AuditEventResponse>();
        api.MapBerthRegistryTokenApi();
        api.MapBerthRepositoryApi();
        api.MapBerthScanningApi();
        api.MapBerthUserApi();
        api.MapBerthLoginThrottleApi();
        api.MapBerthFederationApi();
        api.MapBerthImmutabilityApi();
        api.MapBerthCleanupApi();
        api.MapBerthBinApi();
        return api;
    }

    private static async ValueTask<object?> ProblemDetailsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ManagementException ex)
        {
            return Results.Problem(statusCode: ex.Status, title: ex.Title, detail: ex.Message, extensions: ex.Extensions);
        }
        catch (InvalidCursorException ex)
        {
            // Decoded, but not one of this list's cursors (another sort, a forged key).
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid cursor", detail: ex.Message);
        }
        catch (LoginRefusedException ex) when (ex.RetryAfter is not null)
        {
            // A password checked inside a request (the current password of a password change) while its client waits.
            ex.ApplyHeaders(context.HttpContext.Response);
            return Results.Problem(statusCode: ex.StatusCode, title: "Too many requests", detail: $"Too many failed logins; retry in {ex.RetryAfterSeconds} s.");
        }
    }

    /// <summary>Any signed-in user may create a project; its creator becomes its owner.</summary>
    private static async Task<IResult> CreateProjectAsync(CreateNameRequest? body, HttpContext context, TenantService service, CancellationToken ct)
    {
        var project = await service.CreateProjectAsync(RequireName(body), context.User.UserId(), AuditActor.From(context), ct);
        return Results.Created($"/api/v1/projects/{project.Name}", new ProjectResponse(project.Name, project.CreatedAt, 0));
    }

    private static async Task<IResult> ListProjectsAsync(HttpContext context, ProjectAccess access, ITenantStore tenants, CancellationToken ct)
    {
        var projects = (await access.VisibleProjectsAsync(context.User, ct)).Select(p => p.Project).ToList();
        var counts = await tenants.CountRegistriesAsync(projects.Select(p => p.Id).ToList(), ct);
        return Results.Ok(projects.Select(p => new ProjectResponse(p.Name, p.CreatedAt, counts.GetValueOrDefault(p.Id))).ToList());
    }

    private static async Task<IResult> GetProjectAsync(string project, HttpContext context, ProjectAccess access, ITenantStore tenants, CancellationToken ct)
    {
        var (record, _) = await access.RequireProjectAsync(context.User, project, ProjectRole.Viewer, ct);
        var counts = await tenants.CountRegistriesAsync([record.Id], ct);
        return Results.Ok(new ProjectResponse(record.Name, record.CreatedAt, counts.GetValueOrDefault(record.Id)));
    }

    /// <summary>
    /// Refused (409) while the project has registries, unless confirmed with its exact name (body <c>{"confirm"}</c> or
    /// <c>?confirm=</c>): then its registries are deleted with it, irreversibly.
    /// </summary>
    private static async Task<IResult> DeleteProjectAsync(string project, HttpContext context, ProjectDeletion deletion, ProjectAccess access, CancellationToken ct)
    {
        var confirm = context.Request.Query["confirm"].ToString();
        if (confirm.Length == 0)
        {
            confirm = await ReadConfirmationAsync(context.Request, ct);
        }

        var (record, _) = await access.RequireProjectAsync(context.User, project, ProjectRole.Owner, ct);
        await deletion.DeleteAsync(record, confirm, AuditActor.From(context), ct);
        return Results.NoContent();
    }

    private static async Task<IResult> CreateRegistryAsync(string project, CreateNameRequest? body, HttpRequest request, ITenantStore tenants,
        TenantService service, RegistryLifecycle lifecycle, RegistryAddressing addressing, ProjectAccess access, CancellationToken ct)
    {
        var (owner, _) = await access.RequireProjectAsync(request.HttpContext.User, project, ProjectRole.Owner, ct);
        var (registry, password) = await service.CreateRegistryAsync(owner, RequireName(body), ct);
        await lifecycle.AuditAsync(registry, AuditActor.From(request.HttpContext), "registry.created", null, ct);
        return Results.Created($"/api/v1/registries/{registry.Name}", new CreatedRegistryResponse(
            registry.Name, registry.ProjectName, addressing.Endpoint(registry.Name, request), registry.Name, password, registry.CreatedAt));
    }

    private static async Task<PagedList<RegistryResponse>> ListRegistriesAsync(string project, [AsParameters] ListQuery query, HttpRequest request,
        ITenantStore tenants, RegistryAddressing addressing, UsageNotices notices, ProjectAccess access, ArtifactBin bin, TimeProvider time, CancellationToken ct)
    {
        var page = query.ToRequest(ListSort.Ascending(ListSort.NameKey), RegistrySortKeys);
        var (owner, _) = await access.RequireProjectAsync(request.HttpContext.User, project, ProjectRole.Viewer, ct);
        var registries = await tenants.ListRegistriesAsync(owner.Id, page, ct);
        var binned = await bin.CountAsync(registries.Items.Select(r => r.Registry.Id).ToList(), ct);
        return new PagedList<RegistryResponse>(
            registries.Items.Select(r => Describe(r.Registry, r.Usage, binned.GetValueOrDefault(r.Registry.Id, BinCounts.Empty), request, addressing, notices, time))
                .ToList(), registries.Next, page);
    }

    private static async Task<IResult> GetRegistryAsync(string name, HttpRequest request, IArtifactStore artifacts,
        RegistryAddressing addressing, UsageNotices notices, ProjectAccess access, ArtifactBin bin, TimeProvider time, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(request.HttpContext.User, name, ProjectRole.Viewer, ct);
        return Results.Ok(await DescribeAsync(registry, request, artifacts, addressing, notices, bin, time, ct));
    }

    private static async Task<IResult> ResizeRegistryAsync(string name, ResizeRequest? body, HttpContext context, ITenantStore tenants,
        IArtifactStore artifacts, RegistryLifecycle lifecycle, RegistryAddressing addressing, UsageNotices notices, ProjectAccess access, ArtifactBin bin,
        TimeProvider time, CancellationToken ct)
    {
        if (body?.StorageLimitGiB is not { } gib || gib < 1 || gib > RegistryDefaultsOptions.MaxAllocationBytes / Berth.Core.ByteSize.GiB)
        {
            throw new ManagementException(400, "Invalid size", "The body must be JSON with \"storageLimitGiB\": a whole number of GiB from 1 to 1048576.");
        }

        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        await lifecycle.ResizeAsync(registry, gib * Berth.Core.ByteSize.GiB, AuditActor.From(context), ct);
        return Results.Ok(await DescribeAsync(await FindRegistryAsync(tenants, name, ct), context.Request, artifacts, addressing, notices, bin, time, ct));
    }

    /// <summary>No body (or <c>{}</c>): the previous password stops at once; <c>{"keepPreviousFor":"24h"}</c>: it keeps working that long.</summary>
    private static async Task<IResult> ResetPasswordAsync(string name, HttpContext context, RegistryPasswordReset reset, RegistryAccessTokens tokens,
        ProjectAccess access, CancellationToken ct)
    {
        // Read by hand, not bound: clients that send no body at all (and no Content-Type) must keep getting the instant reset.
        var body = await ReadOptionalJsonAsync<PasswordResetRequest>(context.Request, "{\"keepPreviousFor\": \"24h\"} or nothing", ct);
        TimeSpan? keep = null;
        if (body?.KeepPreviousFor is { } text)
        {
            keep = KeepPreviousFor.TryParse(text, out var duration)
                ? duration
                : throw new ManagementException(400, "Invalid keepPreviousFor", $"\"keepPreviousFor\" must be {KeepPreviousFor.Expected}; got \"{text}\".");
        }

        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        var result = await reset.ResetAsync(registry, keep, AuditActor.From(context), ct);
        var stillValid = await tokens.ListActiveAsync(registry, ct);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Ok(new PasswordResetResponse(registry.Name, result.Password, result.PreviousPasswordValidUntil,
            stillValid.Select(RegistryTokenEndpoints.Summary).ToList()));
    }

    /// <summary>Ends a reset's overlap early: the previous password and its tokens stop at once on every node.</summary>
    private static async Task<IResult> RevokePreviousPasswordAsync(string name, HttpContext context, RegistryPasswordReset reset, ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        await reset.RevokePreviousAsync(registry, AuditActor.From(context), ct);
        return Results.NoContent();
    }

    /// <summary>Irreversible, so it must be confirmed with the registry's exact name (body <c>{"confirm"}</c> or <c>?confirm=</c>).</summary>
    private static async Task<IResult> DeleteRegistryAsync(string name, HttpContext context, RegistryDeletion deletion, ProjectAccess access, CancellationToken ct)
    {
        var confirm = context.Request.Query["confirm"].ToString();
        if (confirm.Length == 0)
        {
            confirm = await ReadConfirmationAsync(context.Request, ct);
        }

        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        if (!string.Equals(confirm, registry.Name, StringComparison.Ordinal))
        {
            throw new ManagementException(400, "Confirmation required",
                $"Deleting a registry is irreversible. Confirm by sending the registry's exact name: {{\"confirm\":\"{registry.Name}\"}} or ?confirm={registry.Name}.");
        }

        await deletion.DeleteAsync(registry, AuditActor.From(context), ct);
        return Results.NoContent();
    }

    /// <summary>An imagePullSecret for the registry, as YAML (see <see cref="PullSecretIssuer"/>).</summary>
    private static async Task<IResult> CreateKubernetesSecretAsync(string name, KubernetesSecretRequest? body, HttpContext context,
        PullSecretIssuer issuer, RegistryAddressing addressing, ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        var secret = await issuer.IssueAsync(registry,
            string.IsNullOrEmpty(body?.Namespace) ? "default" : body.Namespace,
            string.IsNullOrEmpty(body?.SecretName) ? $"{name}-pull" : body.SecretName,
            body?.Password, body?.ResetPassword == true, addressing.LoginHost(registry.Name, context.Request), AuditActor.From(context), ct);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Text(secret.Yaml, "application/yaml; charset=utf-8");
    }

    /// <summary>Reads <c>{"confirm":"…"}</c> from a body of at most 64 KiB, with or without Content-Length (chunked clients).</summary>
    private static async Task<string> ReadConfirmationAsync(HttpRequest request, CancellationToken ct) =>
        (await ReadOptionalJsonAsync<DeleteConfirmation>(request, "{\"confirm\": \"<name>\"}", ct))?.Confirm ?? "";

    /// <summary>
    /// An optional JSON body of at most 64 KiB, with or without Content-Length (chunked clients): null when there is
    /// none; 400 when it is larger or not JSON of that shape (<paramref name="expected"/> says which).
    /// </summary>
    internal static async Task<T?> ReadOptionalJsonAsync<T>(HttpRequest request, string expected, CancellationToken ct)
        where T : class
    {
        const int Limit = 64 * 1024;
        // Too large is refused, not taken for "no body": a reset must never fall back to the instant one by accident.
        var tooLarge = new ManagementException(400, "Invalid body", $"The body must be at most 64 KiB of JSON: {expected}.");
        if (request.ContentLength is 0)
        {
            return null;
        }

        if (request.ContentLength > Limit)
        {
            throw tooLarge;
        }

        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > Limit)
            {
                throw tooLarge;
            }
        }

        if (buffer.Length == 0)
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(buffer.ToArray(), JsonWeb);
        }
        catch (System.Text.Json.JsonException)
        {
            throw new ManagementException(400, "Invalid body", $"The body must be JSON: {expected}.");
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions JsonWeb = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static async Task<PagedList<AuditEventResponse>> ListRegistryAuditAsync(string name, [AsParameters] ListQuery query, HttpContext context,
        ProjectAccess access, IAuditStore audit, CancellationToken ct)
    {
        var page = query.ToRequest(ListSort.Descend(ListSort.AtKey), ListSort.AtKey);
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        var events = await audit.ListAuditAsync(registry.ProjectId, registry.Id, page, ct);
        return new PagedList<AuditEventResponse>(events.Items.Select(ToResponse).ToList(), events.Next, page);
    }

    /// <summary>Newest first; <c>q</c> searches the action, the actor and the registry name.</summary>
    private static async Task<PagedList<AuditEventResponse>> ListProjectAuditAsync(string project, [AsParameters] ListQuery query, HttpContext context,
        ProjectAccess access, IAuditStore audit, CancellationToken ct)
    {
        var page = query.ToRequest(ListSort.Descend(ListSort.AtKey), ListSort.AtKey);
        var owner = await access.RequireProjectAuditAsync(context.User, project, ct);
        var events = await audit.ListAuditAsync(owner.Id, null, page, ct);
        return new PagedList<AuditEventResponse>(events.Items.Select(ToResponse).ToList(), events.Next, page);
    }

    private static AuditEventResponse ToResponse(AuditEvent e) =>
        new(e.At, e.Actor, e.Action, e.ProjectName, e.RegistryName, e.RemoteAddress, e.Detail);

    private static async Task<RegistryResponse> DescribeAsync(RegistryRecord registry, HttpRequest request, IArtifactStore artifacts,
        RegistryAddressing addressing, UsageNotices notices, ArtifactBin bin, TimeProvider time, CancellationToken ct) =>
        Describe(registry, await artifacts.GetUsageAsync(registry.Id, ct), await bin.CountAsync(registry, ct), request, addressing, notices, time);

    private static RegistryResponse Describe(RegistryRecord registry, RegistryUsage usage, BinCounts binned, HttpRequest request, RegistryAddressing addressing,
        UsageNotices notices, TimeProvider time) =>
        new(registry.Name, registry.ProjectName, addressing.Endpoint(registry.Name, request), registry.Name,
            usage.StorageUsageBytes, usage.UploadBytes, registry.StorageLimitBytes, usage.RepositoryCount, registry.CreatedAt,
            notices.For(usage, registry.StorageLimitBytes),
            registry.PreviousPasswordValidUntil > time.GetUtcNow() ? registry.PreviousPasswordValidUntil : null,
            new RecentlyDeletedResponse(binned.Tags, binned.Manifests, binned.Bytes));

    private static async Task<RegistryRecord> FindRegistryAsync(ITenantStore tenants, string name, CancellationToken ct) =>
        await tenants.GetRegistryAsync(name, ct)
        ?? throw new ManagementException(404, "Registry not found", $"There is no registry named '{name}'.");

    private static string RequireName(CreateNameRequest? body) =>
        string.IsNullOrWhiteSpace(body?.Name)
            ? throw new ManagementException(400, "Name required", "The request body must be JSON with a \"name\".")
            : body.Name.Trim();
}
