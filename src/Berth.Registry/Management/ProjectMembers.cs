using Berth.Registry.Auditing;
using System.Security.Claims;
using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// A project's members and their roles: every member sees the list, only owners (and administrators) change it.
/// Each change is audited as <c>project.member.set</c> or <c>project.member.removed</c>.
/// </summary>
public sealed class ProjectMembers(ProjectAccess access, IUserStore users, ProjectAudit audit)
{
    public const string RoleRule = "role must be \"viewer\", \"developer\" or \"owner\"";

    /// <summary>The project, the caller's role in it, and its members.</summary>
    /// <exception cref="ManagementException">404 when the caller is not a member</exception>
    public async Task<(ProjectRecord Project, ProjectRole CallerRole, IReadOnlyList<ProjectMembership> Members)> ListAsync(ClaimsPrincipal caller,
        string project, CancellationToken cancellationToken)
    {
        var (record, role) = await access.RequireProjectAsync(caller, project, ProjectRole.Viewer, cancellationToken);
        return (record, role, await users.ListProjectMembersAsync(record.Id, cancellationToken));
    }

    /// <summary>Adds the user with the role, or changes their role.</summary>
    /// <exception cref="ManagementException">404 for an unknown project or user, 403 for a non-owner, 400 for an unknown role</exception>
    public async Task<ProjectMembership> SetAsync(ClaimsPrincipal caller, AuditActor actor, string project, string? username, string? role,
        CancellationToken cancellationToken)
    {
        var (record, _) = await access.RequireProjectAsync(caller, project, ProjectRole.Owner, cancellationToken);
        if (!Enum.TryParse<ProjectRole>(role, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(role, out _))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid role", RoleRule + ".");
        }

        var name = username?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(name))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Username required", "Name the user to add.");
        }

        var user = await users.GetUserAsync(name, cancellationToken)
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "User not found", $"There is no user named '{username}'.");
        await users.SetMembershipAsync(record.Id, user.Id, parsed, cancellationToken);
        await audit.AppendAsync(record, actor, "project.member.set", $"{user.Username}: {parsed.ToString().ToLowerInvariant()}", CancellationToken.None);
        return new ProjectMembership(record.Id, record.Name, user.Id, user.Username, parsed);
    }

    /// <exception cref="ManagementException">404 for an unknown project or a user who is not a member, 403 for a non-owner</exception>
    public async Task RemoveAsync(ClaimsPrincipal caller, AuditActor actor, string project, string? username, CancellationToken cancellationToken)
    {
        var (record, _) = await access.RequireProjectAsync(caller, project, ProjectRole.Owner, cancellationToken);
        var user = string.IsNullOrWhiteSpace(username) ? null : await users.GetUserAsync(username.Trim().ToLowerInvariant(), cancellationToken);
        if (user is null || !await users.RemoveMembershipAsync(record.Id, user.Id, cancellationToken))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Member not found", $"'{username}' is not a member of project '{project}'.");
        }

        await audit.AppendAsync(record, actor, "project.member.removed", user.Username, CancellationToken.None);
    }
}
