using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// <c>/api/v1/registries/{name}/tokens</c> and <c>…/credentials/revoke-all</c>: a registry's access tokens, HTTP shapes
/// over <see cref="RegistryAccessTokens"/>. Owners manage them; viewers of the project may list them (never the secret).
/// </summary>
public static class RegistryTokenEndpoints
{
    public static RouteGroupBuilder MapBerthRegistryTokenApi(this RouteGroupBuilder api)
    {
        api.MapPost("/registries/{name}/tokens", CreateAsync)
            .WithSummary("Create an access token of the registry (shown once)");
        api.MapGet("/registries/{name}/tokens", ListAsync)
            .WithSummary("List the registry's access tokens (unrevoked; expired ones marked)");
        api.MapDelete("/registries/{name}/tokens/{id}", RevokeAsync)
            .WithSummary("Revoke an access token (dead on every node within a second)");
        api.MapPost("/registries/{name}/credentials/revoke-all", RevokeAllAsync)
            .WithSummary("Replace the password and revoke every access token at once (for a compromise)");
        return api;
    }

    private static async Task<IResult> CreateAsync(string name, CreateRegistryTokenRequest? body, HttpContext context, RegistryAccessTokens tokens,
        ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        var (record, token) = await tokens.CreateAsync(registry, body?.Name, body?.Scopes, body?.Repositories, body?.ExpiresInDays, AuditActor.From(context), ct);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Created($"/api/v1/registries/{registry.Name}/tokens/{record.Id}",
            new CreatedRegistryTokenResponse(record.Id, record.Name, token, RegistryAccessTokens.Scopes(record), record.Repositories, record.CreatedAt, record.ExpiresAt));
    }

    private static async Task<IResult> ListAsync(string name, HttpContext context, RegistryAccessTokens tokens, ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Viewer, ct);
        return Results.Ok((await tokens.ListAsync(registry, ct)).Select(t => Describe(t, tokens)).ToList());
    }

    private static async Task<IResult> RevokeAsync(string name, string id, HttpContext context, RegistryAccessTokens tokens, ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        await tokens.RevokeAsync(registry, id, AuditActor.From(context), ct);
        return Results.NoContent();
    }

    private static async Task<IResult> RevokeAllAsync(string name, HttpContext context, RegistryAccessTokens tokens, ProjectAccess access, CancellationToken ct)
    {
        var (registry, _) = await access.RequireRegistryAsync(context.User, name, ProjectRole.Owner, ct);
        var (password, revoked) = await tokens.RevokeAllAsync(registry, AuditActor.From(context), ct);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Ok(new RevokeAllCredentialsResponse(registry.Name, password, revoked.Count, revoked.Select(Summary).ToList()));
    }

    public static RegistryTokenSummary Summary(RegistryTokenRecord token) => new(token.Id, token.Name, RegistryAccessTokens.Scopes(token));

    private static RegistryTokenResponse Describe(RegistryTokenRecord token, RegistryAccessTokens tokens) =>
        new(token.Id, token.Name, RegistryAccessTokens.Scopes(token), token.Repositories, token.CreatedAt, token.ExpiresAt, token.LastUsedAt,
            token.LastUsedFrom, tokens.IsExpired(token) ? "expired" : "active");
}
