using System.Text.RegularExpressions;
using Berth.Api;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>Users (administrators manage them), the caller's own account and access tokens, and project members.</summary>
public static partial class UserEndpoints
{
    public const int MinPasswordLength = 12;

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

    public static bool IsValidUsername(string? name) => name is { Length: >= 3 and <= 63 } && UsernameRegex().IsMatch(name);

    private static async Task<IResult> CreateUserAsync(CreateUserRequest? body, HttpContext context, IUserStore users, TimeProvider time, CancellationToken ct)
    {
        RequireAdmin(context);
        var username = body?.Username?.Trim().ToLowerInvariant();
        if (!IsValidUsername(username))
        {
            throw new ManagementException(400, "Invalid username", "Usernames are 3–63 characters: lowercase letters, digits, '.', '_' and '-', starting and ending with a letter or digit.");
        }

        var password = RequirePassword(body?.Password);
        try
        {
            var user = await users.CreateUserAsync(new UserRecord(Secrets.NewId(), username!, PasswordHasher.Hash(password), body!.Admin, 1, time.GetUtcNow()), ct);
            return Results.Created($"/api/v1/users/{user.Username}", new UserResponse(user.Username, user.IsAdmin, user.CreatedAt));
        }
        catch (MetadataConflictException)
        {
            throw new ManagementException(409, "User exists", $"A user named '{username}' already exists.");
        }
    }

    private static async Task<IResult> ListUsersAsync(HttpContext context, IUserStore users, CancellationToken ct)
    {
        RequireAdmin(context);
        return Results.Ok((await users.ListUsersAsync(ct)).Select(u => new UserResponse(u.Username, u.IsAdmin, u.CreatedAt)).ToList());
    }

    private static async Task<IResult> MeAsync(HttpContext context, IUserStore users, CancellationToken ct)
    {
        var memberships = await users.ListMembershipsOfUserAsync(context.User.UserId(), ct);
        return Results.Ok(new MeResponse(context.User.Username(), context.User.IsAdmin(),
            memberships.Select(m => new MembershipResponse(m.ProjectName, m.Username, m.Role)).ToList()));
    }

    /// <summary>Needs the current password; moves the security stamp on, which ends every existing session.</summary>
    private static async Task<IResult> ChangePasswordAsync(ChangePasswordRequest? body, HttpContext context, UserAuthenticator authenticator,
        IUserStore users, TimeProvider time, CancellationToken ct)
    {
        UserRecord? current;
        try
        {
            current = await authenticator.VerifyPasswordAsync(context.User.Username(), body?.CurrentPassword ?? "", context.Connection.RemoteIpAddress, ct);
        }
        catch (LoginRefusedException ex) when (ex.RetryAfter is null)
        {
            throw new ManagementException(400, "Wrong password", $"The current password is not correct: {ex.Message}.");
        }

        if (current is null || current.Id != context.User.UserId())
        {
            throw new ManagementException(400, "Wrong password", "The current password is not correct.");
        }

        await users.SetUserPasswordAsync(current.Id, PasswordHasher.Hash(RequirePassword(body?.NewPassword)), time.GetUtcNow(), ct);
        return Results.NoContent();
    }

    private static async Task<IResult> CreateTokenAsync(CreateTokenRequest? body, HttpContext context, UserAuthenticator authenticator,
        IUserStore users, TimeProvider time, CancellationToken ct)
    {
        var name = body?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            throw new ManagementException(400, "Name required", "A token needs a name of 1–100 characters, e.g. what uses it.");
        }

        if (body!.ExpiresInDays is < 1 or > 3650)
        {
            throw new ManagementException(400, "Invalid expiry", "expiresInDays must be between 1 and 3650 (or absent for no expiry).");
        }

        DateTimeOffset? expiresAt = body.ExpiresInDays is { } days ? time.GetUtcNow().AddDays(days) : null;
        var (record, token) = authenticator.NewAccessToken(context.User.UserId(), name, expiresAt);
        await users.CreateAccessTokenAsync(record, ct);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Created($"/api/v1/users/me/tokens/{record.Id}", new CreatedTokenResponse(record.Id, record.Name, token, record.CreatedAt, record.ExpiresAt));
    }

    private static async Task<IResult> ListTokensAsync(HttpContext context, IUserStore users, CancellationToken ct) =>
        Results.Ok((await users.ListAccessTokensAsync(context.User.UserId(), ct))
            .Select(t => new AccessTokenResponse(t.Id, t.Name, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt)).ToList());

    private static async Task<IResult> RevokeTokenAsync(string id, HttpContext context, IUserStore users, TimeProvider time, CancellationToken ct) =>
        await users.RevokeAccessTokenAsync(context.User.UserId(), id, time.GetUtcNow(), ct)
            ? Results.NoContent()
            : throw new ManagementException(404, "Token not found", "You have no active token with that id.");

    private static async Task<IResult> ListMembersAsync(string project, HttpContext context, ProjectAccess access, IUserStore users, CancellationToken ct)
    {
        var (record, _) = await access.RequireProjectAsync(context.User, project, ProjectRole.Viewer, ct);
        return Results.Ok((await users.ListProjectMembersAsync(record.Id, ct)).Select(m => new MembershipResponse(m.ProjectName, m.Username, m.Role)).ToList());
    }

    private static async Task<IResult> SetMemberAsync(string project, string username, SetRoleRequest? body, HttpContext context,
        ProjectAccess access, ProjectMembers members, CancellationToken ct)
    {
        var (record, _) = await access.RequireProjectAsync(context.User, project, ProjectRole.Owner, ct);
        if (!Enum.TryParse<ProjectRole>(body?.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            throw new ManagementException(400, "Invalid role", "role must be \"viewer\", \"developer\" or \"owner\".");
        }

        var user = await members.SetAsync(record, username, role, AuditActor.From(context), ct);
        return Results.Ok(new MembershipResponse(record.Name, user.Username, role));
    }

    private static async Task<IResult> RemoveMemberAsync(string project, string username, HttpContext context, ProjectAccess access,
        ProjectMembers members, CancellationToken ct)
    {
        var (record, _) = await access.RequireProjectAsync(context.User, project, ProjectRole.Owner, ct);
        await members.RemoveAsync(record, username, AuditActor.From(context), ct);
        return Results.NoContent();
    }

    private static void RequireAdmin(HttpContext context)
    {
        if (!context.User.IsAdmin())
        {
            throw new ManagementException(403, "Forbidden", "Only administrators manage users.");
        }
    }

    private static string RequirePassword(string? password) =>
        password is { Length: >= MinPasswordLength and <= 1024 }
            ? password
            : throw new ManagementException(400, "Weak password", $"Passwords must be at least {MinPasswordLength} characters.");

    [GeneratedRegex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UsernameRegex();
}
