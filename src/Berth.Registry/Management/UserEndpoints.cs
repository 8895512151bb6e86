using Berth.Registry.Auditing;
using Berth.Api;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// Users (administrators manage them), the caller's own account and access tokens, and project members: the HTTP
/// shapes over <see cref="UserAccounts"/>, <see cref="AccessTokens"/> and <see cref="ProjectMembers"/>, which the
/// dashboard uses too.
/// </summary>
public static class UserEndpoints
{
    public static RouteGroupBuilder MapBerthUserApi(this RouteGroupBuilder api)
    {
        api.MapPost("/users", CreateUserAsync);
        api.MapGet("/users", ListUsersAsync);
        api.MapGet("/users/me", MeAsync);
        api.MapPut("/users/me/password", ChangePasswordAsync);
        api.MapPost("/users/me/tokens", CreateTokenAsync);
        api.MapGet("/users/me/tokens", ListTokensAsync);
        api.MapDelete("/users/me/tokens/{id}", RevokeTokenAsync);
        api.MapGet("/projects/{project}/members", ListMembersAsync);
        api.MapPut("/projects/{project}/members/{username}", SetMemberAsync);
        api.MapDelete("/projects/{project}/members/{username}", RemoveMemberAsync);
        return api;
    }

    private static async Task<IResult> CreateUserAsync(CreateUserRequest? body, HttpContext context, UserAccounts accounts, CancellationToken ct)
    {
        var user = await accounts.CreateAsync(context.User, body?.Username, body?.Password, body?.Admin ?? false, ct);
        return Results.Created($"/api/v1/users/{user.Username}", new UserResponse(user.Username, user.IsAdmin, user.CreatedAt));
    }

    private static async Task<IResult> ListUsersAsync(HttpContext context, UserAccounts accounts, CancellationToken ct) =>
        Results.Ok((await accounts.ListAsync(context.User, ct)).Select(u => new UserResponse(u.Username, u.IsAdmin, u.CreatedAt)).ToList());

    private static async Task<IResult> MeAsync(HttpContext context, Core.Metadata.IUserStore users, CancellationToken ct)
    {
        var memberships = await users.ListMembershipsOfUserAsync(context.User.UserId(), ct);
        return Results.Ok(new MeResponse(context.User.Username(), context.User.IsAdmin(),
            memberships.Select(m => new MembershipResponse(m.ProjectName, m.Username, m.Role)).ToList()));
    }

    private static async Task<IResult> ChangePasswordAsync(ChangePasswordRequest? body, HttpContext context, UserAccounts accounts, CancellationToken ct)
    {
        await accounts.ChangePasswordAsync(context.User, body?.CurrentPassword, body?.NewPassword, context.Connection.RemoteIpAddress, ct);
        return Results.NoContent();
    }

    private static async Task<IResult> CreateTokenAsync(CreateTokenRequest? body, HttpContext context, AccessTokens tokens, CancellationToken ct)
    {
        var (record, token) = await tokens.CreateAsync(context.User, body?.Name, body?.ExpiresInDays, ct);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Created($"/api/v1/users/me/tokens/{record.Id}", new CreatedTokenResponse(record.Id, record.Name, token, record.CreatedAt, record.ExpiresAt));
    }

    private static async Task<IResult> ListTokensAsync(HttpContext context, AccessTokens tokens, CancellationToken ct) =>
        Results.Ok((await tokens.ListAsync(context.User, ct))
            .Select(t => new AccessTokenResponse(t.Id, t.Name, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt)).ToList());

    private static async Task<IResult> RevokeTokenAsync(string id, HttpContext context, AccessTokens tokens, CancellationToken ct)
    {
        await tokens.RevokeAsync(context.User, id, ct);
        return Results.NoContent();
    }

    private static async Task<IResult> ListMembersAsync(string project, HttpContext context, ProjectMembers members, CancellationToken ct) =>
        Results.Ok((await members.ListAsync(context.User, project, ct)).Members.Select(m => new MembershipResponse(m.ProjectName, m.Username, m.Role)).ToList());

    private static async Task<IResult> SetMemberAsync(string project, string username, SetRoleRequest? body, HttpContext context, ProjectMembers members,
        CancellationToken ct)
    {
        var membership = await members.SetAsync(context.User, AuditActor.From(context), project, username, body?.Role, ct);
        return Results.Ok(new MembershipResponse(membership.ProjectName, membership.Username, membership.Role));
    }

    private static async Task<IResult> RemoveMemberAsync(string project, string username, HttpContext context, ProjectMembers members, CancellationToken ct)
    {
        await members.RemoveAsync(context.User, AuditActor.From(context), project, username, ct);
        return Results.NoContent();
    }
}
